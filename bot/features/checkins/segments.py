"""Onboarding segments as a check-in audience, read without importing onboarding.

A segment is a name the onboarding questionnaire gives to some answers (`newbies`,
or `experience:beginner` when an option names none). Features never import each
other (ARCHITECTURE.md), so check-ins find the onboarding section by discovery and
ask it, through the `SegmentSource` protocol below, which answers make each segment;
the check-in repository then reads who gave those answers. Nothing is copied: a
member who changes an answer, or an admin who renames a segment, moves people at the
next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from bot.config import AgoraConfig
from bot.context import Context, UserError
from bot.features.checkins.store import CheckinStore
from bot.i18n import _

ONBOARDING = "onboarding"

# Segment name → the answers (question id, option id) that put a member in it.
Catalogue = Mapping[str, Sequence[tuple[str, str]]]


@runtime_checkable
class SegmentSource(Protocol):
    """A feature section that makes segments (onboarding's, found by discovery)."""

    enabled: bool

    def segment_answers(self) -> Mapping[str, Sequence[tuple[str, str]]]: ...


def catalogue(section: object) -> Catalogue | None:
    """The segments a section offers; None when it makes none or is off."""
    if isinstance(section, SegmentSource) and section.enabled:
        return section.segment_answers()
    return None


def from_config(config: AgoraConfig) -> Catalogue | None:
    """The segments a config file's onboarding section makes (for `agora check`)."""
    from bot.features import feature_models  # discovery at check time only, never an import

    model = feature_models().get(ONBOARDING)
    return catalogue(config.feature(ONBOARDING, model)) if model is not None else None


def running(ctx: Context) -> Catalogue | None:
    """The segments of the running onboarding feature; None when it is not running."""
    if ONBOARDING not in ctx.runtime.registry.features:
        return None
    return catalogue(ctx.runtime.feature_config(ONBOARDING))


def clean(names: Iterable[str]) -> list[str]:
    """Segment names as written (`a, b` in one option or a list), trimmed, once each."""
    found = (part.strip() for name in names for part in name.split(","))
    return list(dict.fromkeys(n for n in found if n))


def known_names(found: Catalogue) -> str:
    return ", ".join(sorted(found)) or _("none")


def require_known(ctx: Context, names: Sequence[str]) -> None:
    """A friendly refusal of segments the questionnaire does not make."""
    if not names:
        return
    found = running(ctx)
    if found is None:
        raise UserError(
            _(
                "Segments come from the onboarding questionnaire, which is off here. "
                "Use --role or --everyone instead."
            )
        )
    unknown = [n for n in names if n not in found]
    if unknown:
        raise UserError(
            _(
                "There is no segment {segment!r}. Segments: {names}.",
                segment=unknown[0],
                names=known_names(found),
            )
        )


async def of_people(
    ctx: Context, store: CheckinStore, names: Iterable[str], person_id: int | None = None
) -> dict[int, frozenset[str]]:
    """Person id → which of `names` they are in (people in none are left out)."""
    found = running(ctx) or {}
    wanted = {name: frozenset(found[name]) for name in set(names) if name in found}
    pairs = sorted({pair for answers in wanted.values() for pair in answers})
    if not pairs:
        return {}
    chosen = await store.onboarding_answers(pairs, person_id)
    people: dict[int, frozenset[str]] = {}
    for person, answers in chosen.items():
        segments = frozenset(name for name, needed in wanted.items() if needed & answers)
        if segments:
            people[person] = segments
    return people
