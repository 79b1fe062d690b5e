"""Never leave a question unanswered: who is brought in, when, and on which platform.

The ladder, each step a persisted one-off job (it survives restarts and fires once,
and the question's `escalation` level is raised by a conditional UPDATE as well):

1. `first_response_minutes` after asking, with no reply from anyone but the asker,
   the topic's helpers are pinged — configured roles/users and `/helper on`
   volunteers — and the asker is told who was brought in.
2. `escalate_after_minutes` later, still unanswered: the moderators.

Everyone is pinged where they are: in the question's thread when they have an
account on its platform, by direct message on their own platform otherwise (a linked
account: a Slack question reaches a Discord-only helper). Nobody is pinged in their
quiet hours (their own time zone); they get a direct message when those end, if the
question still waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.context import Context
from bot.features.questions import delivery, render
from bot.features.questions.config import QuestionsConfig, QuietHours
from bot.features.questions.store import Helpers, Question, Questions, State
from bot.i18n import using_locale
from bot.model import Member, MemberRecord, Outgoing
from bot.permissions import Selector

FIRST_RESPONSE = 1
MODERATORS = 2


@dataclass(frozen=True, slots=True)
class Target:
    """One person to bring in, through the account that reaches them best."""

    person_id: int
    account: MemberRecord

    def beside(self, question: Question) -> bool:
        """True when the account is in the question's own workspace (mention it there)."""
        ref = self.account.ref
        return (ref.platform, ref.workspace) == (
            question.channel.platform,
            question.channel.workspace,
        )


def key(question_id: int, step: str) -> str:
    return f"questions:{question_id}:{step}"


def wake_time(now: datetime, timezone: str, quiet: QuietHours | None) -> datetime | None:
    """When `now` falls in the quiet hours of `timezone`, the UTC time they end; else None."""
    if quiet is None:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)


def _matches(selectors: Sequence[Selector], record: MemberRecord) -> bool:
    member = Member(record.ref, record.name, record.display_name, record.roles)
    return any(s.matches(member) for s in selectors)


def _best_account(accounts: Sequence[MemberRecord], question: Question) -> MemberRecord | None:
    """The account in the question's workspace, else any (another platform: a DM)."""
    home = (question.platform, question.channel.workspace)
    here = [a for a in accounts if (a.ref.platform, a.ref.workspace) == home]
    chosen = here or list(accounts)
    return chosen[0] if chosen else None


async def _targets(
    ctx: Context, question: Question, selector_texts: Sequence[str], person_ids: Sequence[int]
) -> list[Target]:
    """Resolve selectors and persons to one reachable account per person (asker excluded)."""
    platforms = list(ctx.runtime.ports)
    selectors = [Selector.parse(s) for s in selector_texts]
    roles = [s.value for s in selectors if s.kind == "role"]
    names = [s.value.rsplit(":", 1)[-1].lstrip("@") for s in selectors if s.kind == "user"]
    helpers: Helpers = ctx.repo(Helpers)  # type: ignore[type-abstract]
    by_person: dict[int, list[MemberRecord]] = {}
    for record in await helpers.members_with(roles, names, platforms):
        if _matches(selectors, record):
            by_person.setdefault(record.person_id, []).append(record)
    for person_id in person_ids:
        if person_id in by_person:
            continue
        accounts = [
            a
            for a in await ctx.directory.accounts_of(person_id)
            if a.active and not a.is_bot and a.ref.platform in platforms
        ]
        if accounts:
            by_person[person_id] = accounts
    found = []
    for person_id, accounts in sorted(by_person.items()):
        if person_id == question.asker_person_id:
            continue
        best = _best_account(accounts, question)
        if best is not None:
            found.append(Target(person_id, best))
    return found


async def helpers_for(ctx: Context, question: Question) -> list[Target]:
    cfg = ctx.config_of(QuestionsConfig)
    selectors = [*cfg.helpers, *cfg.topics.get(question.topic or "", [])]
    volunteers = await ctx.repo(Helpers).volunteers(question.topic)  # type: ignore[type-abstract]
    return await _targets(ctx, question, selectors, volunteers)


async def moderators_for(ctx: Context, question: Question) -> list[Target]:
    permissions = ctx.runtime.config.permissions
    found = await _targets(ctx, question, permissions.moderator, [])
    return found or await _targets(ctx, question, permissions.admin, [])


@dataclass(frozen=True, slots=True)
class Split:
    now: list[Target]
    later: list[tuple[Target, datetime]]


def split_by_quiet_hours(ctx: Context, targets: Sequence[Target]) -> Split:
    cfg = ctx.config_of(QuestionsConfig)
    default_zone = ctx.runtime.config.bot.timezone
    now: list[Target] = []
    later: list[tuple[Target, datetime]] = []
    for target in targets:
        wake = wake_time(ctx.now(), target.account.timezone or default_zone, cfg.quiet)
        if wake is None:
            now.append(target)
        else:
            later.append((target, wake))
    return Split(now, later)


async def _ping_later(
    ctx: Context, question: Question, later: Sequence[tuple[Target, datetime]]
) -> None:
    for target, wake in later:
        await ctx.schedule(
            key(question.id, f"ping:{target.person_id}"),
            "ping",
            wake,
            {"question_id": question.id, "person_id": target.person_id},
        )


async def _dm(ctx: Context, question: Question, target: Target) -> None:
    with ctx.speaking_to(target.account):
        text = render.helper_dm(
            question, delivery.platform_name(question.platform), delivery.link(ctx, question)
        )
    await delivery.send(ctx, Outgoing(text, dm=target.account.ref))


async def reach(ctx: Context, question: Question, targets: Sequence[Target]) -> list[str]:
    """DM the targets outside the question's workspace; mentions for the others, to post."""
    mentions = []
    for target in targets:
        if target.beside(question):
            mentions.append(delivery.mention(ctx, target.account))
        else:
            await _dm(ctx, question, target)
            mentions.append(
                f"{target.account.label} ({delivery.platform_name(target.account.ref.platform)})"
            )
    return mentions


async def arm(ctx: Context, question: Question) -> None:
    """Start the clock on a new (or reopened, still unanswered) question."""
    cfg = ctx.config_of(QuestionsConfig)
    due = ctx.now() + timedelta(minutes=cfg.first_response_minutes)
    await ctx.schedule(key(question.id, "sla"), "first_response", due, {"question_id": question.id})


async def disarm(ctx: Context, question_id: int) -> None:
    for step in ("sla", "moderators"):
        await ctx.cancel(key(question_id, step))


def _waiting(question: Question) -> bool:
    return question.state is State.OPEN and question.first_response_at is None


async def first_response_due(ctx: Context, question_id: int) -> None:
    """Step 1: nobody but the asker replied in time — bring in the topic's helpers."""
    repo: Questions = ctx.repo(Questions)  # type: ignore[type-abstract]
    question = await repo.get(question_id)
    if question is None or not _waiting(question):
        return
    if not await repo.escalate(question_id, FIRST_RESPONSE):
        return
    cfg = ctx.config_of(QuestionsConfig)
    targets = await helpers_for(ctx, question)
    if not targets:
        await moderators_due(ctx, question_id)
        return
    split = split_by_quiet_hours(ctx, targets)
    await _ping_later(ctx, question, split.later)
    pinged = await reach(ctx, question, split.now)
    asker = delivery.mention(ctx, question.asker) if question.asker else ""
    with thread_language(ctx, question):
        text = render.helpers_pinged(
            asker, ctx.now() - question.created_at, pinged, len(split.later)
        )
    await delivery.to_thread(ctx, question, text)
    due = ctx.now() + timedelta(minutes=cfg.escalate_after_minutes)
    await ctx.schedule(
        key(question_id, "moderators"), "moderators", due, {"question_id": question_id}
    )


async def moderators_due(ctx: Context, question_id: int) -> None:
    """Step 2: the helpers did not answer either — bring in the moderators."""
    repo: Questions = ctx.repo(Questions)  # type: ignore[type-abstract]
    question = await repo.get(question_id)
    if question is None or not _waiting(question):
        return
    if not await repo.escalate(question_id, MODERATORS):
        return
    cfg = ctx.config_of(QuestionsConfig)
    split = split_by_quiet_hours(ctx, await moderators_for(ctx, question))
    await _ping_later(ctx, question, split.later)
    waited = ctx.now() - question.created_at
    channel = None
    if cfg.escalation_channel and delivery.running(ctx, question.platform):
        channel = await ctx.directory.find_channel(
            question.platform, question.channel.workspace, cfg.escalation_channel
        )
    if channel is not None:
        beside = [t for t in split.now if t.beside(question)]
        await reach(ctx, question, [t for t in split.now if not t.beside(question)])
        mentions = [delivery.mention(ctx, t.account) for t in beside]
        alert = render.moderator_alert(question, waited, delivery.link(ctx, question), mentions)
        await delivery.send_bridged(ctx, Outgoing(alert, channel=channel))
    else:
        for target in split.now:
            await _dm(ctx, question, target)
    if channel is None and not split.now and not split.later:
        return  # nobody to bring in: telling the asker otherwise would be untrue
    asker = delivery.mention(ctx, question.asker) if question.asker else ""
    with thread_language(ctx, question):
        await delivery.to_thread(ctx, question, render.moderators_told(asker))


async def ping_due(ctx: Context, question_id: int, person_id: int) -> None:
    """A helper's quiet hours ended and the question still waits: a direct message."""
    question = await ctx.repo(Questions).get(question_id)  # type: ignore[type-abstract]
    if question is None or not _waiting(question):
        return
    targets = await _targets(ctx, question, [], [person_id])
    for target in targets:
        await _dm(ctx, question, target)


async def ping_again(ctx: Context, question: Question) -> list[str]:
    """The asker says it is not solved: the helpers once more (quiet hours respected)."""
    split = split_by_quiet_hours(ctx, await helpers_for(ctx, question))
    await _ping_later(ctx, question, split.later)
    return await reach(ctx, question, split.now)


def thread_language(ctx: Context, question: Question) -> AbstractContextManager[str]:
    """The post and its thread speak the language of the channel it was asked in (set
    when it was opened): helpers and everyone else read them too."""
    return using_locale(question.locale or ctx.runtime.config.bot.language)
