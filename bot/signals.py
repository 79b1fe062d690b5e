"""Signals features send each other on the core bus (`ctx.emit`), never by import.

A feature that wants to react to another one's news listens with
`@feature.on(SignalType)`; the sender does not know who listens. Signals are
delivered inside the same unit of work as the event that caused them, so a
listener's writes commit (or roll back) together with the sender's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.model import Ref


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    """Question tracking: `answerer`'s answer to `asker`'s question was accepted."""

    question_id: int
    asker: Ref
    answerer: Ref
    accepted_by: Ref
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class QuizAnsweredCorrectly:
    """Polls: when quiz `poll_id` closed, this person had chosen the right answer.

    Sent once per correct answerer (never for anonymous quizzes), so kudos or badges
    can reward them. `member` is the person's account on the quiz's platform.
    """

    poll_id: int
    person_id: int
    member: Ref


@dataclass(frozen=True, slots=True)
class FlagConfirmed:
    """Moderation: a moderator acted on a message this person had flagged (an accurate flag).

    Sent once per member flagger when a case is decided other than "dismiss", so kudos
    can reward members who help keep the community clean. `member` is the flagger's
    account on the flagged message's platform (None if they have none there).
    """

    case_id: int
    person_id: int
    member: Ref | None


@dataclass(frozen=True, slots=True)
class NewcomerWelcomed:
    """`welcomer` welcomed the newcomer `newcomer` (onboarding: e.g. a welcome reply).

    Kudos counts each newcomer once per welcomer for its "welcomed N newcomers" badges
    and the spotlight; it also notices "welcome @newcomer" messages by itself.
    """

    welcomer: Ref
    newcomer: Ref


@dataclass(frozen=True, slots=True)
class MentorPaired:
    """Onboarding paired `mentor` with the newcomer `newcomer` (kudos: "mentor of N")."""

    mentor: Ref
    newcomer: Ref
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileRequested:
    """`/profile` is being shown for `person_id`; listeners add (label, value) lines.

    A collector: the sender (onboarding) emits it, every listener appends to `lines`,
    and the sender renders them once `ctx.emit` returns. Kudos adds kudos and badges.
    `member` is the profile's account on the platform where it is shown.
    """

    person_id: int
    member: Ref
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReferralRewarded:
    """Growth: a referral qualified; `person_id` (referrer or newcomer) earns a reward.

    Sent once per person and referral. Kudos listens: it adds `points` to the person's
    kudos (no giver) and awards `badge` when it is one of its badges. `member` is the
    person's account that is told about it.
    """

    referral_id: int
    person_id: int
    member: Ref
    points: int
    badge: str | None = None
