"""Writing the audit log: every flag, decision and sanction leaves one entry."""

from __future__ import annotations

from bot.context import Context
from bot.features.moderation.store import Case, LogEntry, LogKind, ModLog
from bot.model import Ref


async def record(
    ctx: Context,
    kind: LogKind,
    place: Ref,
    *,
    case_id: int | None = None,
    sanction_id: int | None = None,
    actor: int | None = None,
    subject: int | None = None,
    detail: str = "",
) -> None:
    """Append one entry; `place` is any ref on the platform and workspace concerned."""
    entry = LogEntry(
        at=ctx.now(),
        platform=place.platform,
        workspace=place.workspace,
        kind=kind,
        case_id=case_id,
        sanction_id=sanction_id,
        actor=actor,
        subject=subject,
        detail=detail,
    )
    await ctx.repo(ModLog).write([entry])  # type: ignore[type-abstract]


async def record_case(
    ctx: Context, kind: LogKind, case: Case, *, actor: int | None = None, detail: str = ""
) -> None:
    """An entry about a case: at its message's place, its author as the subject."""
    await record(
        ctx,
        kind,
        case.message,
        case_id=case.id,
        actor=actor,
        subject=case.author_person_id,
        detail=detail,
    )
