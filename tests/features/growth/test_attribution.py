"""Attribution by use counts, decided without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.growth.attribution import BURST, Observed, attribute, claimed
from bot.features.growth.store import InviteKind, TrackedInvite

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def link(
    id: int, uses: int = 0, unclaimed: int = 0, noticed: datetime | None = None
) -> TrackedInvite:
    return TrackedInvite(
        id,
        id * 10,
        "discord",
        "g",
        f"c{id}",
        f"u{id}",
        InviteKind.LINK,
        uses,
        unclaimed,
        noticed,
        NOW,
        None,
    )


def test_the_one_link_that_grew_is_the_one_used() -> None:
    found = attribute([link(1, 3), link(2, 5)], {"c1": 3, "c2": 6}, NOW)
    assert found.used == link(2, 5)
    assert found.updates == {2: Observed(6, 0, None)}


def test_a_link_that_grew_twice_takes_one_use_per_newcomer() -> None:
    found = attribute([link(1, 0)], {"c1": 2}, NOW)
    assert found.used == link(1, 0) and found.updates[1].uses == 1


def test_several_links_growing_at_once_are_set_aside_and_asked_about() -> None:
    found = attribute([link(1), link(2), link(3)], {"c1": 1, "c2": 1, "c3": 0}, NOW)
    assert found.used is None
    assert [c.id for c in found.candidates] == [1, 2]
    assert found.updates == {1: Observed(1, 1, NOW), 2: Observed(1, 1, NOW)}


def test_a_newcomer_of_the_same_burst_is_asked_too_until_it_is_old() -> None:
    waiting = [link(1, 1, 1, NOW), link(2, 1, 1, NOW)]
    soon = attribute(waiting, {"c1": 1, "c2": 1}, NOW + timedelta(minutes=1))
    assert [c.id for c in soon.candidates] == [1, 2] and not soon.updates
    late = attribute(waiting, {"c1": 1, "c2": 1}, NOW + BURST + timedelta(seconds=1))
    assert late.candidates == () and late.used is None


def test_unknown_and_vanished_codes_change_nothing() -> None:
    found = attribute([link(1, 4)], {"vanity": 9}, NOW)
    assert found.used is None and found.candidates == () and not found.updates


def test_claiming_accounts_for_one_set_aside_use() -> None:
    assert claimed(link(1, 2, 2, NOW)) == Observed(2, 1, NOW)
    assert claimed(link(1, 2)) is None
