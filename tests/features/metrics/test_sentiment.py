"""Sentiment: a number computed in memory, stored with the fact, never the text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sentiment import polarity
from bot.testing import Harness
from storage.schema import activity, load_all
from tests.features.metrics.conftest import line, metrics

LOVE = "I absolutely love this wonderful community, thank you!"


async def scores(h: Harness) -> list[Any]:
    engine = h.runtime.storage.engine
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(activity.c.kind, activity.c.sentiment).order_by(activity.c.id)
        )
        return [(kind, value) for kind, value in rows.all()]


async def every_stored_value(h: Harness) -> list[Any]:
    """Every value in every table: where the message text would be, if it were kept."""
    found: list[Any] = []
    async with h.runtime.storage.engine.connect() as conn:
        for table in load_all().sorted_tables:
            if table.name.endswith(("_fts", "_data", "_idx", "_docsize", "_config", "_content")):
                continue
            for row in (await conn.execute(select(table))).all():
                found.extend(row)
    return found


def test_the_lexicon_scores_english_tone() -> None:
    positive, negative = polarity(LOVE), polarity("This is awful, I hate it")
    assert positive is not None and positive > 0.5
    assert negative is not None and negative < -0.5
    assert polarity("   ") is None


async def test_scores_are_numbers_and_the_text_is_nowhere() -> None:
    async with metrics(sentiment=True) as h:
        await h.say("carol", LOVE)
        await h.say("bob", "This is awful, I hate it")
        await h.react("dave", 1, "👍")
        stored = await scores(h)
        values = await every_stored_value(h)
        text = (await h.command("alice", "/stats week"))[-1].text
    (kind1, love), (kind2, hate), (kind3, reaction) = stored
    assert (kind1, kind2, kind3) == ("message", "message", "reaction")
    assert isinstance(love, float) and love > 0.5
    assert isinstance(hate, float) and hate < -0.5
    assert reaction is None
    assert not [v for v in values if isinstance(v, str) and ("love" in v or "awful" in v)]
    tone = line(text, "Tone:")
    assert tone.startswith(f"Tone: {(love + hate) / 2:+.2f} (from 2 scored posts")


async def test_only_listed_languages_are_scored() -> None:
    async with metrics(sentiment=True) as h:
        await h.join("olav")
        await h.command("olav", "/language nb")
        await h.say("olav", "Dette er helt fantastisk, tusen takk!")
        await h.say("carol", LOVE)
        stored = [s for k, s in await scores(h) if k == "message"]
    assert stored[0] is None and stored[1] is not None


async def test_off_by_default(h: Harness) -> None:
    await h.say("carol", LOVE)
    assert [s for _k, s in await scores(h)] == [None]
    assert "Tone" not in (await h.command("alice", "/stats"))[-1].text
