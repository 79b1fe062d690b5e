"""The life of a question: asked → open → answered → solved, or closed; and reopened.

- Asking (`/ask`) searches the FAQ first; the member may say "that solved it"
  (recorded as a deflection) or post anyway. A message in a help channel, or any
  message someone reacts to with the question emoji, becomes a question directly.
- The first reply by anyone but the asker makes it *answered* and stops the
  escalation clock; every reply moves the follow-up and idle clocks.
- The asker, a helper or a moderator accepts an answer (✅ or the Accept button);
  helpers and moderators cannot accept their own answer. Accepting records who
  answered, adds the question to the FAQ and emits `AnswerAccepted`.
- Answered but unsolved after `follow_up_hours`: the asker is asked (yes / no).
  Idle for `idle_close_days`: closed as stale, with how to /reopen. Questions nobody
  answered are never closed automatically — they stay on the moderators' list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import args
from bot.context import Context, UserError
from bot.emoji import matches
from bot.features.questions import actions, delivery, escalation, render
from bot.features.questions.config import QuestionsConfig
from bot.features.questions.recent import recent_texts
from bot.features.questions.search import index_terms, parse_query, rank
from bot.features.questions.store import (
    CloseReason,
    Drafts,
    Faq,
    Helpers,
    Listing,
    NewQuestion,
    Question,
    Questions,
    Replies,
    Reply,
    Solution,
    Source,
    State,
)
from bot.i18n import _
from bot.model import ChannelKind, Level, MemberRecord, Message, Outgoing, ReactionChanged, Ref
from bot.signals import AnswerAccepted
from bot.text import mention_ids, named_mentions, one_line

MAX_QUESTION = 1000
FAQ_CANDIDATES = 30
DRAFT_LIFETIME = timedelta(days=1)
_TOPIC_CHARS = frozenset("-_")


def _questions(ctx: Context) -> Questions:
    return ctx.repo(Questions)  # type: ignore[type-abstract]


def _replies(ctx: Context) -> Replies:
    return ctx.repo(Replies)  # type: ignore[type-abstract]


def _faq(ctx: Context) -> Faq:
    return ctx.repo(Faq)  # type: ignore[type-abstract]


def _config(ctx: Context) -> QuestionsConfig:
    return ctx.config_of(QuestionsConfig)


def _staff(ctx: Context) -> bool:
    return ctx.level.allows(Level.HELPER)


# --- asking ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AskRequest:
    title: str
    topic: str | None


def check_topic(word: str, cfg: QuestionsConfig) -> str:
    topic = word.strip().lstrip("#").lower()
    if cfg.topics:
        if topic not in cfg.topics:
            raise UserError(
                _(
                    "{topic!r} is not a topic here. Topics: {topics}.",
                    topic=word,
                    topics=", ".join(cfg.topic_names()),
                )
            )
        return topic
    if not topic or len(topic) > 32 or not all(c.isalnum() or c in _TOPIC_CHARS for c in topic):
        raise UserError(_("A topic is one word, like billing or setup."))
    return topic


def parse_ask(text: str, topic: str | None, cfg: QuestionsConfig) -> AskRequest:
    """The question and its topic; `/ask Where is X? billing` ends with a known topic."""
    title = " ".join(text.split())
    if topic is None and cfg.topics:
        head, _sep, last = title.rpartition(" ")
        if head.endswith("?") and last.lower().lstrip("#") in cfg.topics:
            title, topic = head, last
    if not any(ch.isalnum() for ch in title):
        raise UserError(_("Write your question after /ask, e.g. /ask How do I reset my password?"))
    if len(title) > MAX_QUESTION:
        raise UserError(
            _(
                "Please keep the question under {limit} characters; add the details in its "
                "thread once it is posted.",
                limit=MAX_QUESTION,
            )
        )
    return AskRequest(title, check_topic(topic, cfg) if topic else None)


async def _ask_channel(ctx: Context, actor: MemberRecord) -> Ref:
    cfg = _config(ctx)
    if cfg.ask_channel:
        found = await ctx.directory.find_channel(
            actor.ref.platform, actor.ref.workspace, cfg.ask_channel
        )
        if found is not None:
            return found
    if ctx.channel is None:
        raise UserError(_("Ask in a channel, so the question has somewhere to live."))
    return ctx.channel.ref


async def suggestions(ctx: Context, title: str, limit: int) -> list[render.Suggestion]:
    """Solved questions like `title`, best first (empty when nothing is close enough)."""
    query = parse_query(title)
    if not query or limit <= 0:
        return []
    found = await _faq(ctx).candidates(query.terms, query.terms_needed, FAQ_CANDIDATES)
    ranked = rank(query, [(c, c.title) for c in found], limit)
    result = []
    for candidate in ranked:
        place = candidate.message or candidate.thread
        shown = (
            ctx.link(place)
            if place is not None and delivery.running(ctx, place.platform)
            else f"#{candidate.question_id}"
        )
        result.append(render.Suggestion(candidate.question_id, candidate.title, shown))
    return result


async def ask(ctx: Context, text: str, topic: str | None) -> None:
    actor = ctx.member()
    cfg = _config(ctx)
    request = parse_ask(text, topic, cfg)
    channel = await _ask_channel(ctx, actor)
    similar = await suggestions(ctx, request.title, cfg.faq_suggestions)
    if similar:
        drafts: Drafts = ctx.repo(Drafts)  # type: ignore[type-abstract]
        draft = await drafts.save(
            actor.person_id, actor.ref, channel, request.title, request.topic, ctx.now()
        )
        message, blocks = render.suggestions_before_posting(
            similar,
            actions.action_id(actions.DRAFT, draft, actions.SOLVED),
            actions.action_id(actions.DRAFT, draft, actions.POST),
        )
        await ctx.reply(message, blocks=blocks, ephemeral=True)
        return
    question = await open_question(
        ctx, actor, channel, request.title, request.topic, Source.COMMAND
    )
    await _confirm(ctx, question)


async def _confirm(ctx: Context, question: Question) -> None:
    where = (
        ctx.channel_mention(question.channel)
        if delivery.running(ctx, question.platform)
        else question.channel.id
    )
    sla = timedelta(minutes=_config(ctx).first_response_minutes)
    link = delivery.link(ctx, question)
    await ctx.reply(render.posted_confirmation(question, where, link, sla), ephemeral=True)


async def draft_decided(ctx: Context, draft_id: int, post: bool) -> None:
    """The member's answer to the FAQ suggestions: post anyway, or "that solved it"."""
    actor = ctx.member()
    drafts: Drafts = ctx.repo(Drafts)  # type: ignore[type-abstract]
    draft = await drafts.take(draft_id, actor.person_id)
    if draft is None:
        raise UserError(render.draft_gone())
    if not post:
        await _faq(ctx).deflected(ctx.now(), draft.channel.platform, draft.topic)
        await ctx.reply(render.deflected(), ephemeral=True)
        return
    question = await open_question(
        ctx, actor, draft.channel, draft.title, draft.topic, Source.COMMAND
    )
    await _confirm(ctx, question)


async def prune_drafts(ctx: Context) -> None:
    drafts: Drafts = ctx.repo(Drafts)  # type: ignore[type-abstract]
    await drafts.prune(ctx.now() - DRAFT_LIFETIME)


async def readable(ctx: Context, where: Ref, text: str) -> str:
    """`text` with mentions as `@name`: a title is shown in lists, DMs and the App Home,
    where the platform's mention markup (`<@U0002>`) would read as code."""
    names: dict[str, str] = {}
    for member_id in mention_ids(text):
        record = await ctx.directory.get(where.sibling(member_id))
        if record is not None:
            names[member_id] = record.label
    return named_mentions(text, names)


async def open_question(
    ctx: Context,
    asker: MemberRecord,
    channel: Ref,
    title: str,
    topic: str | None,
    source: Source,
    message: Ref | None = None,
) -> Question:
    """Store the question, post it (unless it is a member's message), open its thread."""
    cfg = _config(ctx)
    question = await _questions(ctx).create(
        NewQuestion(
            channel=channel,
            asker=asker.ref,
            asker_person_id=asker.person_id,
            title=await readable(ctx, asker.ref, title),
            topic=topic,
            source=source,
            created_at=ctx.now(),
            message=message,
            locale=await ctx.public_language(channel),
        )
    )
    root = message
    if root is None:
        with escalation.thread_language(ctx, question):
            text, blocks = render.question_post(
                question, delivery.mention(ctx, asker), cfg.accept_emoji
            )
        root = await delivery.send(ctx, Outgoing(text, blocks, channel=channel))
        if root is None:
            raise UserError(
                _("I could not post the question. Ask an admin to let me write in that channel.")
            )
    thread = await delivery.open_thread(ctx, root, render.thread_name(question, asker.label))
    await _questions(ctx).set_post(question.id, root, thread)
    question = replace(question, message=root, thread=thread)
    await escalation.arm(ctx, question)
    return question


async def _announce(ctx: Context, question: Question, asker: MemberRecord) -> None:
    """In the thread of a question opened from a message: tracking, and FAQ suggestions."""
    cfg = _config(ctx)
    similar = await suggestions(ctx, question.title, cfg.faq_suggestions)
    with escalation.thread_language(ctx, question):
        text, blocks = render.tracking_notice(
            question,
            delivery.mention(ctx, asker),
            timedelta(minutes=cfg.first_response_minutes),
            cfg.accept_emoji,
            similar,
            actions.action_id(actions.FAQ, question.id),
        )
    await delivery.to_thread(ctx, question, text, blocks)


def _places(message: Message) -> list[Ref]:
    channel = message.channel
    found = [channel.ref]
    if message.thread_of is not None:
        found.append(message.thread_of)
    if channel.parent is not None:
        found.append(channel.parent)
    return found


async def message_posted(ctx: Context, message: Message) -> None:
    """A reply in a question's thread, or a new question in a help channel."""
    if message.channel.kind is ChannelKind.DM:
        return
    in_thread = message.thread_of is not None or message.channel.kind is ChannelKind.THREAD
    if in_thread:
        question = await _questions(ctx).at_place(_places(message))
        if question is not None:
            await _reply_posted(ctx, question, message)
            return
    recent_texts.remember(message)
    if in_thread:
        return
    cfg = _config(ctx)
    help_channels = {c.lstrip("#").lower() for c in cfg.help_channels}
    if message.channel.name.lower() in help_channels and ctx.actor is not None:
        title = (message.title or message.text).strip()[:MAX_QUESTION]
        question = await open_question(
            ctx, ctx.actor, message.channel.ref, title, None, Source.CHANNEL, message.ref
        )
        await _announce(ctx, question, ctx.actor)


async def _schedule_checkups(ctx: Context, question_id: int, after: datetime) -> None:
    """Move the follow-up and idle clocks: both count from the latest activity."""
    cfg = _config(ctx)
    payload = {"question_id": question_id}
    follow_up = after + timedelta(hours=cfg.follow_up_hours)
    await ctx.schedule(escalation.key(question_id, "follow-up"), "follow_up", follow_up, payload)
    idle = after + timedelta(days=cfg.idle_close_days)
    await ctx.schedule(escalation.key(question_id, "idle"), "idle", idle, payload)


async def _settle(ctx: Context, question_id: int) -> None:
    """A solved or closed question needs no more clocks."""
    await escalation.disarm(ctx, question_id)
    for step in ("follow-up", "idle"):
        await ctx.cancel(escalation.key(question_id, step))


async def _reply_posted(ctx: Context, question: Question, message: Message) -> None:
    author = ctx.actor
    if author is None or not question.state.unsolved:
        return
    now = ctx.now()
    repo = _questions(ctx)
    reply = Reply(message.ref, question.id, author.person_id, author.ref, now)
    first_from_them = await _replies(ctx).add(reply)
    if question.asked_by(author.person_id):
        # The asker's own messages keep the clocks going but are no answer (they may
        # still mark one of them as the solution: "found it myself").
        await repo.touch(question.id, now)
        if question.state is State.ANSWERED:
            await _schedule_checkups(ctx, question.id, now)
        return
    if await repo.answered(question.id, now):
        await escalation.disarm(ctx, question.id)
    else:
        await repo.touch(question.id, now)
    await _schedule_checkups(ctx, question.id, now)
    if first_from_them and question.asker is not None:
        cfg = _config(ctx)
        with escalation.thread_language(ctx, question):
            text, blocks = render.accept_prompt(
                delivery.mention(ctx, question.asker),
                delivery.mention(ctx, author),
                actions.action_id(actions.ACCEPT, question.id),
                str(message.ref),
                cfg.accept_emoji,
            )
        await delivery.to_thread(ctx, question, text, blocks)


async def reaction(ctx: Context, event: ReactionChanged) -> None:
    cfg = _config(ctx)
    if not event.added:
        return
    if matches(cfg.accept_emoji, event.emoji):
        await _accept_by_reaction(ctx, event)
    elif matches(cfg.question_emoji, event.emoji):
        await _open_by_reaction(ctx, event)


async def _open_by_reaction(ctx: Context, event: ReactionChanged) -> None:
    author = event.message_author
    if author is None or event.channel.kind is ChannelKind.DM:
        return
    repo = _questions(ctx)
    place = [event.message, event.channel.ref]
    if event.channel.parent is not None:
        place.append(event.channel.parent)
    if await repo.at_place(place) is not None or await _replies(ctx).get(event.message):
        return
    asker = await ctx.directory.get(author)
    if asker is None or asker.is_bot:
        return
    title = recent_texts.text_of(event.message, ctx.now())[:MAX_QUESTION]
    question = await open_question(
        ctx, asker, event.channel.ref, title, None, Source.EMOJI, event.message
    )
    await _announce(ctx, question, asker)


# --- accepting ---------------------------------------------------------------------------


def acceptance_refusal(
    question: Question, person_id: int, level: Level, reply: Reply | None
) -> str | None:
    """Why this person may not accept this answer, or None when they may."""
    if not question.state.unsolved:
        return _("Question #{id} is already solved or closed.", id=question.id)
    if question.asked_by(person_id):
        return None
    if not level.allows(Level.HELPER):
        return _("Only the member who asked, a helper or a moderator can accept an answer.")
    if reply is not None and reply.person_id == person_id:
        return _("You can't accept your own answer; the member who asked can.")
    return None


async def accept(ctx: Context, question: Question, reply: Reply | None) -> None:
    actor = ctx.member()
    refusal = acceptance_refusal(question, actor.person_id, ctx.level, reply)
    if refusal is not None:
        raise UserError(refusal)
    own = reply is None or question.asked_by(reply.person_id)
    solution = Solution(
        accepted_by_person_id=actor.person_id,
        answerer=None if own or reply is None else reply.account,
        answerer_person_id=None if own or reply is None else reply.person_id,
        answer_message=reply.message if reply is not None else None,
    )
    if not await _questions(ctx).solve(question.id, ctx.now(), solution):
        raise UserError(_("Question #{id} is already solved or closed.", id=question.id))
    await _settle(ctx, question.id)
    await _faq(ctx).index(question.id, index_terms(question.title))
    answerer = delivery.mention(ctx, solution.answerer) if solution.answerer else None
    with escalation.thread_language(ctx, question):
        text = render.solved(
            delivery.mention(ctx, actor), answerer, question.asked_by(actor.person_id)
        )
    await delivery.to_thread(ctx, question, text)
    await _refresh_root(ctx, question.id)
    if solution.answerer is not None and question.asker is not None:
        await ctx.emit(
            AnswerAccepted(
                question.id, question.asker, solution.answerer, actor.ref, question.topic
            )
        )


async def _accept_by_reaction(ctx: Context, event: ReactionChanged) -> None:
    reply = await _replies(ctx).get(event.message)
    actor = ctx.actor
    if reply is None or actor is None:
        return
    question = await _questions(ctx).get(reply.question_id)
    if question is None:
        return
    refusal = acceptance_refusal(question, actor.person_id, ctx.level, reply)
    if refusal is not None:
        # ✅ is also just "agreed!": only explain to those who could accept.
        if question.asked_by(actor.person_id) or _staff(ctx):
            await ctx.reply(refusal, ephemeral=True)
        return
    await accept(ctx, question, reply)


async def accept_by_button(ctx: Context, question_id: int, reply_ref: str) -> None:
    try:
        reply = await _replies(ctx).get(Ref.parse(reply_ref))
    except ValueError:
        reply = None
    question = await _questions(ctx).get(question_id)
    if question is None or reply is None or reply.question_id != question_id:
        raise UserError(_("That answer is no longer on record; react to it instead."))
    await accept(ctx, question, reply)


async def _refresh_root(ctx: Context, question_id: int) -> None:
    """Show the new state on the root message Agora posted for /ask."""
    question = await _questions(ctx).get(question_id)
    if question is None or question.source is not Source.COMMAND or question.message is None:
        return
    asker = delivery.mention(ctx, question.asker) if question.asker else _("a former member")
    with escalation.thread_language(ctx, question):
        text, blocks = render.question_post(question, asker, _config(ctx).accept_emoji)
    await delivery.edit(ctx, question.message, text, blocks)


# --- following up ------------------------------------------------------------------------


async def follow_up_due(ctx: Context, question_id: int) -> None:
    question = await _questions(ctx).get(question_id)
    if question is None or question.state is not State.ANSWERED or question.asker is None:
        return
    with escalation.thread_language(ctx, question):
        text, blocks = render.follow_up(
            delivery.mention(ctx, question.asker),
            actions.action_id(actions.FOLLOW_UP, question_id, actions.YES),
            actions.action_id(actions.FOLLOW_UP, question_id, actions.NO),
        )
    await delivery.to_thread(ctx, question, text, blocks)


async def follow_up_answered(ctx: Context, question_id: int, solved: bool) -> None:
    actor = ctx.member()
    repo = _questions(ctx)
    question = await repo.get(question_id)
    if question is None or not question.state.unsolved:
        raise UserError(_("Question #{id} is already solved or closed.", id=question_id))
    if solved:
        latest = await _replies(ctx).latest(question_id, question.asker_person_id)
        await accept(ctx, question, latest)
        return
    if not question.asked_by(actor.person_id):
        raise UserError(_("Only the member who asked can say it is not solved yet."))
    now = ctx.now()
    await repo.touch(question_id, now)
    await _schedule_checkups(ctx, question_id, now)
    pinged = await escalation.ping_again(ctx, question)
    text = render.still_stuck(delivery.mention(ctx, actor), pinged)
    await delivery.to_thread(ctx, question, text)


async def faq_solved(ctx: Context, question_id: int) -> None:
    """ "That solved it" under a question opened from a message: the FAQ answered it."""
    actor = ctx.member()
    question = await _questions(ctx).get(question_id)
    if question is None or not question.state.unsolved:
        raise UserError(_("Question #{id} is already solved or closed.", id=question_id))
    if not (question.asked_by(actor.person_id) or _staff(ctx)):
        raise UserError(_("Only the member who asked, a helper or a moderator can do that."))
    await _close(ctx, question, CloseReason.DUPLICATE, actor, None)
    await _faq(ctx).deflected(ctx.now(), question.platform, question.topic)


async def idle_due(ctx: Context, question_id: int) -> None:
    question = await _questions(ctx).get(question_id)
    if question is None or question.state is not State.ANSWERED:
        return
    idle = timedelta(days=_config(ctx).idle_close_days)
    if ctx.now() - question.last_activity_at < idle:
        await _schedule_checkups(ctx, question_id, question.last_activity_at)
        return
    if not await _questions(ctx).close(question_id, ctx.now(), CloseReason.STALE, None):
        return
    await _settle(ctx, question_id)
    with escalation.thread_language(ctx, question):
        await delivery.to_thread(ctx, question, render.closed_idle(question_id, idle))
    await _refresh_root(ctx, question_id)


# --- closing and reopening ---------------------------------------------------------------


async def suggest_unsolved(ctx: Context, typed: str) -> list[args.Suggestion]:
    """Unsolved questions for autocomplete, oldest first: `#12 How do I reset …`."""
    found = await _questions(ctx).listing(Listing.UNSOLVED, limit=50)
    return args.matching(
        typed, [args.Suggestion(str(q.id), f"#{q.id} {one_line(q.title, limit=90)}") for q in found]
    )


async def find(ctx: Context, number: int | None) -> Question:
    """The question by number, or the one whose thread the command was typed in."""
    repo = _questions(ctx)
    if number is not None:
        found = await repo.get(number)
        if found is None:
            raise UserError(_("There is no question #{id}.", id=number))
        return found
    channel = ctx.channel
    if channel is not None:
        places = [channel.ref] + ([channel.parent] if channel.parent else [])
        found = await repo.at_place(places)
        if found is not None:
            return found
    raise UserError(
        _("Say which question by its number (e.g. 12), or use the command in its thread.")
    )


async def _close(
    ctx: Context,
    question: Question,
    reason: CloseReason,
    by: MemberRecord,
    original: Question | None,
) -> None:
    closed = await _questions(ctx).close(
        question.id, ctx.now(), reason, by.person_id, original.id if original else None
    )
    if not closed:
        raise UserError(_("Question #{id} is already solved or closed.", id=question.id))
    await _settle(ctx, question.id)
    duplicate = None
    if original is not None:
        duplicate = f"#{original.id} {delivery.link(ctx, original)}"
    with escalation.thread_language(ctx, question):
        text = render.closed(delivery.mention(ctx, by), reason, duplicate)
    await delivery.to_thread(ctx, question, text)
    await _refresh_root(ctx, question.id)


async def close(ctx: Context, reason: CloseReason, number: int | None, of: int | None) -> Question:
    actor = ctx.member()
    question = await find(ctx, number)
    if not (question.asked_by(actor.person_id) or _staff(ctx)):
        raise UserError(
            _(
                "Only the member who asked, a helper or a moderator can close question #{id}.",
                id=question.id,
            )
        )
    if not question.state.unsolved:
        raise UserError(_("Question #{id} is already solved or closed.", id=question.id))
    original = None
    if of is not None:
        if reason is not CloseReason.DUPLICATE:
            raise UserError(_("--of names the original of a duplicate; use it with duplicate."))
        if of == question.id:
            raise UserError(_("A question cannot be a duplicate of itself."))
        original = await _questions(ctx).get(of)
        if original is None:
            raise UserError(_("There is no question #{id}.", id=of))
    await _close(ctx, question, reason, actor, original)
    return question


async def reopen(ctx: Context, number: int | None) -> Question:
    actor = ctx.member()
    repo = _questions(ctx)
    question = await find(ctx, number)
    if not (question.asked_by(actor.person_id) or _staff(ctx)):
        raise UserError(
            _(
                "Only the member who asked, a helper or a moderator can reopen question #{id}.",
                id=question.id,
            )
        )
    if question.state.unsolved:
        raise UserError(_("Question #{id} is still open.", id=question.id))
    now = ctx.now()
    state = await repo.reopen(question.id, now)
    if state is None:
        raise UserError(_("Question #{id} is still open.", id=question.id))
    if question.state is State.SOLVED:
        await _faq(ctx).unindex([question.id])
    if state is State.OPEN:
        await escalation.arm(ctx, question)
    else:
        await _schedule_checkups(ctx, question.id, now)
    with escalation.thread_language(ctx, question):
        await delivery.to_thread(ctx, question, render.reopened(delivery.mention(ctx, actor)))
    await _refresh_root(ctx, question.id)
    return question


# --- volunteers ----------------------------------------------------------------------------


async def volunteer(ctx: Context, on: bool | None, topics: list[str]) -> str:
    """`/helper on|off [topics]`, or the member's current status; returns the reply."""
    actor = ctx.member()
    cfg = _config(ctx)
    helpers: Helpers = ctx.repo(Helpers)  # type: ignore[type-abstract]
    chosen = list(dict.fromkeys(check_topic(t, cfg) for t in topics))
    if on is True:
        await helpers.volunteer(actor.person_id, chosen, ctx.now())
    elif on is False:
        await helpers.retire(actor.person_id, chosen)
    current = await helpers.topics_of(actor.person_id)
    if not current:
        return _(
            "You are not a volunteer helper. Type /helper on to be pinged when a question "
            "waits for an answer (or /helper on billing setup for some topics only)."
        )
    shown = _("every topic") if "" in current else ", ".join(current)
    quiet = (
        _(" (never during {hours}, your time)", hours=cfg.quiet_hours) if cfg.quiet_hours else ""
    )
    return _(
        "You are pinged for unanswered questions about: {topics}{quiet}. Stop with /helper off.",
        topics=shown,
        quiet=quiet,
    )
