"""Data requests: what growth exports about a person, and how it forgets them.

Forgetting keeps the audit trail honest for others: grants and invitations the
person made as an admin stay, without their name. Their invites, referrals (either
side), perks, grants and invitations go with the schema-wide erase that follows.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.features.growth import grants
from bot.features.growth.pipeline import invitations
from bot.features.growth.referrals import book, referrals

EXPORT_LOG = 1000


async def forget_person(ctx: Context, person_id: int) -> None:
    await grants.perks(ctx).release_actor(person_id)


async def export_person(ctx: Context, person_id: int) -> dict[str, Any]:
    invited = await referrals(ctx).of_referrer(person_id)
    mine = await referrals(ctx).of_newcomer(person_id)
    return {
        "invites": [
            {
                "platform": i.platform,
                "kind": i.kind.value,
                "code": i.code,
                "url": i.url,
                "created_at": i.created_at.isoformat(),
            }
            for i in await book(ctx).of_person(person_id)
        ],
        "invited": [
            {"status": r.status.value, "via": r.via.value, "joined_at": r.joined_at.isoformat()}
            for r in invited
        ],
        "invited_by_someone": mine is not None,
        "perks": [
            {"role": p.role, "source": p.source.value, "granted_at": p.granted_at.isoformat()}
            for p in await grants.perks(ctx).held(person_id)
        ],
        "grants": [
            {
                "role": e.role,
                "action": e.action.value,
                "source": e.source.value,
                "reason": e.reason,
                "at": e.at.isoformat(),
            }
            for e in await grants.perks(ctx).history(person_id, EXPORT_LOG)
        ],
        "invitations": [
            {"track": i.track, "status": i.status, "created_at": i.created_at.isoformat()}
            for i in await invitations(ctx).of_person(person_id)
        ],
    }
