"""The rules of announcements: who may post, where copies go, pins, acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

from bot.args import Suggestion, matching
from bot.context import Context, UserError
from bot.features.announcements import render
from bot.features.announcements.config import AnnouncementsConfig
from bot.features.announcements.store import Ack, Announcement, AnnouncementStore, Reader
from bot.i18n import _
from bot.model import Button, Buttons, ButtonStyle, Capability, Level, Outgoing, Ref, Section
from bot.ports import CapabilityMissing, PlatformRefused
from bot.text import one_line

ACK_ACTION = "ack"


def config(ctx: Context) -> AnnouncementsConfig:
    return ctx.config_of(AnnouncementsConfig)


def store(ctx: Context) -> AnnouncementStore:
    return ctx.repo(AnnouncementStore)  # type: ignore[type-abstract]


def number(word: str) -> int:
    """`3` or `#3` → 3, or a sentence saying what was expected."""
    cleaned = word.strip().lstrip("#")
    if not cleaned.isdigit():
        raise UserError(_("{value!r} is not an announcement number; write it like 3.", value=word))
    return int(cleaned)


async def suggest(ctx: Context, typed: str) -> list[Suggestion]:
    """Recent announcements for autocomplete, newest first: `#3 The server moves …`."""
    if ctx.actor is None:
        return []
    here = ctx.actor.ref
    found = await store(ctx).recent(here.platform, here.workspace, 50)
    return matching(
        typed, [Suggestion(str(a.id), f"#{a.id} {one_line(a.text, limit=90)}") for a in found]
    )


async def find(ctx: Context, announcement_id: int) -> Announcement:
    found = await store(ctx).get(announcement_id)
    if found is None:
        raise UserError(
            _(
                "There is no announcement #{id}. /announce list shows the latest.",
                id=announcement_id,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Posted:
    announcement: Announcement
    posts: tuple[Ref, ...]
    pinned: tuple[Ref, ...]
    notes: tuple[str, ...]


async def announce(
    ctx: Context, channel: Ref, text: str, *, pin: bool, all_platforms: bool, ack: bool
) -> Posted:
    """Post the announcement (and its bridged copies), pin it, remember where it went."""
    ctx.require(Level(config(ctx).level))
    if not text.strip():
        raise UserError(
            _("Write the message after the channel: /announce #news Storm warning tonight")
        )
    author = ctx.actor.person_id if ctx.actor else None
    made = await store(ctx).create(
        channel, author, text.strip(), pin=pin, ack=ack, all_platforms=all_platforms, at=ctx.now()
    )
    async with ctx.in_public(channel):
        out = Outgoing(render.post_text(made), _blocks(ctx, made), channel=channel)
    notes: list[str] = []
    if all_platforms:
        posts = await ctx.send_bridged(out)
        if len(posts) == 1:
            notes.append(
                _(
                    "{channel} is not bridged with a channel on another running platform "
                    "([[bridges]] in the config), so it is posted here only.",
                    channel=ctx.channel_mention(channel),
                )
            )
    else:
        sent = await ctx.send(out)
        posts = [sent] if sent is not None else []
    if not posts:
        raise UserError(
            _(
                "I could not post in {channel}. Check that the bot may write there.",
                channel=ctx.channel_mention(channel),
            )
        )
    await store(ctx).add_posts(made.id, posts)
    pinned: list[Ref] = []
    if pin:
        pinned, refusals = await _pin(ctx, posts)
        notes += refusals
    if ack:
        notes += [
            _(
                "On {platform} there are no buttons: members confirm with /announce ack {id}.",
                platform=p.platform,
                id=made.id,
            )
            for p in posts
            if not ctx.can(p.platform, Capability.BUTTONS)
        ]
    return Posted(made, tuple(posts), tuple(pinned), tuple(notes))


def _blocks(ctx: Context, made: Announcement) -> tuple[Section | Buttons, ...]:
    if not made.ack:
        return ()
    button = Button(
        ctx.feature.action_id(ACK_ACTION, made.id), config(ctx).ack_label, style=ButtonStyle.PRIMARY
    )
    return (Buttons((button,)),)


async def _pin(ctx: Context, posts: list[Ref]) -> tuple[list[Ref], list[str]]:
    """Pin every copy where the platform can; say where it could not (never fail)."""
    pinned: list[Ref] = []
    notes: list[str] = []
    for post in posts:
        if not ctx.can(post.platform, Capability.PIN):
            notes.append(
                _("{platform} cannot pin messages; posted unpinned there.", platform=post.platform)
            )
            continue
        try:
            await ctx.port(post.platform).pin(post)
        except (CapabilityMissing, PlatformRefused) as refused:
            notes.append(
                _("Not pinned on {platform}: {reason}", platform=post.platform, reason=refused)
            )
        else:
            pinned.append(post)
    return pinned, notes


async def acknowledge(ctx: Context, announcement_id: int) -> tuple[Announcement, bool]:
    """The actor confirms they read it; False when they had confirmed already."""
    if ctx.actor is None:
        raise UserError(_("Only members can acknowledge announcements."))
    found = await find(ctx, announcement_id)
    if not found.ack:
        raise UserError(_("Announcement #{id} does not ask for acknowledgement.", id=found.id))
    fresh = await store(ctx).acknowledge(found.id, ctx.actor.person_id, ctx.actor.ref, ctx.now())
    return found, fresh


@dataclass(frozen=True, slots=True)
class Status:
    announcement: Announcement
    acknowledged: tuple[tuple[Reader, Ack], ...]
    pending: tuple[Reader, ...]


async def status(ctx: Context, announcement_id: int) -> Status:
    """Who of the announcement's audience confirmed, and who has not yet."""
    ctx.require(Level(config(ctx).level))
    found = await find(ctx, announcement_id)
    if not found.ack:
        raise UserError(
            _(
                "Announcement #{id} did not ask for acknowledgement (post with --ack to track it).",
                id=found.id,
            )
        )
    readers = await store(ctx).readers(found.workspaces)
    acks = {a.person_id: a for a in await store(ctx).acks(found.id)}
    by_person = {r.person_id: r for r in readers}
    acknowledged: list[tuple[Reader, Ack]] = []
    for pid, ack in acks.items():
        reader = by_person.get(pid)
        if reader is None:  # left since, or acknowledged from another workspace
            record = await ctx.directory.get(ack.member)
            reader = Reader(pid, ack.member, record.label if record else ack.member.id)
        acknowledged.append((reader, ack))
    pending = [
        r for r in readers if r.person_id not in acks and r.person_id != found.author_person_id
    ]
    return Status(found, tuple(acknowledged), tuple(pending))


async def remind(ctx: Context, announcement_id: int) -> int:
    """DM everyone who has not confirmed yet, with the button; returns how many."""
    found = await status(ctx, announcement_id)
    made = found.announcement
    sent = 0
    for reader in found.pending:
        record = await ctx.directory.get(reader.member)
        if record is None:
            continue
        with ctx.speaking_to(record):
            text = render.reminder(made)
            blocks = (
                _blocks(ctx, made) if ctx.can(reader.member.platform, Capability.BUTTONS) else ()
            )
            if ctx.dm(reader.member, text, blocks=blocks):
                sent += 1
    return sent
