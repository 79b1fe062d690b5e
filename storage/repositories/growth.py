"""Growth on SQLAlchemy Core (SQLite and PostgreSQL).

Nothing here is a hot path: invites and referrals change when members join, perks
when the review runs. `Contributions` reads the kudos and activity tables read-only
and aggregates in SQL (one grouped query per kind of deed), so the weekly report
and the threshold review never load rows one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.growth.store import (
    Action,
    Contributions,
    GrantEntry,
    Invitation,
    Invitations,
    InviteBook,
    InviteKind,
    NewInvite,
    NewReferral,
    Perk,
    Perks,
    Referral,
    ReferralCounts,
    Referrals,
    Rising,
    Source,
    Standing,
    Status,
    TrackedInvite,
    Via,
)
from storage.repositories import implements
from storage.schema import activity
from storage.sql import insert_ignore
from storage.tables.growth import (
    growth_grants,
    growth_invitations,
    growth_invites,
    growth_perks,
    growth_referrals,
)
from storage.tables.kudos import kudos, kudos_facts, kudos_totals

MESSAGE_KINDS = ("message", "reply")
OVERALL_TOPIC = ""  # kudos_totals' row for points in every topic


def _invite(row: Row[Any]) -> TrackedInvite:
    return TrackedInvite(
        id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        workspace=row.workspace,
        code=row.code,
        url=row.url,
        kind=InviteKind(row.kind),
        uses=row.uses,
        unclaimed=row.unclaimed,
        noticed_at=row.noticed_at,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


@implements(InviteBook)
class SqlInviteBook:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, invite: NewInvite) -> TrackedInvite:
        values = {
            "person_id": invite.person_id,
            "platform": invite.platform,
            "workspace": invite.workspace,
            "code": invite.code,
            "url": invite.url,
            "kind": invite.kind.value,
            "uses": invite.uses,
            "unclaimed": 0,
            "created_at": invite.created_at,
            "expires_at": invite.expires_at,
        }
        stmt = growth_invites.insert().values(**values).returning(*growth_invites.c)
        return _invite((await self.conn.execute(stmt)).one())

    async def mine(
        self, person_id: int, platform: str, workspace: str, kind: InviteKind
    ) -> TrackedInvite | None:
        query = (
            select(growth_invites)
            .where(
                growth_invites.c.person_id == person_id,
                growth_invites.c.platform == platform,
                growth_invites.c.workspace == workspace,
                growth_invites.c.kind == kind.value,
            )
            .order_by(growth_invites.c.id.desc())
            .limit(1)
        )
        row = (await self.conn.execute(query)).first()
        return _invite(row) if row else None

    async def get(self, invite_id: int) -> TrackedInvite | None:
        query = select(growth_invites).where(growth_invites.c.id == invite_id)
        row = (await self.conn.execute(query)).first()
        return _invite(row) if row else None

    async def by_code(self, code: str, platform: str | None = None) -> TrackedInvite | None:
        wanted = code.strip()
        base = select(growth_invites).order_by(growth_invites.c.id.desc()).limit(1)
        if platform is not None:
            base = base.where(growth_invites.c.platform == platform)
        row = (await self.conn.execute(base.where(growth_invites.c.code == wanted))).first()
        if row is None:
            typed = base.where(func.upper(growth_invites.c.code) == wanted.upper())
            row = (await self.conn.execute(typed)).first()
        return _invite(row) if row else None

    async def links(self, platform: str, workspace: str) -> Sequence[TrackedInvite]:
        query = (
            select(growth_invites)
            .where(
                growth_invites.c.platform == platform,
                growth_invites.c.workspace == workspace,
                growth_invites.c.kind == InviteKind.LINK.value,
            )
            .order_by(growth_invites.c.id)
        )
        return [_invite(r) for r in await self.conn.execute(query)]

    async def observe(
        self, invite_id: int, uses: int, unclaimed: int, noticed_at: datetime | None
    ) -> None:
        await self.conn.execute(
            update(growth_invites)
            .where(growth_invites.c.id == invite_id)
            .values(uses=uses, unclaimed=unclaimed, noticed_at=noticed_at)
        )

    async def of_person(self, person_id: int) -> Sequence[TrackedInvite]:
        query = (
            select(growth_invites)
            .where(growth_invites.c.person_id == person_id)
            .order_by(growth_invites.c.id)
        )
        return [_invite(r) for r in await self.conn.execute(query)]


def _referral(row: Row[Any]) -> Referral:
    return Referral(
        id=row.id,
        referrer_person_id=row.referrer_person_id,
        newcomer_person_id=row.newcomer_person_id,
        via=Via(row.via),
        joined_at=row.joined_at,
        status=Status(row.status),
        decided_at=row.decided_at,
        invite_id=row.invite_id,
    )


@implements(Referrals)
class SqlReferrals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, referral: NewReferral) -> Referral | None:
        stmt = (
            insert_ignore(self.conn, growth_referrals, "newcomer_person_id")
            .values(
                referrer_person_id=referral.referrer_person_id,
                newcomer_person_id=referral.newcomer_person_id,
                invite_id=referral.invite_id,
                via=referral.via.value,
                joined_at=referral.joined_at,
                status=Status.PENDING.value,
            )
            .returning(*growth_referrals.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _referral(row) if row else None

    async def get(self, referral_id: int) -> Referral | None:
        query = select(growth_referrals).where(growth_referrals.c.id == referral_id)
        row = (await self.conn.execute(query)).first()
        return _referral(row) if row else None

    async def of_newcomer(self, person_id: int) -> Referral | None:
        query = select(growth_referrals).where(growth_referrals.c.newcomer_person_id == person_id)
        row = (await self.conn.execute(query)).first()
        return _referral(row) if row else None

    async def of_referrer(self, person_id: int) -> Sequence[Referral]:
        query = (
            select(growth_referrals)
            .where(growth_referrals.c.referrer_person_id == person_id)
            .order_by(growth_referrals.c.id)
        )
        return [_referral(r) for r in await self.conn.execute(query)]

    async def pending_count(self, referrer_person_id: int) -> int:
        query = select(func.count()).where(
            growth_referrals.c.referrer_person_id == referrer_person_id,
            growth_referrals.c.status == Status.PENDING.value,
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def decide(self, referral_id: int, status: Status, at: datetime) -> bool:
        result = await self.conn.execute(
            update(growth_referrals)
            .where(
                growth_referrals.c.id == referral_id,
                growth_referrals.c.status == Status.PENDING.value,
            )
            .values(status=status.value, decided_at=at)
        )
        return bool(result.rowcount)

    async def top(self, limit: int) -> Sequence[tuple[int, int, int]]:
        rewarded = func.sum(case((growth_referrals.c.status == Status.REWARDED.value, 1), else_=0))
        query = (
            select(growth_referrals.c.referrer_person_id, rewarded.label("rewarded"), func.count())
            .group_by(growth_referrals.c.referrer_person_id)
            .order_by(rewarded.desc(), func.count().desc(), growth_referrals.c.referrer_person_id)
            .limit(limit)
        )
        return [(int(p), int(r or 0), int(n)) for p, r, n in await self.conn.execute(query)]

    async def every(self, limit: int) -> Sequence[Referral]:
        query = select(growth_referrals).order_by(growth_referrals.c.id).limit(limit)
        return [_referral(r) for r in await self.conn.execute(query)]

    async def counts(self, since: datetime, until: datetime) -> ReferralCounts:
        joined = select(func.count()).where(
            growth_referrals.c.joined_at >= since, growth_referrals.c.joined_at < until
        )
        rewarded = select(func.count()).where(
            growth_referrals.c.status == Status.REWARDED.value,
            growth_referrals.c.decided_at >= since,
            growth_referrals.c.decided_at < until,
        )
        return ReferralCounts(
            joined=int((await self.conn.execute(joined)).scalar_one()),
            rewarded=int((await self.conn.execute(rewarded)).scalar_one()),
        )


def _perk(row: Row[Any]) -> Perk:
    return Perk(
        person_id=row.person_id,
        role=row.role,
        source=Source(row.source),
        granted_at=row.granted_at,
        on_platform=bool(row.on_platform),
    )


@implements(Perks)
class SqlPerks:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def grant(self, perk: Perk) -> bool:
        stmt = insert_ignore(self.conn, growth_perks, "person_id", "role").values(
            person_id=perk.person_id,
            role=perk.role,
            source=perk.source.value,
            granted_at=perk.granted_at,
            on_platform=int(perk.on_platform),
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def revoke(self, person_id: int, role: str) -> Perk | None:
        stmt = (
            delete(growth_perks)
            .where(growth_perks.c.person_id == person_id, growth_perks.c.role == role)
            .returning(*growth_perks.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _perk(row) if row else None

    async def held(self, person_id: int) -> Sequence[Perk]:
        query = (
            select(growth_perks)
            .where(growth_perks.c.person_id == person_id)
            .order_by(growth_perks.c.granted_at, growth_perks.c.role)
        )
        return [_perk(r) for r in await self.conn.execute(query)]

    async def holders(self) -> Mapping[int, Mapping[str, Source]]:
        found: dict[int, dict[str, Source]] = {}
        query = select(growth_perks.c.person_id, growth_perks.c.role, growth_perks.c.source)
        for person_id, role, source in await self.conn.execute(query):
            found.setdefault(person_id, {})[role] = Source(source)
        return found

    async def log(self, entry: GrantEntry) -> None:
        await self.conn.execute(
            growth_grants.insert().values(
                person_id=entry.person_id,
                role=entry.role,
                action=entry.action.value,
                source=entry.source.value,
                reason=entry.reason[:300],
                by_person_id=entry.by_person_id,
                at=entry.at,
            )
        )

    async def history(self, person_id: int | None, limit: int) -> Sequence[GrantEntry]:
        query = select(growth_grants).order_by(growth_grants.c.id.desc()).limit(limit)
        if person_id is not None:
            query = query.where(growth_grants.c.person_id == person_id)
        return [
            GrantEntry(
                id=r.id,
                person_id=r.person_id,
                role=r.role,
                action=Action(r.action),
                source=Source(r.source),
                reason=r.reason,
                at=r.at,
                by_person_id=r.by_person_id,
            )
            for r in await self.conn.execute(query)
        ]

    async def granted_count(self, since: datetime, until: datetime) -> int:
        query = select(func.count()).where(
            growth_grants.c.action == Action.GRANT.value,
            growth_grants.c.at >= since,
            growth_grants.c.at < until,
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def release_actor(self, person_id: int) -> int:
        grants = await self.conn.execute(
            update(growth_grants)
            .where(growth_grants.c.by_person_id == person_id)
            .values(by_person_id=None)
        )
        invitations = await self.conn.execute(
            update(growth_invitations)
            .where(growth_invitations.c.invited_by == person_id)
            .values(invited_by=None)
        )
        return int(grants.rowcount) + int(invitations.rowcount)


def _invitation(row: Row[Any]) -> Invitation:
    return Invitation(
        id=row.id,
        person_id=row.person_id,
        track=row.track,
        role=row.role,
        invited_by=row.invited_by,
        status=row.status,
        created_at=row.created_at,
        answered_at=row.answered_at,
    )


@implements(Invitations)
class SqlInvitations:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def open(
        self, person_id: int, track: str, role: str, by: int | None, at: datetime
    ) -> Invitation | None:
        waiting = select(func.count()).where(
            growth_invitations.c.person_id == person_id,
            growth_invitations.c.track == track,
            growth_invitations.c.status == "pending",
        )
        if (await self.conn.execute(waiting)).scalar_one():
            return None
        stmt = (
            growth_invitations.insert()
            .values(
                person_id=person_id,
                track=track,
                role=role,
                invited_by=by,
                status="pending",
                created_at=at,
            )
            .returning(*growth_invitations.c)
        )
        return _invitation((await self.conn.execute(stmt)).one())

    async def get(self, invitation_id: int) -> Invitation | None:
        query = select(growth_invitations).where(growth_invitations.c.id == invitation_id)
        row = (await self.conn.execute(query)).first()
        return _invitation(row) if row else None

    async def answer(self, invitation_id: int, accepted: bool, at: datetime) -> bool:
        result = await self.conn.execute(
            update(growth_invitations)
            .where(
                growth_invitations.c.id == invitation_id,
                growth_invitations.c.status == "pending",
            )
            .values(status="accepted" if accepted else "declined", answered_at=at)
        )
        return bool(result.rowcount)

    async def of_person(self, person_id: int) -> Sequence[Invitation]:
        query = (
            select(growth_invitations)
            .where(growth_invitations.c.person_id == person_id)
            .order_by(growth_invitations.c.id)
        )
        return [_invitation(r) for r in await self.conn.execute(query)]


@implements(Contributions)
class SqlContributions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def standings(
        self, person_ids: Sequence[int], min_kudos: int, min_answers: int
    ) -> Mapping[int, Standing]:
        points = func.sum(kudos_totals.c.points)
        reached_kudos = (
            select(kudos_totals.c.person_id, points)
            .where(kudos_totals.c.topic == OVERALL_TOPIC)
            .group_by(kudos_totals.c.person_id)
        )
        answers = func.count()
        reached_answers = (
            select(kudos_facts.c.person_id, answers)
            .where(kudos_facts.c.kind == "answer")
            .group_by(kudos_facts.c.person_id)
        )
        ids = list(person_ids)
        kudos_wanted = [points >= min_kudos] if min_kudos else []
        answers_wanted = [answers >= min_answers] if min_answers else []
        if ids:
            kudos_wanted.append(kudos_totals.c.person_id.in_(ids))
            answers_wanted.append(kudos_facts.c.person_id.in_(ids))
        found_kudos: dict[int, int] = {}
        found_answers: dict[int, int] = {}
        if kudos_wanted:
            query = reached_kudos.having(or_(*kudos_wanted))
            found_kudos = {int(p): int(n) for p, n in await self.conn.execute(query)}
        if answers_wanted:
            query = reached_answers.having(or_(*answers_wanted))
            found_answers = {int(p): int(n) for p, n in await self.conn.execute(query)}
        everyone = set(ids) | set(found_kudos) | set(found_answers)
        missing_kudos = [p for p in everyone if p not in found_kudos]
        if missing_kudos:  # someone reached answers only: their kudos count too
            more = reached_kudos.having(kudos_totals.c.person_id.in_(missing_kudos))
            found_kudos.update({int(p): int(n) for p, n in await self.conn.execute(more)})
        missing_answers = [p for p in everyone if p not in found_answers]
        if missing_answers:
            more = reached_answers.having(kudos_facts.c.person_id.in_(missing_answers))
            found_answers.update({int(p): int(n) for p, n in await self.conn.execute(more)})
        return {
            p: Standing(kudos=found_kudos.get(p, 0), answers=found_answers.get(p, 0))
            for p in everyone
        }

    async def last_message(self, person_ids: Sequence[int]) -> Mapping[int, datetime]:
        if not person_ids:
            return {}
        query = (
            select(activity.c.person_id, func.max(activity.c.at))
            .where(
                activity.c.person_id.in_(list(person_ids)),
                activity.c.kind.in_(MESSAGE_KINDS),
            )
            .group_by(activity.c.person_id)
        )
        return {int(p): at for p, at in await self.conn.execute(query)}

    async def messages_since(self, person_id: int, since: datetime) -> int:
        query = select(func.count()).where(
            activity.c.person_id == person_id,
            activity.c.kind.in_(MESSAGE_KINDS),
            activity.c.at >= since,
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def rising(
        self, previous: datetime, since: datetime, until: datetime
    ) -> Sequence[Rising]:
        messages = await self._grouped(
            select(activity.c.person_id, func.count())
            .where(
                activity.c.kind.in_(MESSAGE_KINDS),
                activity.c.at >= since,
                activity.c.at < until,
            )
            .group_by(activity.c.person_id)
        )
        before = await self._grouped(
            select(activity.c.person_id, func.count())
            .where(
                activity.c.kind.in_(MESSAGE_KINDS),
                activity.c.at >= previous,
                activity.c.at < since,
            )
            .group_by(activity.c.person_id)
        )
        received = await self._grouped(
            select(kudos.c.receiver_person_id, func.sum(kudos.c.points))
            .where(kudos.c.given_at >= since, kudos.c.given_at < until)
            .group_by(kudos.c.receiver_person_id)
        )
        facts: dict[str, dict[int, int]] = {}
        for kind in ("answer", "flag", "welcome"):
            facts[kind] = await self._grouped(
                select(kudos_facts.c.person_id, func.count())
                .where(
                    and_(
                        kudos_facts.c.kind == kind,
                        kudos_facts.c.at >= since,
                        kudos_facts.c.at < until,
                    )
                )
                .group_by(kudos_facts.c.person_id)
            )
        people = set(messages) | set(received) | {p for f in facts.values() for p in f}
        return [
            Rising(
                person_id=p,
                messages=messages.get(p, 0),
                previous_messages=before.get(p, 0),
                answers=facts["answer"].get(p, 0),
                kudos=received.get(p, 0),
                flags=facts["flag"].get(p, 0),
                welcomes=facts["welcome"].get(p, 0),
            )
            for p in sorted(people)
        ]

    async def _grouped(self, query: Any) -> dict[int, int]:
        return {int(p): int(n or 0) for p, n in await self.conn.execute(query)}
