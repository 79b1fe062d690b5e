"""The tone of a message as one number, computed in memory; the text is never kept.

When `[features.metrics] sentiment = true`, the dispatcher scores the messages it
records and stores only the number (-1 negative … +1 positive) with the activity
fact; metrics report averages, never a member's score.

The model is VADER (vaderSentiment), an offline English lexicon with rules for
negation, intensifiers, emoji and punctuation. It knows no Norwegian, Latvian,
Finnish or Ukrainian words, so only members whose language is listed in
`sentiment_languages` (default English) are scored; other messages get no score
rather than a misleading neutral one.

VADER's cost grows faster than the text (0.1 ms for 100 characters, about 1 ms for
300, 12-20 ms for 2,000), so only the first `MAX_CHARS` characters are scored: the
tone of a post shows in its first sentences. Scoring runs in a process of its own,
for a whole group-commit batch at once, while the batch's unit of work runs
(`Scoring`): VADER is pure Python, so in a thread it would still take turns with the
event loop for the interpreter; in its own process it uses another core, and the
event loop never waits for a lexicon.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import signal
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.model import MemberRecord, MessagePosted

if TYPE_CHECKING:
    from bot.model import Event
    from bot.ports import ActivityFact
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

# About 1 ms of VADER at most per message; a longer post is cut at a word boundary.
MAX_CHARS = 300


@cache
def _scorer() -> Executor:
    """The scoring process, started on first use (only when sentiment is on).

    Spawned, not forked: the bot has threads (database drivers, charts) that a fork
    would copy mid-flight. It loads the lexicon as it starts.
    """
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_child_start)


def _child_start() -> None:
    """In the scoring process: Ctrl-C is for the bot, which stops it; load the lexicon."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _analyzer()


@cache
def _analyzer() -> Any:
    """VADER's analyzer (its lexicon loads once, in about 10 ms), or None if not installed."""
    try:
        module = importlib.import_module("vaderSentiment.vaderSentiment")
    except ImportError:
        return None
    return module.SentimentIntensityAnalyzer()


def scored_part(text: str) -> str:
    """The first `MAX_CHARS` characters of `text`, not ending in half a word."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    if not text[MAX_CHARS].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut


def polarity(text: str) -> float | None:
    """VADER's compound score of `text` (its first `MAX_CHARS` characters), or None when
    there is nothing to score."""
    analyzer = _analyzer()
    if analyzer is None or not text.strip():
        return None
    return float(analyzer.polarity_scores(scored_part(text))["compound"])


def _enabled(runtime: Runtime) -> Any:
    """The metrics section when sentiment is on, else None."""
    section = runtime.enabled_features().get("metrics")
    return section if section is not None and getattr(section, "sentiment", False) else None


def to_score(runtime: Runtime, event: Event, record: MemberRecord | None) -> bool:
    """Whether this event's fact gets a tone score: a message, sentiment on, and the
    member's language one VADER reads."""
    section = _enabled(runtime)
    if section is None or not isinstance(event, MessagePosted):
        return False
    bot = runtime.config.bot
    channel = event.message.channel.name
    language = (
        bot.language_for(record.locale, record.platform_locale, channel)
        if record
        else bot.language_for(None, None, channel)
    )
    wanted = getattr(section, "sentiment_languages", ("en",))
    return language in wanted


async def warm_up() -> None:
    """Start the scoring process now instead of with the first batch (about a second)."""
    await asyncio.get_running_loop().run_in_executor(_scorer(), polarity, "ready")


def _score_all(texts: Mapping[str, str]) -> dict[str, float | None]:
    """Run in the scoring process: each text's score, by event id."""
    return {event_id: polarity(text) for event_id, text in texts.items()}


class Scoring:
    """A batch's tone scores, computed in the scoring process while the batch runs.

    `start` hands the process every message of the batch (before the unit of work
    opens, so the scores are ready when its facts are written); `keep` marks the facts
    that get one (the language is known only once the member was read); `apply`
    waits for the scores and fills those facts in. A scoring process that died leaves
    the batch's facts without a score (logged) and is started again for the next.
    """

    def __init__(self, pending: asyncio.Future[dict[str, float | None]] | None) -> None:
        self._pending = pending
        self._kept: dict[int, str] = {}

    @classmethod
    def start(cls, runtime: Runtime, events: Sequence[Event]) -> Scoring:
        texts = (
            {e.event_id: e.message.text for e in events if isinstance(e, MessagePosted)}
            if _enabled(runtime) is not None
            else {}
        )
        if not texts:
            return cls(None)
        shortened = {event_id: scored_part(text) for event_id, text in texts.items()}
        loop = asyncio.get_running_loop()
        return cls(loop.run_in_executor(_scorer(), _score_all, shortened))

    def keep(self, index: int, event_id: str) -> None:
        """The fact at `index` of the batch's facts is scored with `event_id`'s text."""
        self._kept[index] = event_id

    async def apply(self, facts: list[ActivityFact]) -> list[ActivityFact]:
        if self._pending is None or not self._kept:
            return facts
        try:
            scores = await self._pending
        except BrokenProcessPool:
            log.exception("the sentiment process died; %d posts stay unscored", len(self._kept))
            _scorer.cache_clear()
            return facts
        for index, event_id in self._kept.items():
            facts[index] = replace(facts[index], sentiment=scores.get(event_id))
        return facts
