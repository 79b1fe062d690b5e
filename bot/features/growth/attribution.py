"""Which invite link did a newcomer use? Decided by comparing use counts, without I/O.

Discord does not say which invite a member joined with; it only counts uses. When
exactly one tracked link counts more than last time, the newcomer used it. When
several grew at once (two newcomers in the same second, each with a different
link), nobody can tell who used which: those uses are set aside as *unclaimed* and
every newcomer of that burst is asked whose invite they used — a wrong guess would
reward the wrong member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.features.growth.store import TrackedInvite

# Uses set aside this long ago may still belong to a newcomer who joins now.
BURST = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Observed:
    """What to remember about one invite afterwards."""

    uses: int
    unclaimed: int
    noticed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attribution:
    """The invite the newcomer used (or the candidates to ask about) and what changed."""

    used: TrackedInvite | None = None
    candidates: tuple[TrackedInvite, ...] = ()
    updates: Mapping[int, Observed] = field(default_factory=dict)


def attribute(
    tracked: Sequence[TrackedInvite], current: Mapping[str, int], now: datetime
) -> Attribution:
    """Compare `current` use counts with the ones last accounted for in `tracked`."""
    grown = [i for i in tracked if current.get(i.code, i.uses) > i.uses]
    if len(grown) == 1:
        # One link grew (maybe by two: newcomers racing through the same link);
        # this newcomer takes one use, the next one will find the rest.
        only = grown[0]
        return Attribution(
            used=only, updates={only.id: Observed(only.uses + 1, only.unclaimed, only.noticed_at)}
        )
    updates: dict[int, Observed] = {}
    for invite in grown:
        extra = current[invite.code] - invite.uses
        updates[invite.id] = Observed(current[invite.code], invite.unclaimed + extra, now)
    waiting = [
        i
        for i in tracked
        if i not in grown
        and i.unclaimed
        and i.noticed_at is not None
        and now - i.noticed_at <= BURST
    ]
    return Attribution(candidates=tuple(grown + waiting), updates=updates)


def claimed(invite: TrackedInvite) -> Observed | None:
    """A newcomer said they used `invite`: one of its set-aside uses is accounted for."""
    if not invite.unclaimed:
        return None
    return Observed(invite.uses, invite.unclaimed - 1, invite.noticed_at)
