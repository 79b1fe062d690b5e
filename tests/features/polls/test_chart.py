"""Results charts: a PNG from matplotlib when installed, a clear text note when not."""

from __future__ import annotations

import pytest

from adapters.memory.community import Posted
from bot.features.polls import chart
from bot.model import Context as SmallPrint
from bot.model import Image
from bot.testing import Harness

POLL = '/poll "Lunch?" "Pizza" "Soup" --closes 1h'


@pytest.fixture
def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "matplotlib_modules", lambda: None)


async def _results(h: Harness) -> Posted:
    await h.command("alice", POLL)
    await h.click("carol", "Soup")
    posted = await h.tick("1h")
    return next(p for p in posted if p.text.startswith("📊 Results of poll #1"))


@pytest.mark.usefixtures("without_matplotlib")
async def test_without_matplotlib_results_are_text_with_a_note() -> None:
    async with Harness() as h:
        results = await _results(h)
        assert "2. Soup 🏆 — 1 vote (100%)" in results.text
        assert "pip install matplotlib" in results.text
        blocks = results.blocks
        assert not any(isinstance(b, Image) for b in blocks)
        assert any(isinstance(b, SmallPrint) and "matplotlib" in b.text for b in blocks)


@pytest.mark.usefixtures("without_matplotlib")
async def test_charts_turned_off_means_no_note_either() -> None:
    async with Harness(config={"features": {"polls": {"results_chart": False}}}) as h:
        results = await _results(h)
        assert "matplotlib" not in results.text


def test_bar_chart_is_a_non_empty_png() -> None:
    pytest.importorskip("matplotlib")
    png = chart.bar_chart("Lunch on Friday?", ["Pizza", "Soup", "Ķiploku zupa"], [3, 1, 0], 4, 0)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000


def test_bar_chart_survives_no_votes_and_long_labels() -> None:
    pytest.importorskip("matplotlib")
    png = chart.bar_chart("?" * 300, ["x" * 80, "y"], [0, 0], 0)
    assert png is not None and len(png) > 1000


async def test_results_carry_the_chart_when_matplotlib_is_there() -> None:
    pytest.importorskip("matplotlib")
    async with Harness() as h:
        results = await _results(h)
        (image,) = [b for b in results.blocks if isinstance(b, Image)]
        assert image.data is not None and image.data.startswith(b"\x89PNG")
        assert image.filename == "poll-1.png"
        assert "matplotlib" not in results.text
