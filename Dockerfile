# Dépêche: the Telegram bot, on the embedded SQLite database (a volume) or on PostgreSQL
# (DEPECHE_DATABASE_URL, see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEPECHE_DATA_DIR=/data

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p bot retrieval storage \
    && touch bot/__init__.py retrieval/__init__.py storage/__init__.py \
    && pip install . \
    && pip uninstall --yes depeche \
    && rm -rf bot retrieval storage build

# Then the code (migrations included), without reinstalling the dependencies.
COPY bot ./bot
COPY retrieval ./retrieval
COPY storage ./storage
# bot/seeds links to seeds/: the installed package holds the seed dispatch itself.
COPY seeds ./seeds
RUN pip install --no-deps . && rm -rf build

RUN groupadd --gid 10001 depeche \
    && useradd --create-home --uid 10001 --gid 10001 depeche \
    && mkdir -p /data && chown depeche:depeche /data
USER 10001:10001

# The SQLite database and the saved search index live here.
VOLUME ["/data"]
# Prometheus metrics and /healthz (the health check below asks it).
ENV DEPECHE_METRICS_PORT=9090
# Webhook mode (DEPECHE_WEBHOOK_URL) listens on 8443; long polling needs no port.
EXPOSE 8443 9090

# The start period covers the longest start: waiting for the database
# (DEPECHE_DB_CONNECT_ATTEMPTS: about 91 s at most), then building the index without a saved
# one (every passage read: up to 60 s at a million passages; loading a saved index takes
# seconds, see docs/benchmarks.md). /healthz answers 503 until the bot takes updates.
HEALTHCHECK --interval=30s --timeout=10s --start-period=160s --retries=3 \
    CMD ["depeche", "health"]

ENTRYPOINT ["depeche"]
CMD ["run"]
