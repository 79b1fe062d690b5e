"""Result charts: horizontal bars as a PNG, drawn by matplotlib off the event loop.

matplotlib is optional. Without it `bar_chart` returns None and results go out as
text with a note saying what to install, so a fresh install works everywhere. It is
imported lazily (and through importlib, so the core type-checks either way) and only
the object API is used: no pyplot, no global figure state, safe in worker threads.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import textwrap
from collections.abc import Sequence
from functools import cache
from types import ModuleType

from bot.formatting import number, percent

BAR = "#4c72b0"
HIGHLIGHT = "#2ca02c"
LABEL_WIDTH = 40
_warming: list[asyncio.Future[object]] = []  # the one import started by warm_up()


@cache
def matplotlib_modules() -> tuple[ModuleType, ModuleType] | None:
    """(matplotlib.figure, the Agg canvas module), or None when matplotlib is missing."""
    try:
        figure = importlib.import_module("matplotlib.figure")
        agg = importlib.import_module("matplotlib.backends.backend_agg")
    except ImportError:
        return None
    return figure, agg


def warm_up() -> None:
    """Import matplotlib in a worker thread now, so the first chart does not wait for it.

    The import takes about a second; a poll being created is the hint that a chart
    will be wanted when it closes.
    """
    if not _warming:
        _warming.append(asyncio.get_running_loop().run_in_executor(None, matplotlib_modules))


def available() -> bool:
    return matplotlib_modules() is not None


def bar_chart(
    title: str,
    labels: Sequence[str],
    counts: Sequence[int],
    voters: int,
    highlight: int | None = None,
) -> bytes | None:
    """A PNG of one bar per option, each labelled `count (share of voters)`."""
    modules = matplotlib_modules()
    if modules is None:
        return None
    figure_module, agg = modules
    rows = len(labels)
    figure = figure_module.Figure(figsize=(7.5, 1.4 + 0.5 * rows), dpi=100)
    agg.FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(rows))
    colors = [HIGHLIGHT if i == highlight else BAR for i in positions]
    axes.barh(positions, list(counts), color=colors)
    axes.set_yticks(
        positions, labels=[textwrap.shorten(t, LABEL_WIDTH, placeholder="…") for t in labels]
    )
    axes.invert_yaxis()
    top = max([*counts, 1])
    axes.set_xlim(0, top * 1.3)
    for position, count in zip(positions, counts, strict=True):
        share = percent(count / voters if voters else 0)
        axes.text(count + top * 0.02, position, f"{number(count)} ({share})", va="center")
    axes.set_title(textwrap.fill(title, 70), loc="left")
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_chart(
    title: str,
    labels: Sequence[str],
    counts: Sequence[int],
    voters: int,
    highlight: int | None = None,
) -> bytes | None:
    """`bar_chart` in a worker thread: drawing takes tens of milliseconds of CPU."""
    return await asyncio.to_thread(bar_chart, title, labels, counts, voters, highlight)
