"""What every part of check-ins needs: the store, the settings, zones and the audience.

Who takes part is decided here, in one place: a member's own choice first (`/checkin
join` or `leave`), else the check-in's roles, onboarding segments or `everyone` (any
one of them is enough); a pause keeps a member in but unasked until it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.context import Context, UserError
from bot.features.checkins import segments
from bot.features.checkins.config import CheckinsConfig
from bot.features.checkins.store import (
    Checkin,
    CheckinStore,
    Delivery,
    Membership,
    Participant,
    Stance,
)
from bot.features.checkins.timing import zone
from bot.i18n import _
from bot.model import MemberRecord, Ref


def store(ctx: Context) -> CheckinStore:
    return ctx.repo(CheckinStore)  # type: ignore[type-abstract]


def settings(ctx: Context) -> CheckinsConfig:
    return ctx.config_of(CheckinsConfig)


def community_zone(ctx: Context) -> str:
    return str(ctx.runtime.config.bot.timezone)


def home_zone(ctx: Context, checkin: Checkin) -> str:
    """The clock of the check-in itself: its summary time, its channel post."""
    return checkin.timezone or community_zone(ctx)


def zone_of(ctx: Context, checkin: Checkin, timezone: str | None) -> str:
    """The clock a member is asked on: the check-in's fixed zone, theirs, or the community's."""
    if checkin.timezone:
        return checkin.timezone
    return zone(timezone, community_zone(ctx)).key


def wanted(
    checkin: Checkin,
    roles: frozenset[str],
    membership: Membership | None,
    segments: frozenset[str] = frozenset(),
) -> bool:
    """Whether a member belongs to the check-in (pauses aside)."""
    stance = membership.stance if membership else Stance.NONE
    if stance is Stance.LEFT:
        return False
    if stance is Stance.JOINED:
        return True
    return checkin.everyone or bool(checkin.roles & roles) or bool(checkin.segments & segments)


def paused(membership: Membership | None, now: datetime) -> bool:
    until = membership.paused_until if membership else None
    return until is not None and until > now


async def audience(ctx: Context, checkin: Checkin, now: datetime) -> list[Participant]:
    """The people to ask now (channel check-ins ask nobody in private)."""
    if checkin.delivery is Delivery.CHANNEL:
        return []
    memberships = await store(ctx).memberships(checkin.id)
    in_segments = await segments.of_people(ctx, store(ctx), checkin.segments)
    return [
        p
        for p in await store(ctx).participants()
        if wanted(
            checkin,
            p.roles,
            memberships.get(p.person_id),
            in_segments.get(p.person_id, frozenset()),
        )
        and not paused(memberships.get(p.person_id), now)
    ]


async def find(ctx: Context, name: str) -> Checkin:
    found = await store(ctx).by_name(name.strip().lower())
    if found is None:
        raise UserError(
            _("There is no check-in called {name!r}. /checkin list shows them.", name=name)
        )
    return found


async def mine(ctx: Context, name: str | None) -> list[tuple[Checkin, Membership | None]]:
    """The named check-in, or every one the actor belongs to, with their membership."""
    actor = me(ctx)
    memberships = await store(ctx).memberships_of(actor.person_id)
    if name:
        checkin = await find(ctx, name)
        return [(checkin, memberships.get(checkin.id))]
    roles = await roles_of(ctx, actor)
    checkins = await store(ctx).all()
    in_segments = await segments_of(ctx, actor, checkins)
    found = [
        (c, memberships.get(c.id))
        for c in checkins
        if c.delivery is Delivery.DM and wanted(c, roles, memberships.get(c.id), in_segments)
    ]
    if not found:
        raise UserError(
            _(
                "You take part in no check-in. /checkin list shows them, "
                "/checkin join NAME adds you."
            )
        )
    return found


async def roles_of(ctx: Context, member: MemberRecord) -> frozenset[str]:
    """The roles of all the person's accounts (a role on Discord counts on Slack too)."""
    accounts = await ctx.directory.accounts_of(member.person_id)
    return frozenset(role for account in accounts for role in account.roles) | member.roles


async def segments_of(
    ctx: Context, member: MemberRecord, checkins: Sequence[Checkin]
) -> frozenset[str]:
    """The segments, among those these check-ins ask, that the person is in."""
    names = {name for checkin in checkins for name in checkin.segments}
    found = await segments.of_people(ctx, store(ctx), names, member.person_id)
    return found.get(member.person_id, frozenset())


def me(ctx: Context) -> MemberRecord:
    if ctx.actor is None:
        raise UserError(_("Only a member can do that."))
    return ctx.actor


async def resolve_channel(ctx: Context, channel: str | None) -> Ref | None:
    """A stored channel: a ref from a command, or a name from the config file."""
    if not channel:
        return None
    if channel.count(":") >= 2:
        return Ref.parse(channel)
    for platform in ctx.runtime.ports:
        found = await ctx.directory.find_channel(platform, None, channel)
        if found is not None:
            return found
    return None


def names(participants: Sequence[Participant]) -> dict[int, str]:
    return {p.person_id: p.name for p in participants}
