"""Mentors: volunteering, pairing newcomers, introductions, the check-in and hand-overs.

- `/mentor on [topics]` puts a member on duty (no topics: any topic) and at once
  serves newcomers who were waiting; `/mentor off` takes them off duty and hands
  their newcomers to other mentors, so nobody is left with a mentor who stepped back.
- A newcomer is paired once onboarding is through (rules accepted, questions done or
  skipped, or the reminder passed); the rule is in `pairing.py`. Nobody free: the
  newcomer waits and is paired when a mentor volunteers.
- After `check_after_days` the activity log tells whether the two talked (posts in
  one channel close in time). Yes: thanks. No: a nudge to both, with a "We've talked"
  button for those who talked privately (which the bot cannot see); after `nudges`
  nudges the newcomer is introduced to another mentor.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import timedelta

from bot.context import Context, UserError
from bot.features.onboarding import delivery, questionnaire, render
from bot.features.onboarding.config import ID_PATTERN, OnboardingConfig
from bot.features.onboarding.jobs import MENTOR_CHECK, check_key
from bot.features.onboarding.pairing import Candidate, Seeker, choose
from bot.features.onboarding.store import (
    MentorState,
    Pairing,
    PairingStatus,
    answer_store,
    mentors,
    newcomers,
    pairings,
)
from bot.model import Capability, MemberRecord, Outgoing
from bot.ports import ActivityLog
from bot.signals import MentorPaired, NewcomerWelcomed

_TOPIC = re.compile(ID_PATTERN)

# Two posts in one channel at most this far apart count as the two talking.
TALK_WINDOW = timedelta(hours=1)


def config(ctx: Context) -> OnboardingConfig:
    return ctx.config_of(OnboardingConfig)


def language_of(ctx: Context, record: MemberRecord) -> str:
    return ctx.language_of(record)


def timezone_of(ctx: Context, record: MemberRecord) -> str:
    return record.timezone or ctx.runtime.config.bot.timezone


def label_for(ctx: Context, record: MemberRecord, platform: str) -> str:
    """A mention where the reader is on the same platform, else the name and platform."""
    if record.ref.platform == platform:
        return delivery.mention(ctx, record.ref, record.label)
    return f"{record.label} ({record.ref.platform})"


# --- pairing ------------------------------------------------------------------------


async def _candidates(ctx: Context) -> list[Candidate]:
    loads = await pairings(ctx).loads()
    found: list[Candidate] = []
    for volunteer in await mentors(ctx).on_duty():
        accounts = await delivery.present_accounts(ctx, volunteer.person_id)
        if not accounts:
            continue
        record = accounts[0]
        load = loads.get(volunteer.person_id)
        found.append(
            Candidate(
                volunteer.person_id,
                tuple(t.lower() for t in volunteer.topics),
                load.active if load is not None else 0,
                language_of(ctx, record),
                timezone_of(ctx, record),
                volunteer.since,
            )
        )
    return found


async def pair_if_due(ctx: Context, person_id: int) -> None:
    """Pair a newcomer who is through onboarding and never had a mentor."""
    cfg = config(ctx)
    newcomer = await newcomers(ctx).get(person_id)
    if (
        newcomer is None
        or not cfg.mentors
        or not newcomer.present
        or newcomer.mentor is not MentorState.NONE
        or (cfg.gated and newcomer.must_agree)
    ):
        return
    await pair(ctx, person_id)


async def pair(ctx: Context, person_id: int, *, exclude: Collection[int] = ()) -> Pairing | None:
    """Find and introduce a mentor; with nobody free the newcomer waits (and is told so)."""
    cfg = config(ctx)
    newcomer = await newcomers(ctx).get(person_id)
    if newcomer is None or not newcomer.present or not cfg.mentors:
        return None
    if await pairings(ctx).active_of_newcomer(person_id) is not None:
        return None
    account = await delivery.best_account(ctx, person_id, newcomer.account.platform)
    if account is None:
        return None
    answers = await answer_store(ctx).of(person_id)
    seeker = Seeker(
        person_id,
        tuple(questionnaire.topics_of(cfg, answers)),
        language_of(ctx, account),
        timezone_of(ctx, account),
    )
    candidates = await _candidates(ctx)
    past = await pairings(ctx).past_mentors(person_id)
    match = choose(
        seeker, candidates, limit=cfg.max_mentees, exclude={*past, *exclude}, at=ctx.now()
    )
    if match is None:
        if newcomer.mentor is not MentorState.WAITING and candidates:
            with ctx.speaking_to(account):
                delivery.dm(ctx, account.ref, render.waiting_for_mentor())
        await newcomers(ctx).set_mentor(person_id, MentorState.WAITING)
        return None
    mentor = await delivery.best_account(ctx, match.person_id, account.ref.platform)
    if mentor is None:
        return None
    created = await pairings(ctx).create(
        person_id, match.person_id, account.ref, mentor.ref, match.topic, ctx.now()
    )
    await newcomers(ctx).set_mentor(person_id, MentorState.PAIRED)
    await _introduce(ctx, created, account, mentor, answers)
    await ctx.emit(MentorPaired(mentor=mentor.ref, newcomer=account.ref, topic=match.topic))
    await ctx.schedule(
        check_key(created.id),
        MENTOR_CHECK,
        ctx.now() + timedelta(days=cfg.check_after_days),
        {"pairing_id": created.id, "person_id": person_id},
    )
    return created


async def serve_waiting(ctx: Context) -> int:
    """Pair newcomers who waited for a mentor, longest waiting first; how many got one."""
    served = 0
    for newcomer in await newcomers(ctx).waiting():
        if await pair(ctx, newcomer.person_id) is not None:
            served += 1
    return served


def _about(
    ctx: Context, cfg: OnboardingConfig, answers: questionnaire.Answers
) -> list[tuple[str, str]]:
    """What the newcomer answered publicly, for the mentor's introduction."""
    fallback = ctx.runtime.config.bot.language
    found = []
    for question in questionnaire.usable(cfg):
        values = answers.get(question.id)
        if values and question.public:
            found.append(
                (
                    render.localized(question.text, fallback),
                    render.answer_labels(question, values, fallback),
                )
            )
    return found


async def _introduce(
    ctx: Context,
    pairing: Pairing,
    newcomer: MemberRecord,
    mentor: MemberRecord,
    answers: questionnaire.Answers,
) -> None:
    """In a thread of `introduction_channel` when both are there, else by DM to each."""
    cfg = config(ctx)
    platform = newcomer.ref.platform
    place = None
    if cfg.introduction_channel and mentor.ref.platform == platform:
        place = await delivery.channel(ctx, newcomer.ref, cfg.introduction_channel)
    if place is not None:
        newcomer_label = label_for(ctx, newcomer, platform)
        mentor_label = label_for(ctx, mentor, platform)
        async with ctx.in_public(place):  # a channel everyone can read
            intro = render.intro_in_thread(newcomer_label, mentor_label, pairing.topic)
            if ctx.can(platform, Capability.THREADS):
                opener = await delivery.send(
                    ctx, Outgoing(render.intro_thread_opener(newcomer_label), channel=place)
                )
                if opener is not None:
                    thread = await ctx.port(platform).create_thread(
                        opener, render.intro_thread_name(newcomer.label)
                    )
                    await pairings(ctx).set_thread(pairing.id, thread)
                    place = thread
            if await delivery.send(ctx, Outgoing(intro, channel=place)) is not None:
                return
    with ctx.speaking_to(newcomer):
        delivery.dm(
            ctx,
            newcomer.ref,
            render.intro_to_newcomer(label_for(ctx, mentor, platform), pairing.topic),
        )
    with ctx.speaking_to(mentor):
        text, blocks = render.intro_to_mentor(
            label_for(ctx, newcomer, mentor.ref.platform),
            pairing.topic,
            _about(ctx, config(ctx), answers),
        )
        delivery.dm(ctx, mentor.ref, text, blocks)


# --- the check-in -------------------------------------------------------------------


async def check(ctx: Context, pairing_id: int) -> None:
    """`check_after_days` after an introduction: thanks, a nudge, or another mentor."""
    cfg = config(ctx)
    pairing = await pairings(ctx).get(pairing_id)
    if pairing is None or pairing.status is not PairingStatus.ACTIVE:
        return
    activity: ActivityLog = ctx.repo(ActivityLog)  # type: ignore[type-abstract]
    talked = await activity.encounters(
        pairing.newcomer_person_id, pairing.mentor_person_id, pairing.paired_at, TALK_WINDOW
    )
    newcomer = await ctx.directory.get(pairing.newcomer)
    mentor = await ctx.directory.get(pairing.mentor)
    if talked:
        await _met(ctx, pairing)
        if mentor is not None and newcomer is not None and mentor.active:
            with ctx.speaking_to(mentor):
                name = label_for(ctx, newcomer, mentor.ref.platform)
                delivery.dm(ctx, mentor.ref, render.met_thanks(name))
        return
    if pairing.nudges < cfg.nudges:
        await pairings(ctx).nudged(pairing.id)
        days = max(1, (ctx.now() - pairing.paired_at).days)
        for me, other in ((newcomer, mentor), (mentor, newcomer)):
            if me is None or other is None or not me.active:
                continue
            with ctx.speaking_to(me):
                text, blocks = render.nudge(
                    label_for(ctx, other, me.ref.platform), days, pairing.id
                )
                delivery.dm(ctx, me.ref, text, blocks)
        await ctx.schedule(
            check_key(pairing.id),
            MENTOR_CHECK,
            ctx.now() + timedelta(days=cfg.check_after_days),
            {"pairing_id": pairing.id, "person_id": pairing.newcomer_person_id},
        )
        return
    await pairings(ctx).finish(pairing.id, PairingStatus.NO_CONTACT, ctx.now())
    if mentor is not None and newcomer is not None and mentor.active:
        with ctx.speaking_to(mentor):
            name = label_for(ctx, newcomer, mentor.ref.platform)
            delivery.dm(ctx, mentor.ref, render.repaired_to_mentor(name))
    if newcomer is not None and newcomer.active:
        with ctx.speaking_to(newcomer):
            delivery.dm(ctx, newcomer.ref, render.repaired_to_newcomer())
    await pair(ctx, pairing.newcomer_person_id)


async def _met(ctx: Context, pairing: Pairing) -> None:
    if await pairings(ctx).finish(pairing.id, PairingStatus.MET, ctx.now()):
        await ctx.emit(NewcomerWelcomed(welcomer=pairing.mentor, newcomer=pairing.newcomer))


async def met(ctx: Context, pairing_id: int) -> None:
    """ "We've talked": either side says so; the check-in is then unnecessary."""
    actor = ctx.actor
    pairing = await pairings(ctx).get(pairing_id)
    if (
        actor is None
        or pairing is None
        or actor.person_id not in (pairing.newcomer_person_id, pairing.mentor_person_id)
    ):
        raise UserError(render.not_your_pairing())
    if pairing.status is PairingStatus.ACTIVE:
        await _met(ctx, pairing)
        await ctx.cancel(check_key(pairing.id))
    elif pairing.status is not PairingStatus.MET:
        raise UserError(render.not_your_pairing())
    await ctx.reply(render.met_noted())


# --- volunteering and stepping back -------------------------------------------------


def _clean_topics(cfg: OnboardingConfig, topics: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip().lstrip("#").lower() for t in topics if t.strip()))
    bad = [t for t in cleaned if not _TOPIC.match(t)]
    choices = questionnaire.topic_choices(cfg)
    if choices is not None:
        bad += [t for t in cleaned if t not in choices and t not in bad]
    if bad:
        raise UserError(render.unknown_topics(bad, choices or []))
    return cleaned


async def volunteer(ctx: Context, switch: str | None, topics: Sequence[str]) -> str:
    """`/mentor [on|off] [topics]`; returns the sentence to answer with."""
    cfg = config(ctx)
    actor = ctx.actor
    if actor is None:
        raise UserError(render.not_a_mentor())
    if not cfg.mentors:
        raise UserError(render.mentors_disabled())
    me = actor.person_id
    if switch is None:
        current = await mentors(ctx).get(me)
        load = (await pairings(ctx).loads()).get(me)
        return render.mentor_status(
            current.topics if current is not None else None,
            load.active if load is not None else 0,
            cfg.max_mentees,
        )
    chosen = _clean_topics(cfg, topics)
    if switch == "on":
        # Topics given: exactly those from now on ("any" no longer); none: any topic.
        await mentors(ctx).retire(me, [""] if chosen else [])
        await mentors(ctx).volunteer(me, chosen or [""], ctx.now())
        await serve_waiting(ctx)
        current = await mentors(ctx).get(me)
        return render.mentor_on(current.topics if current is not None else chosen)
    if await mentors(ctx).get(me) is None:
        raise UserError(render.not_a_mentor())
    if chosen:
        if not await mentors(ctx).retire(me, chosen):
            raise UserError(render.not_a_mentor())
        remaining = await mentors(ctx).get(me)
        if remaining is not None:
            return render.mentor_off_some(chosen, remaining.topics or [render.any_topic()])
    await mentors(ctx).retire(me, [])
    return render.mentor_off(await hand_on(ctx, me))


async def hand_on(ctx: Context, mentor_person_id: int) -> int:
    """The mentor stepped back (off duty, left, forgotten): their newcomers get another."""
    handed = 0
    for pairing in await pairings(ctx).active_of_mentor(mentor_person_id):
        if not await pairings(ctx).finish(pairing.id, PairingStatus.ENDED, ctx.now()):
            continue
        await ctx.cancel(check_key(pairing.id))
        handed += 1
        newcomer = await ctx.directory.get(pairing.newcomer)
        if newcomer is not None and newcomer.active:
            with ctx.speaking_to(newcomer):
                delivery.dm(ctx, newcomer.ref, render.handed_on_to_newcomer())
        await pair(ctx, pairing.newcomer_person_id, exclude={mentor_person_id})
    return handed


async def newcomer_gone(ctx: Context, person_id: int, *, tell_mentor: bool) -> None:
    """The newcomer left (or was forgotten): the pairing closes, the check is cancelled."""
    pairing = await pairings(ctx).active_of_newcomer(person_id)
    if pairing is None or not await pairings(ctx).finish(
        pairing.id, PairingStatus.CLOSED, ctx.now()
    ):
        return
    await ctx.cancel(check_key(pairing.id))
    if not tell_mentor:
        return
    mentor = await ctx.directory.get(pairing.mentor)
    newcomer = await ctx.directory.get(pairing.newcomer)
    if mentor is not None and newcomer is not None and mentor.active:
        with ctx.speaking_to(mentor):
            other = label_for(ctx, newcomer, mentor.ref.platform)
            delivery.dm(ctx, mentor.ref, render.newcomer_left(other))


async def mentor_gone(ctx: Context, person_id: int) -> None:
    """A mentor left the community (or was forgotten): off duty, newcomers handed on."""
    await mentors(ctx).retire(person_id, [])
    await hand_on(ctx, person_id)
