"""Sentiment: a number computed in memory, stored with the fact, never the text."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from bot import sentiment
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
    # Two posts from two people: their mean would be theirs, not the community's.
    assert "Tone" not in text


async def test_tone_is_shown_from_five_posts_of_three_people() -> None:
    async with metrics(sentiment=True) as h:
        for name in ("carol", "dave", "erin"):
            await h.say(name, LOVE)
        await h.say("carol", "This is awful, I hate it")
        four = (await h.command("alice", "/stats week"))[-1].text
        await h.say("dave", "This is awful, I hate it")
        five = (await h.command("alice", "/stats week"))[-1].text
        stored = [value for kind, value in await scores(h) if kind == "message"]
    assert "Tone" not in four  # four posts: not yet
    mean = sum(stored) / 5
    assert line(five, "Tone:") == (
        f"Tone: {mean:+.2f} (from 5 scored posts; -1 negative … +1 positive)"
    )


async def test_one_poster_on_a_platform_reveals_no_score() -> None:
    """`/stats day slack` with one poster there would be that person's own tone."""
    async with metrics(sentiment=True) as h:
        slack = await h.add_platform("slack", workspace="T1")
        for name in ("carol", "dave", "erin"):
            await h.say(name, LOVE)
            await h.say(name, "Thanks, that was helpful")
        for _ in range(5):
            await h.on(slack, slack.say("carol", "general", "This is awful, I hate it"))
        both = (await h.command("alice", "/stats day"))[-1].text
        only_slack = (await h.command("alice", "/stats day slack"))[-1].text
    assert line(both, "Tone:").startswith("Tone: ")  # 11 posts from 4 people
    assert "Tone" not in only_slack


async def test_daily_tone_is_hidden_on_days_with_too_few_people() -> None:
    from bot.features.metrics.compute import daily, period_of
    from tests.features.metrics.test_report import context

    async with metrics(sentiment=True) as h:
        for name in ("carol", "dave", "erin", "carol", "dave"):
            await h.say(name, LOVE)
        await h.tick("1d")
        for _ in range(5):
            await h.say("carol", LOVE)
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = context(h, uow)
            days = await daily(ctx, period_of(ctx, "2d"))
    monday, tuesday = days
    assert monday.sentiment is not None and monday.sentiment > 0.5
    assert tuesday.sentiment is None  # carol alone


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


class RecordingScorer(ThreadPoolExecutor):
    """Stands in for the scoring process and remembers each batch it was handed."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.batches: list[dict[str, str]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.batches.append(dict(args[0]))
        return super().submit(fn, *args, **kwargs)


async def test_a_batch_is_scored_by_the_scorer_not_on_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scorer = RecordingScorer()
    monkeypatch.setattr(sentiment, "_scorer", lambda: scorer)
    async with metrics(sentiment=True) as h:
        await h.say("carol", LOVE)
        await h.react("dave", 1, "👍")
        stored = await scores(h)
    scorer.shutdown()
    assert [list(batch.values()) for batch in scorer.batches] == [[LOVE]]
    assert stored[0][1] is not None and stored[0][1] > 0.5 and stored[1] == ("reaction", None)


async def test_the_scorer_is_a_process_of_its_own() -> None:
    """VADER is pure Python: only another process takes it off this interpreter."""
    child = await asyncio.get_running_loop().run_in_executor(sentiment._scorer(), os.getpid)
    assert child != os.getpid()


def test_only_the_first_sentences_of_a_long_post_are_scored() -> None:
    long = LOVE + " " + "This is awful, I hate it. " * 200
    part = sentiment.scored_part(long)
    assert len(part) <= sentiment.MAX_CHARS and long.startswith(part)
    assert long[len(part)] == " "  # cut between two words, not inside one
    assert polarity(long) == polarity(part)
