"""Every message of onboarding: the complete plain text first, blocks for rich rendering.

Functions take what they show (mentions and channel names already made by the
platform), so they stay pure, the preview (`agora onboarding preview`) uses them
without a database, and each message can be read here in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.features.onboarding import actions
from bot.features.onboarding.config import OnboardingConfig, OptionConfig, QuestionConfig
from bot.features.onboarding.texts import Localized, fill, pick
from bot.i18n import N_, _, current_locale, ngettext
from bot.model import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    Fields,
    Option,
    Section,
    Select,
)
from bot.text import neutral, one_line

Message = tuple[str, tuple[Block, ...]]

# Up to this many options show as buttons; more become a menu.
MAX_BUTTONS = 5

WELCOME_MESSAGE = N_("Welcome to {community}, {member}! We're glad you're here.")
WELCOME_POST = N_("Please welcome {member} to {community}! 👋")


def localized(text: Localized, fallback: str) -> str:
    """An admin's text in the current language; plain strings go through the catalog
    (so the built-in questions are translated), "" stays ""."""
    chosen = pick(text, current_locale(), fallback)
    return _(chosen) if chosen.strip() else ""


def _message(blocks: Sequence[Block]) -> Message:
    """The blocks, and the complete plain text they say, in their order."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Section | Context):
            parts.append(block.text)
        elif isinstance(block, Fields):
            parts.extend(f"{label}: {value}" for label, value in block.pairs)
    return "\n".join(p for p in parts if p), tuple(blocks)


@dataclass(frozen=True, slots=True)
class Greeting:
    """What the placeholders stand for, for one newcomer."""

    member: str
    community: str
    rules_channel: str

    def values(self) -> dict[str, str]:
        return {
            "member": self.member,
            "community": self.community,
            "rules_channel": self.rules_channel or _("the rules"),
        }


def _greeting_text(text: Localized, builtin: str, greeting: Greeting, fallback: str) -> str:
    template = localized(text, fallback) or _(builtin)
    return fill(template, greeting.values())


# --- welcome and rules --------------------------------------------------------------


def agree_button() -> Button:
    return Button(actions.action_id(actions.AGREE), _("I agree"), style=ButtonStyle.PRIMARY)


def rules_blocks(cfg: OnboardingConfig, greeting: Greeting, fallback: str) -> list[Block]:
    rules = fill(localized(cfg.rules, fallback), greeting.values())
    blocks: list[Block] = [Section(_("Our rules:") + "\n" + rules)]
    if cfg.restrict_commands:
        blocks.append(
            Context(
                _("Please press “I agree” to accept them; until then only a few commands work.")
            )
        )
    else:
        blocks.append(Context(_("Please press “I agree” to accept them.")))
    blocks.append(Buttons((agree_button(),)))
    return blocks


def questionnaire_blocks(count: int) -> list[Block]:
    return [
        Section(
            ngettext(
                "One quick question helps us get to know you. It is optional.",
                "{n} quick questions help us get to know you. All are optional.",
                count,
            )
        ),
        Buttons(
            (
                Button(actions.action_id(actions.START), _("Start"), style=ButtonStyle.PRIMARY),
                Button(actions.action_id(actions.SKIP_ALL), _("Skip the questions")),
            )
        ),
    ]


def welcome_dm(
    cfg: OnboardingConfig,
    greeting: Greeting,
    fallback: str,
    *,
    gated: bool,
    questions: int,
    returning: bool = False,
) -> Message:
    """The newcomer's DM: the welcome, then the rules (gate) or the questionnaire."""
    if returning:
        blocks: list[Block] = [
            Section(_("Welcome back to {community}, {member}!", **greeting.values()))
        ]
    else:
        blocks = [Section(_greeting_text(cfg.welcome_message, WELCOME_MESSAGE, greeting, fallback))]
    if gated:
        blocks += rules_blocks(cfg, greeting, fallback)
    elif questions:
        blocks += questionnaire_blocks(questions)
    blocks.append(Context(_("Type /welcome to see this again.")))
    return _message(blocks)


def overview(
    cfg: OnboardingConfig,
    greeting: Greeting,
    fallback: str,
    *,
    held: bool,
    unanswered: int,
    can_edit: bool,
    mentor: str | None,
) -> Message:
    """`/welcome`: the welcome, the rules (with "I agree" while held), what comes next."""
    blocks: list[Block] = [
        Section(_greeting_text(cfg.welcome_message, WELCOME_MESSAGE, greeting, fallback))
    ]
    if held:
        blocks += rules_blocks(cfg, greeting, fallback)
        return _message(blocks)
    if cfg.gated:
        blocks.append(rules_blocks(cfg, greeting, fallback)[0])
    if unanswered:
        blocks += questionnaire_blocks(unanswered)
    elif can_edit:
        blocks.append(Context(_("Change your answers any time with /profile edit.")))
    if mentor:
        blocks.append(Section(_("Your mentor: {mentor}", mentor=mentor)))
    return _message(blocks)


def welcome_post(
    cfg: OnboardingConfig, greeting: Greeting, fallback: str, *, gated: bool
) -> Message:
    """The public greeting; carries "I agree" too, for newcomers whose DMs are closed."""
    blocks: list[Block] = [
        Section(_greeting_text(cfg.welcome_post, WELCOME_POST, greeting, fallback))
    ]
    if gated:
        blocks.append(Buttons((agree_button(),)))
    return _message(blocks)


def agreed(questions: int) -> Message:
    blocks: list[Block] = [Section(_("Thank you for accepting the rules. You're in!"))]
    if questions:
        blocks += questionnaire_blocks(questions)
    return _message(blocks)


def already_agreed() -> str:
    return _("You have already accepted the rules. Welcome!")


def nothing_to_agree() -> str:
    return _("There is nothing for you to accept. Welcome!")


def gate_refusal(command: str) -> str:
    return _(
        "Please accept the community rules before using /{command}: type /welcome to read "
        "them, then press “I agree”.",
        command=command,
    )


def reminder_to_agree(cfg: OnboardingConfig, greeting: Greeting, fallback: str) -> Message:
    blocks: list[Block] = [
        Section(
            _(
                "A friendly reminder, {member}: please read the rules of {community} and press "
                "“I agree” to take part.",
                **greeting.values(),
            )
        ),
        *rules_blocks(cfg, greeting, fallback),
    ]
    return _message(blocks)


def reminder_to_answer(left: int) -> Message:
    blocks: list[Block] = [
        Section(
            ngettext(
                "You have one question left to tell us a bit about you (optional).",
                "You have {n} questions left to tell us a bit about you (optional).",
                left,
            )
        ),
        Buttons(
            (
                Button(actions.action_id(actions.START), _("Continue"), style=ButtonStyle.PRIMARY),
                Button(actions.action_id(actions.SKIP_ALL), _("Skip the questions")),
            )
        ),
    ]
    return _message(blocks)


def moderator_notice(member: str, hours: int) -> str:
    return ngettext(
        "{member} joined {n} hour ago and has not accepted the rules yet.",
        "{member} joined {n} hours ago and has not accepted the rules yet.",
        hours,
        member=member,
    )


# --- the questionnaire --------------------------------------------------------------


def option_label(option: OptionConfig, fallback: str) -> str:
    return localized(option.label, fallback) or option.id


def answer_labels(question: QuestionConfig, values: Sequence[str], fallback: str) -> str:
    """An answer as people read it: option labels, or the member's own (safe) text."""
    if not question.choice:
        return neutral(" ".join(values), limit=500)
    labels = []
    for value in values:
        option = question.option(value)
        labels.append(option_label(option, fallback) if option is not None else value)
    return ", ".join(labels)


def question_message(
    question: QuestionConfig,
    number: int,
    total: int,
    fallback: str,
    current: Sequence[str] = (),
) -> Message:
    """One question, with its answer buttons (or menu, or "Answer" for free text) and Skip."""
    text = localized(question.text, fallback)
    blocks: list[Block] = [
        Section(text),
        Context(_("Question {number} of {total}", number=number, total=total)),
    ]
    if current:
        blocks.append(
            Context(
                _("Your answer now: {answer}", answer=answer_labels(question, current, fallback))
            )
        )
    skip = Button(actions.action_id(actions.SKIP, question.id), _("Skip"))
    if not question.choice:
        write = Button(
            actions.action_id(actions.WRITE, question.id), _("Answer"), style=ButtonStyle.PRIMARY
        )
        blocks.append(Buttons((write, skip)))
        return _message(blocks)
    labels = [(o, option_label(o, fallback)) for o in question.options]
    if question.kind == "single" and len(labels) <= MAX_BUTTONS:
        blocks.append(
            Context(_("Choose one: {options}", options=" · ".join(label for _o, label in labels)))
        )
        blocks.append(
            Buttons(
                tuple(
                    Button(actions.action_id(actions.ANSWER, question.id, o.id), label)
                    for o, label in labels
                )
            )
        )
        blocks.append(Buttons((skip,)))
        return _message(blocks)
    multi = question.kind == "multi"
    how = _("Choose any") if multi else _("Choose one")
    blocks.append(Context(f"{how}: " + " · ".join(label for _o, label in labels)))
    blocks.append(
        Select(
            actions.action_id(actions.PICK, question.id),
            how,
            tuple(Option(o.id, label) for o, label in labels),
            multi=multi,
        )
    )
    if not multi:
        blocks.append(Buttons((skip,)))
        return _message(blocks)
    # Several choices: the menu may report each change, so moving on is a button of its own.
    blocks.append(Context(_("Then press Next.")))
    done = Button(
        actions.action_id(actions.NEXT, question.id), _("Next"), style=ButtonStyle.PRIMARY
    )
    blocks.append(Buttons((done, skip)))
    return _message(blocks)


def question_answered(question: QuestionConfig, values: Sequence[str], fallback: str) -> str:
    text = localized(question.text, fallback)
    if not values:
        return _("{question} — skipped", question=text)
    return f"✓ {text} — {answer_labels(question, values, fallback)}"


def save_label() -> str:
    return _("Save")


def text_form_title(question: QuestionConfig, fallback: str) -> str:
    return one_line(localized(question.text, fallback), limit=45)


def questionnaire_done(skipped: bool, profile: str = "/profile") -> str:
    """`profile`: how the member types the command that shows a profile (`/profile show`)."""
    if skipped:
        return _(
            "No problem, the questions are skipped. You can answer them any time with "
            "/profile edit."
        )
    return _(
        "Thank you! That's all. Others can see your profile with {profile}, and you can "
        "change your answers any time with /profile edit.",
        profile=profile,
    )


def no_questions() -> str:
    return _("There are no questions to answer here.")


def bad_choice(question: QuestionConfig, fallback: str) -> str:
    options = ", ".join(option_label(o, fallback) for o in question.options)
    return _(
        "That is not one of the choices for “{question}”. Choose one of: {options}.",
        question=one_line(localized(question.text, fallback), limit=100),
        options=options,
    )


def bad_timezone(value: str, close: Sequence[str]) -> str:
    hint = _(" Did you mean: {names}?", names=", ".join(close)) if close else ""
    return (
        _(
            "{zone!r} is not a time zone I know; write it like Europe/Oslo or America/New_York.",
            zone=one_line(value, limit=60),
        )
        + hint
    )


def question_gone() -> str:
    return _("This question is no longer asked. Type /profile edit to see the current ones.")


def answer_empty() -> str:
    return _("Please write an answer, or press Skip.")


def answer_too_long(limit: int) -> str:
    return _("Please keep your answer under {limit} characters.", limit=limit)


def all_set() -> str:
    return _("You're all set. Welcome aboard!")


# --- mentors ------------------------------------------------------------------------


def topic_text(topic: str | None) -> str:
    return _(" (you share: {topic})", topic=topic) if topic else ""


def intro_to_newcomer(mentor: str, topic: str | None) -> str:
    return _(
        "Meet {mentor}, your mentor{shared}! They have been around for a while and are "
        "happy to answer your questions and show you around. Say hello!",
        mentor=mentor,
        shared=topic_text(topic),
    )


def intro_to_mentor(newcomer: str, topic: str | None, about: Sequence[tuple[str, str]]) -> Message:
    blocks: list[Block] = [
        Section(
            _(
                "Thank you for mentoring! Please welcome {newcomer}{shared}: a short hello "
                "and an offer to help go a long way.",
                newcomer=newcomer,
                shared=topic_text(topic),
            )
        )
    ]
    if about:
        blocks.append(Fields(tuple(about)))
    return _message(blocks)


def intro_in_thread(newcomer: str, mentor: str, topic: str | None) -> str:
    return _(
        "{newcomer}, meet {mentor}, your mentor{shared}! {mentor}, please say hello. This "
        "thread is yours to talk.",
        newcomer=newcomer,
        mentor=mentor,
        shared=topic_text(topic),
    )


def intro_thread_opener(newcomer: str) -> str:
    return _("Welcome {newcomer}! 👋", newcomer=newcomer)


def intro_thread_name(newcomer: str) -> str:
    return one_line(_("Welcome, {newcomer}", newcomer=newcomer), limit=80)


def waiting_for_mentor() -> str:
    return _(
        "All our mentors are busy right now; I'll introduce you to one as soon as one is free."
    )


def nudge(other: str, days: int, pairing_id: int) -> Message:
    blocks: list[Block] = [
        Section(
            ngettext(
                "It's been a day since you were introduced to {other}, and I haven't seen you "
                "talk yet. A quick hello is all it takes!",
                "It's been {n} days since you were introduced to {other}, and I haven't seen "
                "you talk yet. A quick hello is all it takes!",
                days,
                other=other,
            )
        ),
        Context(_("Already talked in private? Then just let me know.")),
        Buttons((Button(actions.action_id(actions.MET, pairing_id), _("We've talked")),)),
    ]
    return _message(blocks)


def met_thanks(other: str) -> str:
    return _("Wonderful, thank you for welcoming {other}!", other=other)


def met_noted() -> str:
    return _("Great, glad you two have met!")


def not_your_pairing() -> str:
    return _("This introduction is not yours, or it has ended.")


def handed_on_to_newcomer() -> str:
    return _("Your mentor had to step back; let me introduce you to someone new.")


def repaired_to_newcomer() -> str:
    return _(
        "It seems you and your mentor haven't found each other; let me introduce someone else."
    )


def repaired_to_mentor(newcomer: str) -> str:
    return _(
        "It seems you and {newcomer} haven't found each other; no worries, I'll look for "
        "another mentor for them. Thank you!",
        newcomer=newcomer,
    )


def newcomer_left(newcomer: str) -> str:
    return _(
        "{newcomer} has left the community, so your mentoring ends. Thank you!", newcomer=newcomer
    )


def any_topic() -> str:
    return _("any topic")


def mentor_status(topics: Sequence[str] | None, active: int, limit: int) -> str:
    if topics is None:
        return _("You are not a mentor. Volunteer with /mentor on [topics].")
    which = ", ".join(topics) if topics else any_topic()
    return _(
        "You mentor {topics}; you have {active} of at most {limit} newcomers now. Stop with "
        "/mentor off.",
        topics=which,
        active=active,
        limit=limit,
    )


def mentor_on(topics: Sequence[str]) -> str:
    which = ", ".join(topics) if topics else any_topic()
    return _("Thank you! You mentor {topics} now; I'll introduce you to newcomers.", topics=which)


def mentor_off_some(topics: Sequence[str], remaining: Sequence[str]) -> str:
    return _(
        "You no longer mentor {topics}. Still mentoring: {remaining}.",
        topics=", ".join(topics),
        remaining=", ".join(remaining),
    )


def mentor_off(handed_on: int) -> str:
    done = _("You are off duty as a mentor. Thank you for your help!")
    if not handed_on:
        return done
    return (
        done
        + " "
        + ngettext(
            "I'll introduce your newcomer to another mentor.",
            "I'll introduce your {n} newcomers to other mentors.",
            handed_on,
        )
    )


def not_a_mentor() -> str:
    return _("You are not a mentor, so there is nothing to stop.")


def unknown_topics(unknown: Sequence[str], choices: Sequence[str]) -> str:
    return _(
        "Unknown topic: {topics}. Topics here: {choices}.",
        topics=", ".join(unknown),
        choices=", ".join(choices),
    )


def mentors_disabled() -> str:
    return _("Mentoring is turned off in this community.")


# --- reports ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProfileView:
    name: str
    joined: str | None
    answers: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]
    mentoring: tuple[str, ...] | None  # None: not a mentor; () any topic
    mentor: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def profile(view: ProfileView, *, own: bool, questions: bool) -> Message:
    """A profile; `questions` tells whether there is a questionnaire to point to."""
    pairs: list[tuple[str, str]] = []
    if view.joined:
        pairs.append((_("Joined"), view.joined))
    if view.topics:
        pairs.append((_("Topics"), ", ".join(view.topics)))
    pairs.extend(view.answers)
    if view.mentoring is not None:
        pairs.append((_("Mentor for"), ", ".join(view.mentoring) or any_topic()))
    if view.mentor:
        pairs.append((_("Mentor"), view.mentor))
    pairs.extend(view.extra)
    blocks: list[Block] = [Section(_("Profile of {name}", name=view.name))]
    if pairs:
        blocks.append(Fields(tuple(pairs)))
    answered = bool(view.answers or view.topics)
    if questions and own:
        blocks.append(
            Context(
                _("Change your answers with /profile edit.")
                if answered
                else _("You haven't answered the questions yet: /profile edit.")
            )
        )
    elif questions and not answered:
        blocks.append(Context(_("{name} hasn't filled in a profile yet.", name=view.name)))
    return _message(blocks)


def edit_started() -> str:
    return _("I've sent you the questions in a direct message.")


@dataclass(frozen=True, slots=True)
class MentorRow:
    name: str
    topics: tuple[str, ...]
    active: int
    total: int


def mentors_report(rows: Sequence[MentorRow], limit: int, waiting: Sequence[str]) -> Message:
    head = ngettext("{n} mentor on duty", "{n} mentors on duty", len(rows))
    blocks: list[Block] = [Section(head)]
    if rows:
        blocks.append(
            Fields(
                tuple(
                    (
                        row.name,
                        _(
                            "{topics} — {active}/{limit} now, {total} in all",
                            topics=", ".join(row.topics) or any_topic(),
                            active=row.active,
                            limit=limit,
                            total=row.total,
                        ),
                    )
                    for row in rows
                )
            )
        )
    else:
        blocks.append(Context(_("Nobody has volunteered yet; members can with /mentor on.")))
    if waiting:
        blocks.append(
            Section(
                ngettext(
                    "{n} newcomer is waiting for a mentor: {names}",
                    "{n} newcomers are waiting for a mentor: {names}",
                    len(waiting),
                    names=", ".join(waiting),
                )
            )
        )
    return _message(blocks)


@dataclass(frozen=True, slots=True)
class SegmentGroup:
    question: str
    rows: tuple[tuple[str, int], ...]


def segments_report(
    groups: Sequence[SegmentGroup],
    named: Sequence[tuple[str, int]],
    respondents: int,
    funnel_line: str,
) -> Message:
    blocks: list[Block] = [
        Section(
            ngettext(
                "Segments of present members ({n} member answered the questionnaire)",
                "Segments of present members ({n} members answered the questionnaire)",
                respondents,
            )
        )
    ]
    for group in groups:
        blocks.append(Section(group.question))
        blocks.append(Fields(tuple((label, str(count)) for label, count in group.rows)))
    if named:
        blocks.append(Section(_("Named segments")))
        blocks.append(Fields(tuple((name, str(count)) for name, count in named)))
    if not groups and not named:
        blocks.append(Context(_("The questionnaire has no choice questions, so no segments.")))
    blocks.append(Context(funnel_line))
    return _message(blocks)


def funnel_line(days: int, joined: int, agreed: int, gated: int, answered: int, paired: int) -> str:
    line = ngettext(
        "Last {n} day: {joined} joined",
        "Last {n} days: {joined} joined",
        days,
        joined=joined,
    )
    if gated:
        line += _(", {agreed} of {gated} accepted the rules", agreed=agreed, gated=gated)
    return line + _(
        ", {answered} answered the questions, {paired} got a mentor.",
        answered=answered,
        paired=paired,
    )
