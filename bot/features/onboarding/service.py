"""A newcomer's first days: welcome, rules gate, reminders, and leaving cleanly.

- On joining: a welcome DM (and a public greeting when configured) in the member's
  language. With rules set, the DM shows them with "I agree"; until then the
  newcomer role applies on platforms with roles, and on every platform Agora keeps
  the state and refuses bot commands other than `allowed_commands`.
- Agreeing is recorded with its time, swaps the newcomer role for `member_role`, and
  offers the questionnaire. A follow-up after `reminder_hours` reminds whoever has
  not agreed (or not finished the questions, then pairs them with a mentor anyway);
  moderators hear about members who still have not agreed after
  `notify_moderators_hours`.
- A person who returns keeps their agreement and answers. A person whose last
  account leaves has their onboarding closed: jobs cancelled, their pairing ended
  (the mentor told), and as a mentor their newcomers handed to someone else.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, UserError
from bot.features.onboarding import delivery, mentoring, questionnaire, render
from bot.features.onboarding.config import OnboardingConfig
from bot.features.onboarding.jobs import FOLLOW_UP, MODERATORS, follow_up_key, moderators_key
from bot.features.onboarding.store import Newcomer, answer_store, newcomers, pairings
from bot.model import Level, MemberRecord, Outgoing
from bot.registry import CommandSpec


def config(ctx: Context) -> OnboardingConfig:
    return ctx.config_of(OnboardingConfig)


def held(cfg: OnboardingConfig, newcomer: Newcomer | None) -> bool:
    """Whether the rules gate holds this person now."""
    return cfg.gated and newcomer is not None and newcomer.must_agree


async def greeting(ctx: Context, member: MemberRecord) -> render.Greeting:
    cfg = config(ctx)
    rules = await delivery.channel(ctx, member.ref, cfg.rules_channel)
    return render.Greeting(
        member=delivery.mention(ctx, member.ref, member.label),
        community=ctx.community,
        rules_channel=delivery.channel_label(ctx, rules, cfg.rules_channel),
    )


async def _questions_left(ctx: Context, newcomer: Newcomer) -> int:
    if newcomer.progress.finished:
        return 0
    answered = await answer_store(ctx).of(newcomer.person_id)
    return sum(1 for q in questionnaire.usable(config(ctx)) if q.id not in answered)


# --- joining ------------------------------------------------------------------------


async def joined(ctx: Context, member: MemberRecord) -> None:
    cfg = config(ctx)
    store = newcomers(ctx)
    returning = await store.get(member.person_id) is not None
    newcomer = await store.arrive(member.person_id, member.ref, ctx.now(), cfg.gated)
    gate = held(cfg, newcomer)
    if gate:
        await delivery.set_role(ctx, member.ref, cfg.newcomer_role, given=True)
    elif returning and newcomer.agreed_at is not None:
        await delivery.set_role(ctx, member.ref, cfg.member_role, given=True)
    if returning:
        await _give_back_roles(ctx, member)
    left = await _questions_left(ctx, newcomer)
    hello = await greeting(ctx, member)
    fallback = ctx.runtime.config.bot.language
    with ctx.speaking_to(member):
        if cfg.welcome_dm:
            text, blocks = render.welcome_dm(
                cfg, hello, fallback, gated=gate, questions=left, returning=returning
            )
            delivery.dm(ctx, member.ref, text, blocks)
    place = await delivery.channel(ctx, member.ref, cfg.welcome_channel)
    if place is not None and not returning:
        async with ctx.in_public(place):  # the channel reads it, not only the newcomer
            text, blocks = render.welcome_post(cfg, hello, fallback, gated=gate)
        delivery.post(ctx, Outgoing(text, blocks, channel=place))
    payload = {"person_id": member.person_id}
    if cfg.reminder_hours and (gate or left):
        due = ctx.now() + timedelta(hours=cfg.reminder_hours)
        await ctx.schedule(follow_up_key(member.person_id), FOLLOW_UP, due, payload)
    if gate and cfg.notify_moderators_hours and cfg.moderator_channel:
        due = ctx.now() + timedelta(hours=cfg.notify_moderators_hours)
        await ctx.schedule(moderators_key(member.person_id), MODERATORS, due, payload)
    if not gate and not left:
        await mentoring.pair_if_due(ctx, member.person_id)


async def _give_back_roles(ctx: Context, member: MemberRecord) -> None:
    """Discord takes roles away on leaving; a returning member's answers earn them again."""
    cfg = config(ctx)
    earned = questionnaire.roles_of(cfg, await answer_store(ctx).of(member.person_id))
    for role in sorted(earned):
        await delivery.set_role(ctx, member.ref, role, given=True)


# --- the rules gate -----------------------------------------------------------------


async def agree(ctx: Context) -> None:
    """The "I agree" button (in the welcome DM, the public greeting or /welcome)."""
    actor = ctx.member()
    cfg = config(ctx)
    newcomer = await newcomers(ctx).get(actor.person_id)
    if newcomer is None or not newcomer.gated:
        raise UserError(render.nothing_to_agree())
    if not await newcomers(ctx).agree(actor.person_id, ctx.now()):
        raise UserError(render.already_agreed())
    for account in await delivery.present_accounts(ctx, actor.person_id):
        await delivery.set_role(ctx, account.ref, cfg.newcomer_role, given=False)
        await delivery.set_role(ctx, account.ref, cfg.member_role, given=True)
    await ctx.cancel(moderators_key(actor.person_id))
    left = await _questions_left(ctx, newcomer)
    text, blocks = render.agreed(left)
    await ctx.reply(text, blocks=blocks)
    if not left:
        await ctx.cancel(follow_up_key(actor.person_id))
        await mentoring.pair_if_due(ctx, actor.person_id)


async def guard(ctx: Context, spec: CommandSpec) -> None:
    """Before any command: newcomers held by the rules gate may use only a few."""
    cfg = config(ctx)
    actor = ctx.actor
    if not (cfg.gated and cfg.restrict_commands) or actor is None:
        return
    if (spec.feature == ctx.feature.name and spec.root == "welcome") or ctx.level.allows(
        Level.HELPER
    ):
        return
    if spec.name in cfg.allowed_commands or spec.root in cfg.allowed_commands:
        return
    if held(cfg, await newcomers(ctx).get(actor.person_id)):
        raise UserError(render.gate_refusal(spec.name))


async def welcome_again(ctx: Context) -> None:
    """`/welcome`: the member's onboarding at a glance, with what to do next."""
    actor = ctx.member()
    cfg = config(ctx)
    newcomer = await newcomers(ctx).get(actor.person_id)
    answers = await answer_store(ctx).of(actor.person_id)
    questions = questionnaire.usable(cfg)
    finished = newcomer.progress.finished if newcomer is not None else bool(answers)
    unanswered = 0 if finished else sum(1 for q in questions if q.id not in answers)
    mentor_name = None
    pairing = await pairings(ctx).active_of_newcomer(actor.person_id)
    mentor = await ctx.directory.get(pairing.mentor) if pairing is not None else None
    if mentor is not None:
        mentor_name = mentoring.label_for(ctx, mentor, actor.ref.platform)
    text, blocks = render.overview(
        cfg,
        await greeting(ctx, actor),
        ctx.runtime.config.bot.language,
        held=held(cfg, newcomer),
        unanswered=unanswered,
        can_edit=bool(questions),
        mentor=mentor_name,
    )
    await ctx.reply(text, blocks=blocks, ephemeral=True)


# --- jobs ---------------------------------------------------------------------------


async def _present(ctx: Context, person_id: int) -> tuple[Newcomer, MemberRecord] | None:
    newcomer = await newcomers(ctx).get(person_id)
    if newcomer is None or not newcomer.present:
        return None
    account = await delivery.best_account(ctx, person_id, newcomer.account.platform)
    return (newcomer, account) if account is not None else None


async def follow_up(ctx: Context, person_id: int) -> None:
    """`reminder_hours` after joining: remind to agree, or to finish (and pair anyway)."""
    found = await _present(ctx, person_id)
    if found is None:
        return
    newcomer, account = found
    cfg = config(ctx)
    with ctx.speaking_to(account):
        if held(cfg, newcomer):
            hello = await greeting(ctx, account)
            text, blocks = render.reminder_to_agree(cfg, hello, ctx.runtime.config.bot.language)
            delivery.dm(ctx, account.ref, text, blocks)
            return
        left = await _questions_left(ctx, newcomer)
        if left:
            text, blocks = render.reminder_to_answer(left)
            delivery.dm(ctx, account.ref, text, blocks)
        await mentoring.pair_if_due(ctx, person_id)


async def notify_moderators(ctx: Context, person_id: int) -> None:
    found = await _present(ctx, person_id)
    cfg = config(ctx)
    if found is None or not held(cfg, found[0]):
        return
    newcomer, account = found
    place = await delivery.channel(ctx, account.ref, cfg.moderator_channel)
    if place is None:
        return
    hours = max(1, int((ctx.now() - newcomer.joined_at).total_seconds() // 3600))
    who = delivery.mention(ctx, account.ref, account.label)
    delivery.post(ctx, Outgoing(render.moderator_notice(who, hours), channel=place))


# --- leaving ------------------------------------------------------------------------


async def left(ctx: Context, member: MemberRecord) -> None:
    """The person's last account left: close everything onboarding holds open."""
    if await delivery.present_accounts(ctx, member.person_id):
        return
    await close(ctx, member.person_id, tell_mentor=True)


async def close(ctx: Context, person_id: int, *, tell_mentor: bool) -> None:
    await newcomers(ctx).leave(person_id, ctx.now())
    await ctx.cancel(follow_up_key(person_id))
    await ctx.cancel(moderators_key(person_id))
    await mentoring.newcomer_gone(ctx, person_id, tell_mentor=tell_mentor)
    await mentoring.mentor_gone(ctx, person_id)
