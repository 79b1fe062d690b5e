"""PNG charts for /stats and the report, drawn by matplotlib in a worker thread.

Only matplotlib's object API is used (no pyplot, no global figure state), so charts
can be drawn from any thread. Callers draw through `in_thread`: a chart costs
a hundred milliseconds of CPU that must not stall the event loop.
Labels are passed in already translated (the worker thread has no locale of its own).
"""

from __future__ import annotations

import asyncio
import importlib
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, TypeVar

from bot.features.metrics.compute import CohortRow, Day

T = TypeVar("T")
BLUE = "#4c72b0"
GREEN = "#55a868"
RED = "#c44e52"
GREY = "#8c8c8c"
ORANGE = "#dd8452"


# One thread draws every chart: matplotlib's object API is safe off the event loop,
# but its shared caches (fonts, text layout) are not meant for parallel drawing.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agora-charts")


def in_thread(paint: Callable[[], T]) -> asyncio.Future[T]:
    """Run `paint` in the chart thread; await the result (CPU work off the event loop)."""
    return asyncio.get_running_loop().run_in_executor(_DRAWER, paint)


@cache
def _modules() -> tuple[Any, Any]:
    """(matplotlib.figure, the Agg canvas module), imported on first use (about a second)."""
    figure = importlib.import_module("matplotlib.figure")
    agg = importlib.import_module("matplotlib.backends.backend_agg")
    return figure, agg


def prepare() -> asyncio.Future[tuple[Any, Any]]:
    """Start importing matplotlib in the chart thread now (the report does once its
    queries are on their way), so the import overlaps the queries, not the drawing.
    Not earlier: an import is Python work, and beside the start-up (imports, config)
    it would only take turns with it for the interpreter lock."""
    return in_thread(_modules)


def _figure(
    width: float,
    height: float,
    *,
    left: float = 0.75,
    right: float = 0.3,
    top: float = 0.35,
    bottom: float = 0.65,
) -> Any:
    """A figure whose plot keeps these margins (inches) for labels, title and legend.

    Fixed margins, not tight_layout: measuring every label costs a second drawing,
    which was a third of the CPU of a report's charts.
    """
    figure_module, agg = _modules()
    figure = figure_module.Figure(figsize=(width, height), dpi=100)
    agg.FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
    )
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plain(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _legend(axes: Any, handles: Sequence[Any] = (), labels: Sequence[str] = ()) -> None:
    """The legend in one row under the chart, where it hides no data."""
    if not handles:
        handles, labels = axes.get_legend_handles_labels()
    axes.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=max(1, len(labels)),
        frameon=False,
    )


def _sparse(labels: Sequence[str]) -> list[str]:
    """About ten of the labels, evenly spread, so they never overlap."""
    step = max(1, len(labels) // 10)
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]


def activity(
    days: Sequence[Day], dates: Sequence[str], title: str, posts: str, active: str
) -> bytes:
    """The /stats chart: posts per day (bars) and daily active members (line); `dates`
    label the days (written in the reader's language by the caller)."""
    figure = _figure(7.0, 2.6)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(days)))
    axes.bar(x, [d.messages + d.replies for d in days], color=BLUE, label=posts)
    axes.plot(x, [d.dau for d in days], color=ORANGE, marker="o", label=active)
    axes.set_xticks(x, labels=_sparse(dates))
    axes.set_title(title, loc="left")
    _legend(axes)
    _plain(axes)
    return _png(figure)


def growth(days: Sequence[Day], dates: Sequence[str], title: str, labels: Sequence[str]) -> bytes:
    """Members over time (line) with joins and departures per day (bars)."""
    members, joined, left = labels
    figure = _figure(8.0, 3.2, right=0.6)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(days)))
    axes.plot(x, [d.members for d in days], color=BLUE, label=members)
    bars = axes.twinx()
    bars.bar(x, [d.joined for d in days], color=GREEN, alpha=0.6, label=joined)
    bars.bar(x, [-d.left for d in days], color=RED, alpha=0.6, label=left)
    axes.set_xticks(x, labels=_sparse(dates))
    axes.set_title(title, loc="left")
    lines, names = axes.get_legend_handles_labels()
    more, more_names = bars.get_legend_handles_labels()
    _legend(axes, lines + more, names + more_names)
    return _png(figure)


def actives(days: Sequence[Day], dates: Sequence[str], title: str, labels: Sequence[str]) -> bytes:
    """DAU, WAU and MAU (lines) and DAU/MAU in percent (dashed, right axis)."""
    dau, wau, mau, ratio = labels
    figure = _figure(8.0, 3.2, right=0.75)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(days)))
    axes.plot(x, [d.dau for d in days], color=ORANGE, label=dau)
    axes.plot(x, [d.wau for d in days], color=GREEN, label=wau)
    axes.plot(x, [d.mau for d in days], color=BLUE, label=mau)
    share = axes.twinx()
    share.plot(
        x,
        [100 * d.stickiness if d.stickiness is not None else float("nan") for d in days],
        color=GREY,
        linestyle="--",
        label=ratio,
    )
    share.set_ylim(0, 100)
    share.set_ylabel("%")
    axes.set_xticks(x, labels=_sparse(dates))
    axes.set_title(title, loc="left")
    lines, names = axes.get_legend_handles_labels()
    more, more_names = share.get_legend_handles_labels()
    _legend(axes, lines + more, names + more_names)
    return _png(figure)


def heat(grid: Sequence[Sequence[float]], title: str, weekdays: Sequence[str]) -> bytes:
    """Mean posts and reactions per hour, by weekday and hour of day."""
    figure = _figure(8.0, 3.0, left=0.6, right=0.7, bottom=0.35)
    axes = figure.add_subplot(1, 1, 1)
    image = axes.imshow([list(row) for row in grid], aspect="auto", cmap="Blues")
    axes.set_yticks(range(7), labels=list(weekdays))
    axes.set_xticks(range(0, 24, 2), labels=[f"{h:02d}" for h in range(0, 24, 2)])
    axes.set_title(title, loc="left")
    figure.colorbar(image, ax=axes, fraction=0.03)
    return _png(figure)


def cohorts(rows: Sequence[CohortRow], weeks: Sequence[str], title: str, week_label: str) -> bytes:
    """Retention: one row per joining week (labelled `weeks`), the share still active in
    each later week."""
    figure = _figure(8.0, 0.9 + 0.4 * max(len(rows), 1), left=1.5, right=0.1, bottom=0.4)
    axes = figure.add_subplot(1, 1, 1)
    width = max((len(r.shares) for r in rows), default=1)
    grid = [[s if s is not None else float("nan") for s in r.shares] for r in rows] or [[0.0]]
    axes.imshow(grid, aspect="auto", cmap="Greens", vmin=0, vmax=1)
    for y, row in enumerate(rows):
        for x, share in enumerate(row.shares):
            if share is not None:
                axes.text(x, y, f"{round(100 * share)}%", ha="center", va="center", fontsize=8)
    axes.set_yticks(
        range(len(rows)), labels=[f"{week} ({r.size})" for week, r in zip(weeks, rows, strict=True)]
    )
    axes.set_xticks(range(width), labels=[f"{week_label}+{k}" for k in range(1, width + 1)])
    axes.set_title(title, loc="left")
    return _png(figure)


def lines(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    unit: str,
    empty: str = "",
) -> bytes:
    """One line per named series over `labels` (response times per week, tone per day);
    `empty` is written across the chart when there is no series."""
    figure = _figure(8.0, 3.0, right=0.6)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(labels)))
    colors = [BLUE, ORANGE, GREEN, RED, GREY]
    for index, (name, values) in enumerate(series.items()):
        axes.plot(
            x,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            color=colors[index % len(colors)],
            label=name,
        )
    axes.set_xticks(x, labels=_sparse(labels))
    axes.set_ylabel(unit)
    axes.set_title(title, loc="left")
    if series:
        _legend(axes)
    elif empty:
        axes.text(0.5, 0.5, empty, transform=axes.transAxes, ha="center", color=GREY)
        axes.set_yticks([])
    _plain(axes)
    return _png(figure)
