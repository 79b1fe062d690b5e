"""The pairing rule on its own: who mentors whom, and in which order of preference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.onboarding.pairing import Candidate, Match, Seeker, choose, hours_apart

AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def mentor(
    pid: int,
    *topics: str,
    load: int = 0,
    language: str = "en",
    timezone: str = "UTC",
    days_ago: int = 10,
) -> Candidate:
    return Candidate(pid, topics, load, language, timezone, AT - timedelta(days=days_ago))


def seeker(*topics: str, language: str = "en", timezone: str = "UTC") -> Seeker:
    return Seeker(100, topics, language, timezone)


def pick(
    who: Seeker, *candidates: Candidate, limit: int = 3, exclude: frozenset[int] = frozenset()
) -> Match | None:
    return choose(who, candidates, limit=limit, exclude=exclude, at=AT)


def test_a_shared_topic_is_required_when_the_newcomer_named_topics() -> None:
    assert pick(seeker("rust"), mentor(1, "python")) is None
    assert pick(seeker("rust"), mentor(1, "python"), mentor(2, "rust", load=2)) == Match(2, "rust")


def test_any_topic_mentors_come_only_after_topic_mentors() -> None:
    assert pick(seeker("rust"), mentor(1), mentor(2, "rust", load=2)) == Match(2, "rust")
    assert pick(seeker("rust"), mentor(1), mentor(2, "python")) == Match(1, None)


def test_a_newcomer_without_topics_may_get_anyone() -> None:
    assert pick(seeker(), mentor(1, "python", load=1), mentor(2, "rust")) == Match(2, None)


def test_full_excluded_and_self_are_never_chosen() -> None:
    assert pick(seeker(), mentor(1, load=3)) is None
    assert pick(seeker(), mentor(1), exclude=frozenset({1})) is None
    assert pick(seeker(), mentor(100)) is None


def test_order_load_then_language_then_time_zone_then_shared_topics_then_seniority() -> None:
    busy_same = mentor(1, "rust", load=1, language="nb")
    idle_other = mentor(2, "rust", language="en")
    assert pick(seeker("rust", language="nb"), busy_same, idle_other) == Match(2, "rust")
    same_language = mentor(3, "rust", language="nb", timezone="Asia/Tokyo")
    near = mentor(4, "rust", language="en", timezone="Europe/Oslo")
    assert pick(seeker("rust", language="nb", timezone="Europe/Berlin"), same_language, near) == (
        Match(3, "rust")
    )
    far = mentor(5, language="en", timezone="Asia/Tokyo")
    close = mentor(6, language="en", timezone="Europe/Berlin")
    assert pick(seeker(timezone="Europe/Oslo"), far, close) == Match(6, None)
    one = mentor(7, "rust")
    two = mentor(8, "rust", "design")
    assert pick(seeker("rust", "design"), one, two) == Match(8, "rust")
    older = mentor(9, days_ago=30)
    newer = mentor(10, days_ago=1)
    assert pick(seeker(), newer, older) == Match(9, None)


def test_hours_apart_wraps_around_midnight_and_tolerates_unknown_zones() -> None:
    assert hours_apart("Pacific/Auckland", "Pacific/Honolulu", AT) == 1  # 13 vs -10 → 23 → 1
    assert hours_apart("Europe/Oslo", "UTC", AT) == 1
    assert hours_apart("Nowhere/City", "UTC", AT) == 0
