"""The /trend chart: articles on a topic per day, stacked by source, as PNG bytes.

matplotlib's object API on the Agg canvas (no pyplot, no display, no global figure state), so
that charts can be drawn in worker threads while the bot's event loop goes on.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.chat.messages import Lang, t

if TYPE_CHECKING:
    from bot.chat.trends import TopicTrend

MAX_SOURCES = 8  # more get one "other" colour, so that the legend stays readable


def trend_png(trend: TopicTrend, language: Lang = "en") -> bytes:
    """The chart of a trend: one bar a day, each source its colour, the busiest day marked."""
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    sources = list(trend.by_source.items())
    if len(sources) > MAX_SOURCES:
        rest = sources[MAX_SOURCES - 1 :]
        other = tuple(sum(day) for day in zip(*(c for _, c in rest), strict=True))
        sources = [*sources[: MAX_SOURCES - 1], ("…", other)]
    bottom = [0] * len(trend.days)
    for source, counts in sources:
        axes.bar(trend.days, counts, bottom=bottom, label=source, width=0.8)  # type: ignore[arg-type]
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    busiest, count = trend.busiest()
    axes.annotate(
        str(count),
        (busiest, count),
        ha="center",
        va="bottom",
        fontweight="bold",
    )
    axes.set_title(trend.topic)
    axes.set_ylabel(t("trend_axis", language))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", fontsize="small")
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
