"""Signals features send each other on the core bus (`ctx.emit`), never by import.

A feature that wants to react to another one's news listens with
`@feature.on(SignalType)`; the sender does not know who listens. Signals are
delivered inside the same unit of work as the event that caused them, so a
listener's writes commit (or roll back) together with the sender's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Ref


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    """Question tracking: `answerer`'s answer to `asker`'s question was accepted."""

    question_id: int
    asker: Ref
    answerer: Ref
    accepted_by: Ref
    topic: str | None = None
