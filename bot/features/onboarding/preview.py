"""`agora onboarding preview`: the flow a newcomer would see, without running the bot.

Uses the same render functions as the bot, on the validated config, with stand-ins
for the people (`@newcomer`, `@mentor`) and channels. Nothing is stored or sent, so
an admin can iterate on the welcome, the rules and the questions in a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import AgoraConfig
from bot.features.onboarding import questionnaire, render
from bot.features.onboarding.config import OnboardingConfig
from bot.i18n import _, normalize_locale, using_locale
from bot.model import Block, Buttons, Select

INDENT = "    "


def _shown(text: str, blocks: Sequence[Block]) -> list[str]:
    """A message as the console prints it: its text, then its buttons and menus."""
    lines = [INDENT + line for line in text.splitlines()]
    for block in blocks:
        if isinstance(block, Buttons):
            lines.append(INDENT + " ".join(f"[{b.label}]" for b in block.buttons))
        elif isinstance(block, Select):
            kind = _("choose any") if block.multi else _("choose one")
            options = " | ".join(o.label for o in block.options)
            lines.append(INDENT + f"▾ {block.placeholder} ({kind}): {options}")
    return lines


def _heading(text: str) -> str:
    return f"── {text} ──"


def preview(
    config: AgoraConfig, *, language: str | None = None, member: str = "@newcomer"
) -> list[str]:
    """The lines a newcomer called `member` would see, in `language` (default: the bot's)."""
    cfg = config.feature("onboarding", OnboardingConfig)
    assert isinstance(cfg, OnboardingConfig)
    fallback = config.bot.language
    locale = normalize_locale(language) or fallback
    with using_locale(locale):
        return _flow(cfg, config.bot.name, fallback, member)


def _flow(cfg: OnboardingConfig, community: str, fallback: str, member: str) -> list[str]:
    if not cfg.enabled:
        return [_("Onboarding is turned off ([features.onboarding] enabled = false).")]
    greeting = render.Greeting(
        member, community, f"#{cfg.rules_channel}" if cfg.rules_channel else ""
    )
    questions = questionnaire.usable(cfg)
    lines: list[str] = []
    if cfg.welcome_dm:
        lines.append(_heading(_("Direct message on joining")))
        lines += _shown(
            *render.welcome_dm(cfg, greeting, fallback, gated=cfg.gated, questions=len(questions))
        )
    if cfg.welcome_channel:
        lines.append(_heading(_("Posted in #{channel}", channel=cfg.welcome_channel)))
        lines += _shown(*render.welcome_post(cfg, greeting, fallback, gated=cfg.gated))
    if cfg.gated:
        lines += _until_agreed(cfg)
        lines.append(_heading(_("After “I agree”")))
        lines += _shown(*render.agreed(len(questions)))
        if cfg.member_role:
            lines.append(INDENT + _("(role {role} given)", role=cfg.member_role))
    for question in questions:
        number, total = questionnaire.position(cfg, question.id)
        lines.append(_heading(_("Question {number} of {total}", number=number, total=total)))
        lines += _shown(*render.question_message(question, number, total, fallback))
    if questions:
        lines.append(_heading(_("After the last question")))
        lines += _shown(render.questionnaire_done(skipped=False), ())
    if cfg.reminder_hours:
        lines.append(_heading(_("{hours} h after joining, if not done", hours=cfg.reminder_hours)))
        if cfg.gated:
            lines += _shown(*render.reminder_to_agree(cfg, greeting, fallback))
        elif questions:
            lines += _shown(*render.reminder_to_answer(len(questions)))
    if cfg.gated and cfg.notify_moderators_hours and cfg.moderator_channel:
        lines.append(
            _heading(
                _(
                    "{hours} h after joining, if not agreed: in #{channel}",
                    hours=cfg.notify_moderators_hours,
                    channel=cfg.moderator_channel,
                )
            )
        )
        lines += _shown(render.moderator_notice(member, cfg.notify_moderators_hours), ())
    if cfg.mentors:
        where = (
            _("In a thread of #{channel}", channel=cfg.introduction_channel)
            if cfg.introduction_channel
            else _("Direct message, when a mentor is free")
        )
        lines.append(_heading(where))
        text = (
            render.intro_in_thread(member, "@mentor", None)
            if cfg.introduction_channel
            else render.intro_to_newcomer("@mentor", None)
        )
        lines += _shown(text, ())
    return lines


def _until_agreed(cfg: OnboardingConfig) -> list[str]:
    lines = [_heading(_("Until “I agree”"))]
    if cfg.newcomer_role:
        lines.append(INDENT + _("(role {role})", role=cfg.newcomer_role))
    if cfg.restrict_commands:
        allowed = ", ".join(f"/{c}" for c in dict.fromkeys(["welcome", *cfg.allowed_commands]))
        lines.append(INDENT + _("Only these commands work: {allowed}", allowed=allowed))
        lines += _shown(render.gate_refusal("poll"), ())
    return lines
