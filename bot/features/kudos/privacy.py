"""Data requests: what kudos exports about a person, and how it forgets them.

Forgetting keeps what others earned: kudos the person gave stay counted for their
receivers, without the giver's name or words; welcomes and mentoring others did for
the person stay counted, pointing to nobody; removals a forgotten moderator made stay
in the audit without them. What the person received, their badges,
streak and spotlights go with the schema-wide erase that follows this hook.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.features.kudos import board_privacy
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.service import achievements, ledger, newcomer_subject


async def forget_person(ctx: Context, person_id: int) -> None:
    await ledger(ctx).release_giver(person_id)
    await ledger(ctx).release_moderator(person_id)
    await achievements(ctx).anonymize_subject(newcomer_subject(person_id))


async def export_person(ctx: Context, person_id: int) -> dict[str, Any]:
    cfg = ctx.config_of(KudosConfig)
    book = ledger(ctx)
    rows = (await book.history(person_id, None)).entries
    awarded = await achievements(ctx).badges_of(person_id)
    hidden = await board_privacy.privacy(ctx).hidden_since(person_id)
    return {
        "received_points": await book.received_points(person_id),
        "given": await book.given_count(person_id),
        "kudos": [
            {
                "id": k.id,
                "direction": "given" if k.giver_person_id == person_id else "received",
                "points": k.points,
                "source": k.source.value,
                "emoji": k.emoji,
                "topic": k.topic,
                "reason": k.reason,
                "at": k.given_at.isoformat(),
                # Removed by a moderator: when and why (not who: that is the moderator's).
                "removed": (
                    {"at": e.removal.removed_at.isoformat(), "reason": e.removal.reason}
                    if e.removal is not None
                    else None
                ),
            }
            for e in rows
            for k in (e.kudos,)
        ],
        "hidden_from_boards_since": hidden.isoformat() if hidden is not None else None,
        "badges": [
            {
                "badge": a.badge,
                "name": rule.name if (rule := cfg.badge(a.badge)) else a.badge,
                "awarded_at": a.awarded_at.isoformat(),
            }
            for a in awarded
        ],
        "streak_best_days": await achievements(ctx).best_streak(person_id),
    }
