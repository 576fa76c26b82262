"""The one settings object: every option Dépêche reads from the environment or ``.env``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def packaged_seeds() -> Path:
    """The seed dispatch installed with Dépêche (package data), wherever it runs."""
    return Path(str(resources.files("bot") / "seeds"))


class Settings(BaseSettings):
    """Dépêche's configuration; environment variables are the field names prefixed ``DEPECHE_``."""

    model_config = SettingsConfigDict(
        env_prefix="DEPECHE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Path("data")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; SQLite under data_dir when empty, or postgresql://...",
    )
    # Loaded into an empty database (demo, chat, run); the seed shipped with the package.
    seeds_dir: Path = Field(default_factory=packaged_seeds)
    # `depeche run` on an empty database loads the seeds first (demo and chat always do).
    seed_on_empty: bool = True
    telegram_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "DEPECHE_TELEGRAM_TOKEN", "TELEGRAM_BOT_TOKEN", "telegram_token"
        ),
    )
    telegram_api_url: str | None = Field(
        default=None, description="Another Bot API server, e.g. http://127.0.0.1:8081/bot"
    )
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    results_per_page: int = Field(default=3, ge=1, le=10)
    feed_poll_minutes: float = Field(default=15.0, gt=0)
    feed_timeout_seconds: float = Field(default=20.0, gt=0)
    alert_interval_seconds: float = Field(default=2.0, gt=0)
    digest_window_seconds: float = Field(default=60.0, ge=0)
    digest_threshold: int = Field(default=3, ge=2)
    alert_max_attempts: int = Field(default=5, ge=1)
    # Alert delivery: a chat's alerts wait until none came for this long (or the digest window
    # passed) so that a burst goes out as digests; messages a second to Telegram, all chats.
    alert_settle_seconds: float = Field(default=5.0, ge=0)
    alert_rate_per_second: float = Field(default=25.0, gt=0, le=30)
    index_sync_seconds: float = Field(default=3.0, gt=0)
    # Starting while the database is down (`depeche run`): tries, and the first delay (doubling).
    db_connect_attempts: int = Field(default=8, ge=1)
    db_retry_seconds: float = Field(default=1.0, ge=0)
    # Bring the schema to the newest migration at start; off: only `depeche db upgrade` does.
    auto_migrate: bool = True
    log_level: str = "INFO"
    # Where "today", "yesterday" and "this week" are reckoned (an IANA time zone name), and
    # the time zone of /quiet and /digest daily for chats that named none.
    timezone: str = "Europe/Paris"
    # Prometheus metrics and /healthz (`depeche run`); unset: not served, 0: any free port.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_listen: str = "0.0.0.0"
    # Feeds at loopback, link-local or private addresses are refused unless this is on.
    feeds_allow_private: bool = False
    # The terminal's locale, for the language of `depeche chat` (the first set one wins).
    lc_all: str = Field(default="", validation_alias=AliasChoices("LC_ALL", "lc_all"))
    lc_messages: str = Field(
        default="", validation_alias=AliasChoices("LC_MESSAGES", "lc_messages")
    )
    lang: str = Field(default="", validation_alias=AliasChoices("LANG", "lang"))

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        """Accept ``123,456`` (or spaces) as well as a list."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(",", " ").split()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _blank_port_is_none(cls, value: Any) -> Any:
        """An empty DEPECHE_METRICS_PORT means no metrics endpoint."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        """Logging level names are upper case."""
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """An IANA name such as ``Europe/Paris`` or ``UTC``."""
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Paris, UTC)") from None
        return value.strip()

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        """An empty variable means no token, not an empty one."""
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _normalise_database_url(self) -> Settings:
        """Default to SQLite under data_dir; use the psycopg 3 driver for PostgreSQL URLs."""
        url = self.database_url.strip()
        if not url:
            url = f"sqlite:///{self.data_dir / 'depeche.db'}"
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix) :]
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ValueError(f"DEPECHE_DATABASE_URL is not a database URL: {url!r}") from None
        if backend not in {"sqlite", "postgresql"}:
            raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
        self.database_url = url
        return self

    @property
    def index_path(self) -> Path:
        """Where the search index is saved beside an SQLite database (or in data_dir)."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(url.database).with_suffix(".index")
        return self.data_dir / "depeche.index"

    @property
    def locale(self) -> str:
        """The terminal's locale name (``fr_FR``, from ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``)."""
        for value in (self.lc_all, self.lc_messages, self.lang):
            if value.strip():
                return value.strip().split(".")[0]
        return ""

    @property
    def token(self) -> str | None:
        """The Telegram token, or None."""
        return self.telegram_token.get_secret_value() if self.telegram_token else None


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment and ``.env``; keyword overrides win."""
    return Settings(**overrides)
