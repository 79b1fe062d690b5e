"""The ambassador pipeline: a weekly report of rising contributors, one-click invitations.

The report weighs deeds (accepted answers, accurate flags, newcomers welcomed, kudos
received) above chatter and rewards growth against the weeks before. An admin's
click sends the member a DM they can accept or decline; accepting grants the
track's role, and either answer is noted in the admins' channel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context, UserError
from bot.features.growth import grants, render
from bot.features.growth.referrals import account_of, config, contributions, name_of
from bot.features.growth.store import Invitation, Invitations, Rising, Source
from bot.i18n import _
from bot.model import ButtonPressed, Level, Outgoing, Ref

NOMINATE = "nominate"
ANSWER = "answer"


def invitations(ctx: Context) -> Invitations:
    return ctx.repo(Invitations)  # type: ignore[type-abstract]


async def build(ctx: Context, until: datetime, platform: str) -> tuple[render.Message, int]:
    """The report as members of `platform` see it (their names, the tracks they lack),
    and how many members it names."""
    cfg = config(ctx)
    span = timedelta(days=cfg.report_days)
    since = until - span
    found = await contributions(ctx).rising(since - span, since, until)
    ranked = sorted(found, key=lambda r: (-r.score, r.person_id))
    rows: list[tuple[str, Rising]] = []
    buttons: list[tuple[str, list[tuple[str, str]]]] = []
    for rising in ranked:
        if len(rows) >= cfg.report_size:
            break
        member = await account_of(ctx, rising.person_id, platform)
        if member is None:
            continue  # left since: nobody to invite
        held = {p.role.casefold() for p in await grants.perks(ctx).held(rising.person_id)}
        held |= {r.casefold() for r in member.roles}
        offers = [
            (
                ctx.feature.action_id(NOMINATE, rising.person_id, track),
                render.invite_to(member.label, track),
            )
            for track, role in cfg.tracks.items()
            if role.casefold() not in held
        ]
        rows.append((member.label, rising))
        buttons.append((member.label, offers))
    return render.report(since, until, rows, buttons, ctx.reader_zone), len(rows)


async def weekly(ctx: Context, fire_time: datetime) -> None:
    """The job: post the report in the admins' channel on every platform that has it.

    A quiet week posts nothing: admins should not learn to skip the report.
    """
    cfg = config(ctx)
    for platform in ctx.runtime.ports:
        channel = await ctx.directory.find_channel(platform, None, cfg.report_channel)
        if channel is None:
            continue
        (text, blocks), named = await build(ctx, fire_time, platform)
        if named:
            await ctx.send(Outgoing(text, blocks, channel=channel))


async def nominate(ctx: Context, event: ButtonPressed) -> str:
    """An admin clicked "Invite to <track>": the member gets a DM to accept or decline."""
    ctx.require(Level.ADMIN)
    admin = ctx.member()
    person_id, track = _nominee(event.action_id)
    cfg = config(ctx)
    role = cfg.tracks.get(track)
    if role is None:
        raise UserError(_("The track {track} is no longer configured.", track=track))
    member = await account_of(ctx, person_id, admin.ref.platform)
    if member is None:
        raise UserError(_("That member has left the community."))
    if any(p.role.casefold() == role.casefold() for p in await grants.perks(ctx).held(person_id)):
        return render.already_holds(member.label, role)
    opened = await invitations(ctx).open(person_id, track, role, admin.person_id, ctx.now())
    if opened is None:
        return render.invitation_open(member.label, track)
    accept = ctx.feature.action_id(ANSWER, opened.id, "yes")
    decline = ctx.feature.action_id(ANSWER, opened.id, "no")
    with ctx.speaking_to(member):
        text, blocks = render.invitation(member.label, ctx.community, track, role, accept, decline)
    ctx.deliver(Outgoing(text, blocks, dm=member.ref))
    return render.invitation_sent(member.label, track)


def _nominee(action_id: str) -> tuple[int, str]:
    parts = action_id.split(":")
    try:
        return int(parts[2]), parts[3]
    except (IndexError, ValueError):
        raise UserError(_("That button is out of date; open a fresh report.")) from None


async def answer(ctx: Context, event: ButtonPressed) -> str | None:
    """The member accepted or declined: grant the role, thank them, tell the admins.

    Returns the reply when it could not replace the invitation message.
    """
    member = ctx.member()
    parts = event.action_id.split(":")
    try:
        invitation_id, yes = int(parts[2]), parts[3] == "yes"
    except (IndexError, ValueError):
        raise UserError(_("That button is out of date.")) from None
    found = await invitations(ctx).get(invitation_id)
    if found is None or found.person_id != member.person_id:
        raise UserError(_("This invitation is not for you."))
    if not await invitations(ctx).answer(found.id, yes, ctx.now()):
        raise UserError(_("You already answered this invitation. Thank you!"))
    if yes:
        reason = _("accepted the invitation to the {track}", track=found.track)
        await grants.grant(
            ctx, member.person_id, found.role, Source.PIPELINE, reason, by=found.invited_by
        )
        reply = render.accepted(found.track, found.role)
    else:
        reply = render.declined()
    await _tell_admins(ctx, member.ref, found, yes)
    if event.message is None:
        return reply
    # The invitation itself now says how it ended: its buttons have done their job.
    await ctx.port(event.platform).edit(event.message, Outgoing(reply))
    return None


async def _tell_admins(ctx: Context, where: Ref, invitation: Invitation, yes: bool) -> None:
    """In the admins' channel, else privately to the admin who sent the invitation."""
    name = await name_of(ctx, invitation.person_id, where.platform)
    text = render.answered_note(name, invitation.track, yes)
    report_channel = config(ctx).report_channel
    if report_channel:
        channel = await ctx.directory.find_channel(where.platform, where.workspace, report_channel)
        if channel is not None:
            await ctx.send(Outgoing(text, channel=channel))
            return
    admin = (
        await account_of(ctx, invitation.invited_by, where.platform)
        if invitation.invited_by is not None
        else None
    )
    if admin is not None:
        ctx.deliver(Outgoing(text, dm=admin.ref))
