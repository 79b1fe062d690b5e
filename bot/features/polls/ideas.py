"""The ideas board: members propose, others support, moderators decide in the open.

The point (seed 004) is that members see their ideas are considered: every status
change is announced where the idea lives and DMed to its author and supporters, and
a declined idea always comes with a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.context import Context, UserError
from bot.features.polls import render_ideas
from bot.features.polls.config import PollsConfig
from bot.features.polls.service import refresh_after_commit
from bot.features.polls.store import Idea, IdeaStatus, IdeaStore, PollStore, Post, PostKind
from bot.i18n import _, using_locale
from bot.model import Block, Level, MemberRecord, Outgoing, Ref
from bot.ports import Directory
from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_TITLE = 150
MAX_DETAILS = 2000
BOARD_SIZE = 10
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
STATUS_WORDS = {
    "new": IdeaStatus.NEW,
    "open": IdeaStatus.NEW,
    "planned": IdeaStatus.PLANNED,
    "in-progress": IdeaStatus.IN_PROGRESS,
    "in_progress": IdeaStatus.IN_PROGRESS,
    "progress": IdeaStatus.IN_PROGRESS,
    "done": IdeaStatus.DONE,
    "declined": IdeaStatus.DECLINED,
}


def store(ctx: Context) -> IdeaStore:
    return ctx.repo(IdeaStore)  # type: ignore[type-abstract]


def split_idea(text: str) -> tuple[str, str]:
    """The first sentence (or line) is the title, the rest the details."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError(
            _("Describe your idea: /idea Dark mode for the website. It would help at night.")
        )
    parts = _FIRST_SENTENCE.split(cleaned, maxsplit=1)
    title = " ".join(parts[0].split()).rstrip(".")
    details = parts[1].strip() if len(parts) > 1 else ""
    if len(title) > MAX_TITLE:
        raise UserError(
            _(
                "Start with a short first sentence: it becomes the idea's title "
                "({max} characters at most). Put the details after it.",
                max=MAX_TITLE,
            )
        )
    if len(details) > MAX_DETAILS:
        raise UserError(_("Please keep the details under {max} characters.", max=MAX_DETAILS))
    return title, details


def parse_status(word: str) -> IdeaStatus:
    found = STATUS_WORDS.get(word.strip().lower())
    if found is None:
        raise UserError(
            _(
                "{word!r} is not a status. Use one of: planned, in-progress, done, declined, new.",
                word=word,
            )
        )
    return found


async def _board_channel(ctx: Context, here: Ref | None) -> Ref:
    if here is None:
        raise UserError(_("Propose ideas in a channel, not in a direct message."))
    name = ctx.config_of(PollsConfig).ideas_channel
    if name:
        found = await ctx.directory.find_channel(here.platform, here.workspace, name)
        if found is not None:
            return found
        log.warning("ideas_channel %r not found on %s; posting where /idea was used", name, here)
    return here


async def propose(ctx: Context, title: str, details: str, *, where: Ref | None) -> Idea:
    """Post the idea on the board (`where` the member asked: the fallback channel)."""
    actor = ctx.member()
    channel = await _board_channel(ctx, where)
    idea = await store(ctx).create(channel, title, details, author=actor.person_id, at=ctx.now())
    text, blocks = public(ctx.runtime, idea, actor.label)
    posted = 0
    for target in [channel, *await ctx.bridged(channel)]:
        ref = await ctx.send(Outgoing(text, blocks, channel=target))
        if ref is not None:
            await ctx.repo(PollStore).add_post(PostKind.IDEA, idea.id, Post(ref, target))  # type: ignore[type-abstract]
            posted += 1
    if not posted:
        raise UserError(_("I could not post your idea. Please try again later."))
    return idea


def public(runtime: Runtime, idea: Idea, author: str | None) -> tuple[str, tuple[Block, ...]]:
    """The idea's message as everyone sees it, in the community's language."""
    with using_locale(runtime.config.bot.language):
        return render_ideas.idea_message(idea, author)


async def find(ctx: Context, idea_id: int) -> Idea:
    idea = await store(ctx).get(idea_id)
    if idea is None:
        raise UserError(_("There is no idea #{id}. /ideas lists them.", id=idea_id))
    return idea


async def support(ctx: Context, idea_id: int) -> tuple[Idea, bool]:
    """Toggle the actor's support; True when they support it afterwards."""
    actor = ctx.member()
    idea = await find(ctx, idea_id)
    if not idea.status.votable:
        raise UserError(
            _(
                "Idea #{id} is {status}; it no longer takes support.",
                id=idea.id,
                status=render_ideas.status_name(idea.status),
            )
        )
    supported = await store(ctx).toggle(idea_id, actor.person_id)
    request_refresh(ctx, idea_id)
    return await find(ctx, idea_id), supported


def request_refresh(ctx: Context, idea_id: int) -> None:
    """Re-render every copy of the idea once this event has committed (coalesced)."""
    refresh_after_commit(ctx, "idea", idea_id, _refresh)


async def _refresh(runtime: Runtime, idea_id: int) -> None:
    async with runtime.storage.unit_of_work() as uow:
        ideas: IdeaStore = uow.get(IdeaStore)  # type: ignore[type-abstract]
        idea = await ideas.get(idea_id)
        if idea is None:
            return
        posts = await uow.get(PollStore).posts(PostKind.IDEA, idea_id)  # type: ignore[type-abstract]
        author = await _author(uow.get(Directory), idea)  # type: ignore[type-abstract]
    text, blocks = public(runtime, idea, author)
    for post in posts:
        try:
            await runtime.port(post.message.platform).edit(post.message, Outgoing(text, blocks))
        except Exception as error:
            log.info("could not update idea message %s: %s", post.message, error)


async def _author(directory: Directory, idea: Idea) -> str | None:
    if idea.author is None:
        return None
    accounts = await directory.accounts_of(idea.author)
    return accounts[0].label if accounts else None


async def change_status(
    ctx: Context, idea_id: int, status: IdeaStatus, note: str
) -> tuple[Idea, int]:
    """Set the status, announce it where the idea lives, DM the people who care."""
    ctx.require(Level.MODERATOR)
    idea = await find(ctx, idea_id)
    note = " ".join(note.split())
    if status is IdeaStatus.DECLINED and not note:
        raise UserError(
            _(
                "Say why it is declined, so people know it was considered: "
                "/idea status {id} declined Out of scope for this year.",
                id=idea_id,
            )
        )
    if status is idea.status and note == idea.note:
        raise UserError(
            _(
                "Idea #{id} is already {status}.",
                id=idea_id,
                status=render_ideas.status_name(status),
            )
        )
    await store(ctx).set_status(idea_id, status, note, ctx.now())
    updated = await find(ctx, idea_id)
    request_refresh(ctx, idea_id)
    by = ctx.actor.label if ctx.actor else None
    await ctx.send(Outgoing(public_update(ctx.runtime, updated, by), channel=updated.channel))
    notified = 0
    if ctx.config_of(PollsConfig).notify_idea_voters:
        notified = await _notify(ctx, updated)
    return updated, notified


def public_update(runtime: Runtime, idea: Idea, by: str | None) -> str:
    with using_locale(runtime.config.bot.language):
        return render_ideas.status_announcement(idea, by)


async def _notify(ctx: Context, idea: Idea) -> int:
    """DM the author and every supporter (not the moderator who changed it)."""
    author = [idea.author] if idea.author is not None else []
    people = list(dict.fromkeys([*author, *await store(ctx).supporters(idea.id)]))
    me = ctx.actor.person_id if ctx.actor else None
    sent = 0
    for person in people:
        if person == me:
            continue
        account = await _account_near(ctx, person, idea.channel)
        if account is None:
            continue
        with ctx.speaking_to(account):
            text = render_ideas.status_dm(idea, mine=person == idea.author)
        if ctx.deliver(Outgoing(text, dm=account.ref)):
            sent += 1
    return sent


async def _account_near(ctx: Context, person_id: int, channel: Ref) -> MemberRecord | None:
    accounts = [a for a in await ctx.directory.accounts_of(person_id) if a.active]
    for account in accounts:
        if (account.ref.platform, account.ref.workspace) == (channel.platform, channel.workspace):
            return account
    return accounts[0] if accounts else None


async def board(ctx: Context, view: str | None) -> tuple[str, Sequence[Idea]]:
    """`/ideas [top|new|<status>]`: the view's name and its ideas."""
    here = ctx.channel.ref if ctx.channel else (ctx.actor.ref if ctx.actor else None)
    if here is None:
        return "top", []
    word = (view or "top").strip().lower()
    if word in ("top", "new"):
        found = await store(ctx).search(
            here.platform,
            here.workspace,
            status=None,
            newest_first=word == "new",
            limit=BOARD_SIZE,
        )
        return word, found
    status = parse_status(word)
    found = await store(ctx).search(
        here.platform, here.workspace, status=status, newest_first=False, limit=BOARD_SIZE
    )
    return status.value, found
