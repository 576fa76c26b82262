"""The ``depeche`` command line: a thin layer over the service.

Only click is imported up front: each command imports what it uses in its body, so that
``depeche --help`` starts in the time of click, and ``feeds list``, ``db current`` and
``health`` never load the search index, numpy or the Telegram stack
(``tests/cli/test_startup.py`` holds them to it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from bot.chat.messages import Lang
    from bot.service import Depeche
    from bot.settings import Settings
    from retrieval.search import Results

from bot.cli.common import _database_errors, open_service, pass_settings
from bot.cli.feeds import feeds

DEMO_QUESTIONS = ("What did the Kremlin say?", "Qu'a dit le Kremlin ?")
DEMO_LANGUAGES = dict(zip(DEMO_QUESTIONS, ("en", "fr"), strict=True))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (DEBUG level).")
def cli(verbose: bool) -> None:
    """Dépêche answers questions about the news with cited excerpts of stored articles."""


cli.add_command(feeds)


def _date_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from storage.readers import parse_date

    try:
        return parse_date(value)
    except ValueError as error:
        raise click.BadParameter(f"{error} (use 2025-06, 2025-06-04 or an ISO time)") from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", default=None, help="Source of the articles whose files name none.")
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the articles whose files give none (else detected).",
)
@click.option(
    "--date",
    "published",
    default=None,
    callback=_date_option,
    metavar="DATE",
    help="Date (2025-06-04, 2025-06) of the articles whose files carry none.",
)
@pass_settings
def ingest(
    settings: Settings,
    paths: tuple[Path, ...],
    source: str | None,
    language: str | None,
    published: tuple[datetime, str] | None,
) -> None:
    """Store articles from files or folders (wire .txt, .md, .jsonl), recursively."""
    from tqdm import tqdm

    with _database_errors():
        service = open_service(settings)
        with tqdm(desc="ingesting", unit=" articles", disable=None, file=sys.stderr) as bar:
            report = service.ingest_paths(
                list(paths),
                on_progress=lambda _draft: bar.update(),
                source=source.strip() if source and source.strip() else None,
                language=language,
                published=published,
            )
        service.save_index()
    for failure in report.failures:
        click.echo(f"failed: {failure}", err=True)
    click.echo(
        f"{report.new} new, {report.replaced} replaced, {report.unchanged} unchanged, "
        f"{report.failed} failed"
        + (f"; {report.alerts_queued} alerts queued" if report.alerts_queued else "")
    )
    if report.failed and not (report.new or report.replaced or report.unchanged):
        sys.exit(1)


def results_json(results: Results) -> dict[str, Any]:
    """Machine-readable results, for scripts that evaluate answers."""
    period = results.scope.filters.period
    return {
        "question": results.question,
        "terms": list(results.terms),
        "answered": results.answered,
        "also_searched": list(results.also_searched),
        "question_type": results.question_type,
        "needs_subject": results.needs_subject,
        "analysed": results.analysed,
        "filters": {
            "period": {
                "phrase": period.phrase,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
            if period
            else None,
            "sources": list(results.scope.filters.sources),
            "unknown_sources": list(results.scope.unknown_sources),
            # The answers come from outside the period: nothing matched in it, or nothing
            # there answered.
            "widened": results.scope.widened or results.scope.unanswered_in_period,
        },
        "results": [
            {
                "article_id": a.passage.article_id,
                "slug": a.passage.slug,
                "title": a.passage.title,
                "source": a.passage.source,
                "url": a.passage.url,
                "published": a.passage.published_at.isoformat() if a.passage.published_at else None,
                "published_precision": a.passage.published_precision,
                "passage_id": a.passage.passage_id,
                "heading": a.passage.heading,
                "text": a.passage.text,
                "excerpt": a.excerpt.text,
                "more_excerpt": a.more.text if a.more is not None else None,
                "score": a.score,
            }
            for a in results.answers
        ],
    }


@cli.command()
@click.argument("question", nargs=-1)
@click.option(
    "-k", "k", default=3, show_default=True, type=click.IntRange(1, 50), help="How many answers."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print machine-readable results; with QUESTION `-`, one JSON object a line.",
)
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default=None, help="Language of the messages."
)
@pass_settings
def ask(
    settings: Settings, question: tuple[str, ...], k: int, as_json: bool, lang: str | None
) -> None:
    """Answer a question from the stored articles; `-` reads one question a line from stdin."""
    import json

    from bot.chat.render import render_answer_text

    with _database_errors():
        service = open_service(settings)
        if question == ("-",):
            # One process for many questions (scripts, evaluations): one answer per line read,
            # printed as soon as it is found; a blank line gets an empty result.
            with click.open_file("-", encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    results = service.ask(line.strip(), k=k)
                    if as_json:
                        click.echo(json.dumps(results_json(results), ensure_ascii=False))
                    else:
                        click.echo(f"> {results.question}\n")
                        language = _answer_language(line, settings, lang)
                        click.echo(render_answer_text(results, language) + "\n")
            return
        text = " ".join(question)
        results = service.ask(text, k=k)
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        return
    click.echo(render_answer_text(results, _answer_language(text, settings, lang)))


def _answer_language(text: str, settings: Settings, chosen: str | None = None) -> Lang:
    """``--lang``, else the rule of the chat: the interface's language (the terminal's), never
    the question's, which only steers the search."""
    from bot.cli.console import terminal_language

    if chosen in ("en", "fr"):
        return "fr" if chosen == "fr" else "en"
    return terminal_language(settings)


@cli.command()
@pass_settings
def stats(settings: Settings) -> None:
    """How many articles, passages and sources are stored, and their date range."""
    with _database_errors():
        service = open_service(settings)
        s = service.stats()
        sources = service.sources()
    click.echo(f"articles: {s.articles}")
    click.echo(f"passages: {s.passages}")
    click.echo(f"sources:  {s.sources} ({', '.join(f'{c.source} {c.articles}' for c in sources)})")
    if s.oldest:
        click.echo(f"dates:    {s.oldest:%Y-%m-%d} to {s.newest:%Y-%m-%d}")


@cli.command()
@click.option("-n", default=5, show_default=True, type=click.IntRange(1, 50), help="How many.")
@click.option("--topic", default=None, help="Only articles on this topic (as /subscribe).")
@pass_settings
def latest(settings: Settings, n: int, topic: str | None) -> None:
    """List the newest stored articles (on a topic)."""
    from bot.chat.render import cite
    from retrieval.topics import TopicError

    with _database_errors():
        try:
            articles = open_service(settings).latest(n, topic=topic)
        except TopicError as error:
            raise click.BadParameter(str(error), param_hint="--topic") from None
    if not articles:
        click.echo(f"No stored article matches {topic}." if topic else "No article is stored yet.")
    for article in articles:
        click.echo(f"[#{article.id}] {article.title} — {cite(article)}")


@cli.command()
@click.argument("topic", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("trend.png"),
    show_default=True,
    help="Where to write the PNG chart.",
)
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default="en", help="Language of the chart."
)
@pass_settings
def trend(settings: Settings, topic: tuple[str, ...], out: Path, lang: str) -> None:
    """Chart the articles on TOPIC per day, by source (last 30 days, or a period in TOPIC
    such as "Ukraine this month")."""
    from bot.chat.charts import trend_png
    from bot.chat.messages import t
    from bot.chat.render import format_period
    from bot.chat.trends import topic_trend
    from retrieval.topics import TopicError

    language: Lang = "fr" if lang == "fr" else "en"
    with _database_errors():
        service = open_service(settings)
        parsed = service.read_question(" ".join(topic))
        try:
            found = topic_trend(
                service, parsed.text, period=parsed.filters.period, sources=parsed.filters.sources
            )
        except TopicError as error:
            raise click.BadParameter(str(error), param_hint="TOPIC") from None
    dates = format_period(found.period, language)
    if not found.total:
        click.echo(t("trend_none", language, topic=parsed.text, dates=dates))
        return
    out.write_bytes(trend_png(found, language))
    day, busiest = found.busiest()
    click.echo(
        t(
            "trend_caption",
            language,
            topic=parsed.text,
            count=found.total,
            dates=dates,
            day=day.isoformat(),
            busiest=busiest,
        )
    )
    click.echo(t("trend_saved", language, path=out))


def seed_if_empty(service: Depeche, settings: Settings) -> None:
    """Fill an empty database from the seeds (``DEPECHE_SEEDS_DIR``, by default the dispatch
    shipped with the package): the first start of demo, chat and run."""
    if not service.is_empty():
        return
    if not settings.seeds_dir.is_dir():
        click.echo(f"(no articles stored and no seeds folder at {settings.seeds_dir})", err=True)
        return
    report = service.ingest_paths([settings.seeds_dir])
    service.save_index()
    click.echo(f"Stored {report.new} article(s) from {settings.seeds_dir}/.")
    for failure in report.failures:
        click.echo(f"failed: {failure}", err=True)


@cli.command()
@click.argument("questions", nargs=-1)
@pass_settings
def demo(settings: Settings, questions: tuple[str, ...]) -> None:
    """Fill the database from seeds/ if empty, then answer sample questions."""
    from bot.chat.render import render_answer_text

    with _database_errors():
        service = open_service(settings)
        seed_if_empty(service, settings)
        for question in questions or DEMO_QUESTIONS:
            results = service.ask(question, k=2)
            click.echo(f"\n> {question}\n")
            # The samples show both interfaces; the user's own questions get the terminal's.
            shown_in = DEMO_LANGUAGES.get(question)
            click.echo(render_answer_text(results, _answer_language(question, settings, shown_in)))
    click.echo('\nTry your own: depeche ask "..."  ·  depeche chat  ·  depeche --help')


# -- the database -------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database schema: upgrade it to this version's migrations, or show where it stands."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@pass_settings
def db_upgrade(settings: Settings, revision: str) -> None:
    """Apply the schema migrations up to REVISION (default: the newest). Safe to run twice."""
    from storage.db import make_engine, upgrade_schema

    engine = make_engine(settings.database_url)
    with _database_errors():
        before, after = upgrade_schema(engine, revision)
    engine.dispose()
    if before == after:
        click.echo(f"The database schema is already at {after}.")
    else:
        click.echo(f"Upgraded the database schema from {before or 'nothing'} to {after}.")


@db.command("current")
@pass_settings
def db_current(settings: Settings) -> None:
    """Show the database's schema revision and this version's newest one."""
    from storage.db import make_engine, schema_state

    engine = make_engine(settings.database_url)
    with _database_errors():
        state = schema_state(engine)
    engine.dispose()
    click.echo(f"database: {state.current or 'empty (no schema yet)'}")
    click.echo(f"code:     {state.head}")
    click.echo(_schema_verdict(state))


def _schema_verdict(state: Any) -> str:
    if not state.known:
        return "the database is NEWER than this code: run the newer Dépêche"
    if state.up_to_date:
        return "up to date"
    return "behind: `depeche db upgrade` (or any start of the bot) brings it up to date"


@cli.command()
@pass_settings
def health(settings: Settings) -> None:
    """Exit 0 when the bot is healthy: its /healthz when DEPECHE_METRICS_PORT is set, else
    whether the database answers with a current schema (the Docker HEALTHCHECK)."""
    from storage.db import make_engine, schema_state

    if settings.metrics_port:
        _check_running_bot(settings.metrics_listen, settings.metrics_port)
        return
    engine = make_engine(settings.database_url)
    with _database_errors():
        state = schema_state(engine)
    engine.dispose()
    if not state.up_to_date:
        click.echo(f"unhealthy: schema {state.current or 'missing'}; {_schema_verdict(state)}")
        sys.exit(1)
    click.echo(f"ok: the database answers, schema at {state.current}")


def _check_running_bot(listen: str, port: int) -> None:
    """Ask the running bot's /healthz; exit 1 with its reason when it is not healthy."""
    import httpx

    host = "127.0.0.1" if listen in ("", "0.0.0.0", "::") else listen
    url = f"http://{host}:{port}/healthz"
    try:
        response = httpx.get(url, timeout=5.0)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        click.echo(f"unhealthy: the bot does not answer on {url} ({error})")
        sys.exit(1)
    if response.status_code != 200:
        click.echo(f"unhealthy: {body.get('reason', response.status_code)}")
        sys.exit(1)
    checks = body.get("checks", {})
    click.echo("ok: " + "; ".join(f"{name} {c.get('detail', '')}" for name, c in checks.items()))


NO_TOKEN = """\
No Telegram bot token: `depeche run` needs one.

Set DEPECHE_TELEGRAM_TOKEN (TELEGRAM_BOT_TOKEN works too), in the environment or in a .env file
in this folder:

    export DEPECHE_TELEGRAM_TOKEN=123456789:AAH...

To get a token: open a chat with @BotFather in Telegram (https://t.me/BotFather), send /newbot,
choose a display name and a username ending in "bot"; BotFather answers with the token.

To try Dépêche without a token: depeche chat"""


@cli.command()
@click.option(
    "--webhook",
    "webhook_url",
    metavar="URL",
    default=None,
    help="Receive updates on this HTTPS URL instead of long polling (or DEPECHE_WEBHOOK_URL).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Webhook port.")
@click.option("--listen", default=None, help="Webhook listening address.")
@pass_settings
def run(settings: Settings, webhook_url: str | None, port: int | None, listen: str | None) -> None:
    """Run the Telegram bot (long polling, or a webhook behind HTTPS)."""
    import re

    if not settings.token:
        click.echo(NO_TOKEN, err=True)
        sys.exit(1)
    url = webhook_url or settings.webhook_url
    if url and not url.startswith("https://"):
        raise click.BadParameter("Telegram only sends webhooks to https:// URLs", param_hint="URL")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise click.ClickException(
            "DEPECHE_WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 of them)"
        )
    if port is not None or listen is not None:
        settings = settings.model_copy(
            update={
                "webhook_port": port or settings.webhook_port,
                "webhook_listen": listen or settings.webhook_listen,
            }
        )
    from bot.telegram.app import build_application, run_polling, run_webhook

    with _database_errors():
        service = open_service(settings, wait=True)
        if settings.seed_on_empty:
            seed_if_empty(service, settings)
        if service.is_empty():
            click.echo(
                "warning: no article is stored yet; add some with `depeche ingest PATH`.",
                err=True,
            )
    from bot.metrics import MetricsPortError

    application = build_application(settings, service)
    try:
        if url:
            run_webhook(application, settings, url)
        else:
            run_polling(application)
    except MetricsPortError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)


@cli.command()
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default=None, help="Language of the messages."
)
@pass_settings
def chat(settings: Settings, lang: str | None) -> None:
    """Chat with Dépêche in the terminal, as on Telegram (questions, /latest, /help...)."""
    from bot.chat.messages import t
    from bot.cli.console import ConsoleChat, interactive_lines, run_chat, terminal_language

    with _database_errors():
        service = open_service(settings)
        seed_if_empty(service, settings)
    language: Lang = terminal_language(settings)
    if lang in ("en", "fr"):
        language = "fr" if lang == "fr" else "en"
    conversation = ConsoleChat(service, settings, language)
    stdin = sys.stdin
    if stdin.isatty():
        click.echo(t("console_welcome", language) + "\n")
        lines: Iterable[str] = interactive_lines()
    else:
        lines = stdin
    with _database_errors():
        run_chat(conversation, lines, click.echo, show_input=not stdin.isatty())


def main() -> None:
    """Entry point of the ``depeche`` console script."""
    cli(prog_name="depeche")


if __name__ == "__main__":
    main()
