"""`/announce` and its acknowledgement button, wired to the announcements service."""

from __future__ import annotations

from typing import Any

from bot.args import ChannelArg, FlagArg, TextArg, WordArg
from bot.context import Context, UserError
from bot.features.announcements import render, service
from bot.features.announcements.config import AnnouncementsConfig
from bot.i18n import N_, _
from bot.model import ButtonPressed, Level, Ref
from bot.needs import Need
from bot.registry import Feature
from bot.stats import Figure, Window

feature = Feature(
    "announcements",
    config=AnnouncementsConfig,
    description=N_("Announcements to one or both platforms, pinned, with read confirmations"),
    needs=frozenset({Need.PIN}),
)

NUMBER = WordArg("id", N_("the announcement's number, e.g. 3"), lookup=service.suggest)


@feature.command(
    "announce",
    verb="post",
    help=N_("Post an announcement: /announce #channel message [--pin] [--all-platforms] [--ack]"),
    args=[
        ChannelArg("channel", N_("where to post it")),
        TextArg("message", N_("what to announce")),
        FlagArg("pin", N_("pin it where the platform allows")),
        FlagArg("all-platforms", N_("also post it in the bridged channel on the other platform")),
        FlagArg("ack", N_("members confirm they have read it; see who with /announce status")),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def announce(
    ctx: Context, channel: Ref, message: str, pin: bool, all_platforms: bool, ack: bool
) -> None:
    done = await service.announce(
        ctx, channel, message, pin=pin, all_platforms=all_platforms, ack=ack
    )
    where = [_where(ctx, post) for post in done.posts]
    await ctx.reply(
        render.posted(done.announcement, where, len(done.pinned), done.notes), ephemeral=True
    )


def _where(ctx: Context, post: Ref) -> str:
    return f"{ctx.link(post)} ({post.platform})"


@feature.command(
    "announce status",
    help=N_("Who has read an announcement posted with --ack, and who has not yet"),
    args=[NUMBER],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def announce_status(ctx: Context, id: str) -> None:
    found = await service.status(ctx, service.number(id))
    readers = [reader for reader, _ack in found.acknowledged]
    text = render.status(
        found.announcement, readers, found.pending, limit=service.config(ctx).status_names
    )
    await ctx.reply(text, ephemeral=True)


@feature.command(
    "announce remind",
    help=N_("DM everyone who has not confirmed an announcement yet"),
    args=[NUMBER],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def announce_remind(ctx: Context, id: str) -> None:
    number = service.number(id)
    count = await service.remind(ctx, number)
    made = await service.find(ctx, number)
    await ctx.reply(render.reminded(made, count), ephemeral=True)


@feature.command(
    "announce list",
    help=N_("The latest announcements and how many confirmed them"),
    level=Level.MODERATOR,
    ephemeral=True,
)
async def announce_list(ctx: Context) -> None:
    here = ctx.channel.ref if ctx.channel else (ctx.actor.ref if ctx.actor else None)
    if here is None:
        raise UserError(_("Run this in a channel."))
    found = await service.store(ctx).recent(here.platform, here.workspace, 10)
    counts = await service.store(ctx).ack_counts([a.id for a in found if a.ack])
    await ctx.reply(render.listing(found, counts), ephemeral=True)


@feature.command(
    "announce ack",
    help=N_("Confirm you have read an announcement (where there is no button)"),
    args=[NUMBER],
    ephemeral=True,
)
async def announce_ack(ctx: Context, id: str) -> None:
    made, fresh = await service.acknowledge(ctx, service.number(id))
    await ctx.reply(render.acknowledged(made, fresh), ephemeral=True)


@feature.button(service.ACK_ACTION)
async def on_ack(ctx: Context, event: ButtonPressed) -> None:
    parts = event.action_id.split(":")  # announcements:ack:<id>
    if len(parts) != 3 or not parts[2].isdigit():
        raise UserError(_("This button no longer works."))
    made, fresh = await service.acknowledge(ctx, int(parts[2]))
    await ctx.reply(render.acknowledged(made, fresh), ephemeral=True)


@feature.stats
async def stats(ctx: Context, window: Window) -> list[Figure]:
    posted, tracked, acks = await service.store(ctx).counts(
        window.start, window.end, window.platform
    )
    group = _("Announcements")
    return [
        Figure("announcements_posted", _("Announcements posted"), posted, group=group),
        Figure(
            "announcements_tracked",
            _("Announcements asking for confirmation"),
            tracked,
            group=group,
        ),
        Figure("announcement_acks", _("Read confirmations"), acks, group=group),
    ]


@feature.forget
async def forget(ctx: Context, person_id: int) -> None:
    """Announcements stay (others rely on them) without their author; confirmations go."""
    await service.store(ctx).release_person(person_id)


@feature.export
async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    written, acked = await service.store(ctx).of_person(person_id)
    return {
        "announcements_written": [
            {"id": a.id, "text": a.text, "posted_at": a.created_at.isoformat()} for a in written
        ],
        "announcements_confirmed": [
            {"id": a.id, "text": a.text, "confirmed_at": ack.at.isoformat()} for a, ack in acked
        ],
    }
