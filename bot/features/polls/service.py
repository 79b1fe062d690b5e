"""The rules of polls and quizzes: starting one, voting, keeping its message current.

Plain async functions over a `Context` (repositories, clock, config, ports); no
platform types and no SQL. What a valid poll is lives in `spec.py`, closing and
results in `closing.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.args import Suggestion, matching
from bot.context import Context, UserError
from bot.features.polls import chart, render
from bot.features.polls.anonymity import new_secret, voter_token
from bot.features.polls.config import PollsConfig
from bot.features.polls.deadline import parse_closes
from bot.features.polls.refresh import REFRESHER
from bot.features.polls.store import (
    Poll,
    PollSpec,
    PollStore,
    Post,
    PostKind,
    Tally,
    Voter,
)
from bot.i18n import _, using_locale
from bot.model import Block, Level, MemberRecord, Outgoing, Ref
from bot.ports import Directory
from bot.runtime import Runtime
from bot.text import one_line

log = logging.getLogger(__name__)

CLOSE_JOB = "close"


def close_key(poll_id: int) -> str:
    return f"polls:close:{poll_id}"


def polls(ctx: Context) -> PollStore:
    return ctx.repo(PollStore)  # type: ignore[type-abstract]


def config(ctx: Context) -> PollsConfig:
    return ctx.config_of(PollsConfig)


def member_timezone(ctx: Context) -> str:
    actor = ctx.actor
    return (actor.timezone if actor else None) or ctx.runtime.config.bot.timezone


# --- starting a poll ---------------------------------------------------------------------


def check_may_create(ctx: Context, channel: Ref) -> None:
    ctx.require(Level(config(ctx).create_level))
    here = ctx.channel
    if here is not None and channel != here.ref and not ctx.level.allows(Level.MODERATOR):
        raise UserError(
            _(
                "Only moderators can post polls in another channel; run {command} there instead.",
                command="/" + ctx.command_path("poll"),
            )
        )


def resolve_closes(ctx: Context, closes: str | None) -> datetime | None:
    settings = config(ctx)
    text = closes if closes is not None else settings.default_closes
    if not text:
        return None
    return parse_closes(
        text, now=ctx.now(), timezone=member_timezone(ctx), max_days=settings.max_days
    )


async def start_poll(
    ctx: Context,
    spec: PollSpec,
    channel: Ref,
    *,
    closes_at: datetime | None,
    creator: MemberRecord | None,
    schedule_id: int | None = None,
) -> Poll:
    """Store the poll, arm its deadline and post it (in bridged channels too)."""
    store = polls(ctx)
    poll = await store.create(
        spec,
        channel,
        creator=creator.person_id if creator else None,
        at=ctx.now(),
        closes_at=closes_at,
        secret=new_secret() if spec.anonymous else None,
        schedule_id=schedule_id,
    )
    if closes_at is not None:
        await ctx.schedule(close_key(poll.id), CLOSE_JOB, closes_at, {"poll_id": poll.id})
    if config(ctx).results_chart:
        chart.warm_up()
    text, blocks = public_message(
        ctx.runtime, poll, _empty(poll), creator.label if creator else None
    )
    posted = 0
    for target in [channel, *await ctx.bridged(channel)]:
        ref = await ctx.send(Outgoing(text, blocks, channel=target))
        if ref is not None:
            await store.add_post(PostKind.POLL, poll.id, Post(ref, target))
            posted += 1
    if not posted:
        raise UserError(
            _("I could not post the poll there. Check that I may write in that channel.")
        )
    return poll


def _empty(poll: Poll) -> Tally:
    return Tally((0,) * len(poll.spec.options), 0)


def public_message(
    runtime: Runtime, poll: Poll, tally: Tally, creator: str | None
) -> tuple[str, tuple[Block, ...]]:
    """The poll message as everyone sees it: in the community's language and time zone."""
    settings: PollsConfig = runtime.feature_config("polls")
    with using_locale(runtime.config.bot.language):
        return render.poll_message(
            poll,
            tally,
            live_results=settings.live_results,
            timezone=runtime.config.bot.timezone,
            creator=creator,
        )


async def person_label(ctx: Context, person_id: int) -> str:
    accounts = await ctx.directory.accounts_of(person_id)
    return accounts[0].label if accounts else ""


async def creator_label(ctx: Context, poll: Poll) -> str | None:
    if poll.creator is None:
        return None
    accounts = await ctx.directory.accounts_of(poll.creator)
    return accounts[0].label if accounts else None


# --- voting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteResult:
    poll: Poll
    option: int
    chosen: tuple[int, ...]
    now_chosen: bool


async def vote(ctx: Context, poll_id: int, option: int) -> VoteResult:
    """The hot path: one poll read, one or two statements, then a coalesced refresh."""
    actor = ctx.member()
    store = polls(ctx)
    poll = await store.get(poll_id)
    if poll is None:
        raise UserError(_("This poll no longer exists."))
    if not poll.is_open:
        raise UserError(
            _("Poll #{id} is closed. See the results with /poll results {id}.", id=poll.id)
        )
    if not 0 <= option < len(poll.spec.options):
        raise UserError(_("That option is not part of poll #{id}.", id=poll.id))
    voter = _voter(poll, actor.person_id)
    now_chosen = await store.toggle(poll.id, voter, option, multi=poll.spec.multi)
    if poll.spec.multi:
        chosen = await store.choices(poll.id, voter)
    else:
        chosen = (option,) if now_chosen else ()
    request_refresh(ctx, poll.id)  # hidden polls still show how many have voted
    return VoteResult(poll, option, chosen, now_chosen)


def _voter(poll: Poll, person_id: int) -> Voter:
    if poll.spec.anonymous:
        assert poll.secret is not None, "an open anonymous poll always has its secret"
        return Voter(token=voter_token(poll.secret, person_id))
    return Voter(person_id=person_id)


def refresh_interval(runtime: Runtime) -> float:
    """Seconds between edits of one message; none on the virtual clock (console, tests)."""
    if runtime.scheduler.virtual:
        return 0.0
    settings: PollsConfig = runtime.feature_config("polls")
    return settings.live_update_seconds


def refresh_after_commit(
    ctx: Context, kind: str, item_id: int, render: Callable[[Runtime, int], Awaitable[None]]
) -> None:
    """Re-render every copy of a poll or an idea once this event has committed (coalesced).

    `render` runs in a unit of work of its own, after the vote is visible to it.
    """
    runtime = ctx.runtime

    async def refresh() -> None:
        await REFRESHER.request(
            (kind, id(runtime), item_id),
            lambda: render(runtime, item_id),
            refresh_interval(runtime),
        )

    ctx.work.after_commit.append(refresh)


def request_refresh(ctx: Context, poll_id: int) -> None:
    """Re-render every copy of the poll once this event has committed (coalesced)."""
    refresh_after_commit(ctx, "poll", poll_id, _refresh)


async def _refresh(runtime: Runtime, poll_id: int) -> None:
    async with runtime.storage.unit_of_work() as uow:
        store: PollStore = uow.get(PollStore)  # type: ignore[type-abstract]
        poll = await store.get(poll_id)
        if poll is None:
            return
        tally = await store.tally(poll)
        posts = await store.posts(PostKind.POLL, poll_id)
        creator = None
        if poll.creator is not None:
            directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
            accounts = await directory.accounts_of(poll.creator)
            creator = accounts[0].label if accounts else None
    text, blocks = public_message(runtime, poll, tally, creator)
    await edit_all(runtime, posts, text, blocks)


async def edit_all(
    runtime: Runtime, posts: Sequence[Post], text: str, blocks: tuple[Block, ...]
) -> None:
    for post in posts:
        try:
            await runtime.port(post.message.platform).edit(post.message, Outgoing(text, blocks))
        except Exception as error:  # a deleted message or a platform outage must not spread
            log.info("could not update poll message %s: %s", post.message, error)


# --- looking at polls ------------------------------------------------------------------------


async def find_poll(ctx: Context, poll_id: int) -> Poll:
    poll = await polls(ctx).get(poll_id)
    if poll is None:
        raise UserError(_("There is no poll #{id}. /poll list shows the open ones.", id=poll_id))
    return poll


def may_manage(ctx: Context, poll: Poll) -> bool:
    """The poll's creator and moderators may close it and peek at hidden counts."""
    mine = ctx.actor is not None and ctx.actor.person_id == poll.creator
    return mine or ctx.level.allows(Level.MODERATOR)


async def listing(ctx: Context, *, open_only: bool) -> list[tuple[Poll, Tally]]:
    here = ctx.channel.ref if ctx.channel else (ctx.actor.ref if ctx.actor else None)
    if here is None:
        return []
    store = polls(ctx)
    found = await store.recent(here.platform, here.workspace, open_only=open_only, limit=15)
    return [(poll, await store.tally(poll)) for poll in found]


async def suggest_polls(ctx: Context, typed: str) -> list[Suggestion]:
    """The community's recent polls for autocomplete, open ones first: `#3 Which day?`."""
    if ctx.actor is None:
        return []
    here = ctx.actor.ref
    found = await polls(ctx).recent(here.platform, here.workspace, open_only=False, limit=50)
    ordered = sorted(found, key=lambda poll: not poll.is_open)
    return matching(
        typed,
        [Suggestion(str(p.id), f"#{p.id} {one_line(p.spec.question, limit=90)}") for p in ordered],
    )


async def voter_names(ctx: Context, poll_id: int) -> tuple[Poll, list[list[str]]]:
    """Who chose what, for moderators; anonymous polls refuse."""
    ctx.require(Level.MODERATOR)
    poll = await find_poll(ctx, poll_id)
    if poll.spec.anonymous:
        raise UserError(
            _(
                "Poll #{id} is anonymous: nobody can see who voted for what, moderators included.",
                id=poll.id,
            )
        )
    names: list[list[str]] = [[] for _option in poll.spec.options]
    for person, option in await polls(ctx).voters(poll.id):
        names[option].append(await person_label(ctx, person) or _("a former member"))
    return poll, names
