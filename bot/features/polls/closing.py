"""Closing a poll: once, then the results — percentages, the chart, a quiz's answer.

Closing happens exactly once: a conditional update in the store, in the same
transaction as the persisted deadline job's claim (or the /poll close command). Only
after that transaction commits are the results drawn (matplotlib in a worker thread)
and posted, and every copy of the poll message shows its final state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.context import Context, UserError
from bot.features.polls import chart, render
from bot.features.polls.config import PollsConfig
from bot.features.polls.service import (
    close_key,
    config,
    creator_label,
    edit_all,
    find_poll,
    may_manage,
    member_timezone,
    person_label,
    polls,
    public_message,
)
from bot.features.polls.store import Poll, PollKind, Post, PostKind, Tally
from bot.i18n import _, using_locale
from bot.model import Block, Capability, Image, Outgoing, Ref
from bot.runtime import Runtime
from bot.signals import QuizAnsweredCorrectly
from bot.text import one_line

log = logging.getLogger(__name__)

WINNERS_SHOWN = 10


async def close_poll(ctx: Context, poll_id: int) -> Poll | None:
    """Close the poll once; None if it was closed already. Results follow the commit."""
    store = polls(ctx)
    if not await store.close(poll_id, ctx.now()):
        return None
    await ctx.cancel(close_key(poll_id))
    poll = await store.get(poll_id)
    assert poll is not None
    tally = await store.tally(poll)
    posts = await store.posts(PostKind.POLL, poll_id)
    winners = await _quiz_winners(ctx, poll)
    names = [await person_label(ctx, person) for person in winners[:WINNERS_SHOWN]]
    creator = await creator_label(ctx, poll)
    if not config(ctx).quiz_announce_winners:
        names, more = [], 0
    else:
        more = max(0, len(winners) - WINNERS_SHOWN)
    runtime = ctx.runtime

    async def announce() -> None:
        await _announce(runtime, poll, tally, posts, [n for n in names if n], more, creator)

    ctx.work.after_commit.append(announce)
    return poll


async def _quiz_winners(ctx: Context, poll: Poll) -> list[int]:
    """People who chose the right answer; each is signalled (kudos may thank them)."""
    correct = poll.spec.correct
    if poll.spec.kind is not PollKind.QUIZ or correct is None or poll.spec.anonymous:
        return []
    winners = [person for person, option in await polls(ctx).voters(poll.id) if option == correct]
    if config(ctx).quiz_signals:
        for person in winners:
            member = await _account_near(ctx, person, poll.channel)
            if member is not None:
                await ctx.emit(QuizAnsweredCorrectly(poll.id, person, member))
    return winners


async def _account_near(ctx: Context, person_id: int, channel: Ref) -> Ref | None:
    """The person's account on the poll's platform (else any of theirs)."""
    accounts = await ctx.directory.accounts_of(person_id)
    for account in accounts:
        if (account.ref.platform, account.ref.workspace) == (channel.platform, channel.workspace):
            return account.ref
    return accounts[0].ref if accounts else None


async def _results(
    runtime: Runtime, poll: Poll, tally: Tally, winners: Sequence[str] = (), more: int = 0
) -> tuple[str, tuple[Block, ...]]:
    settings: PollsConfig = runtime.feature_config("polls")
    picture = None
    if settings.results_chart:
        highlight = poll.spec.correct if poll.spec.kind is PollKind.QUIZ else None
        picture = await chart.render_chart(
            one_line(poll.spec.question, limit=200),
            poll.spec.options,
            tally.counts,
            tally.voters,
            highlight,
        )
    return render.results_message(
        poll,
        tally,
        chart=picture,
        chart_missing=settings.results_chart and picture is None,
        winners=winners,
        more_winners=more,
    )


async def _announce(
    runtime: Runtime,
    poll: Poll,
    tally: Tally,
    posts: Sequence[Post],
    winners: Sequence[str],
    more: int,
    creator: str | None,
) -> None:
    """After the close committed: final state on every copy, results in every channel."""
    text, blocks = public_message(runtime, poll, tally, creator)
    await edit_all(runtime, posts, text, blocks)
    with using_locale(runtime.config.bot.language):
        results_text, results_blocks = await _results(runtime, poll, tally, winners, more)
    channels = list(dict.fromkeys(post.channel for post in posts)) or [poll.channel]
    for channel in channels:
        try:
            port = runtime.port(channel.platform)
            shown = results_blocks
            if Capability.IMAGES not in port.capabilities:
                shown = tuple(b for b in results_blocks if not isinstance(b, Image))
            await port.send(Outgoing(results_text, shown, channel=channel))
        except Exception as error:
            log.warning("could not post results of poll %s in %s: %s", poll.id, channel, error)


async def close_by_command(ctx: Context, poll_id: int) -> Poll:
    poll = await find_poll(ctx, poll_id)
    if not may_manage(ctx, poll):
        raise UserError(
            _("Only the poll's creator or a moderator can close poll #{id}.", id=poll_id)
        )
    closed = await close_poll(ctx, poll_id)
    if closed is None:
        raise UserError(_("Poll #{id} is already closed.", id=poll_id))
    return closed


async def results(ctx: Context, poll_id: int) -> tuple[str, tuple[Block, ...]]:
    """What /poll results shows the asker: final results, or live counts if allowed."""
    poll = await find_poll(ctx, poll_id)
    tally = await polls(ctx).tally(poll)
    if not poll.is_open:
        return await _results(ctx.runtime, poll, tally)
    if not render.shows_counts(poll, config(ctx).live_results) and not may_manage(ctx, poll):
        raise UserError(_("The results of poll #{id} are shown when it closes.", id=poll.id))
    text = render.live_results(poll, tally, timezone=member_timezone(ctx))
    return text, ()
