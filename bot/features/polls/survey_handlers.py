"""`/survey …`, the Answer button, survey forms and the exit survey on MemberLeft."""

from __future__ import annotations

from bot.args import Arg, ArgKind, ChannelArg, WordArg
from bot.context import Context, UserError
from bot.features.polls import render_surveys, surveys
from bot.features.polls.config import PollsConfig
from bot.features.polls.feature import feature
from bot.i18n import N_, _, ngettext
from bot.model import (
    ButtonPressed,
    Capability,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    Level,
    MemberLeft,
    Option,
    Ref,
)

SURVEY = WordArg("survey", N_("the survey's name or number (exit for the exit survey)"))


@feature.command(
    "survey create",
    help=N_("Make a survey in a form: a title and one question per line"),
    level=Level.MODERATOR,
    ephemeral=True,
)
async def survey_create(ctx: Context) -> None:
    await ctx.open_form(
        Form(
            feature.action_id("new-survey"),
            _("New survey"),
            (
                FormField("title", _("Title")),
                FormField(
                    "questions",
                    _("Questions, one per line"),
                    FieldKind.PARAGRAPH,
                    placeholder=_(
                        "How did you find us?\nHow often do you visit? | daily | weekly | "
                        "monthly\n+Which topics interest you? | events | help | news"
                    ),
                ),
                FormField(
                    "anonymous",
                    _("Anonymous answers?"),
                    FieldKind.CHOICE,
                    (Option("no", _("No")), Option("yes", _("Yes"))),
                    required=False,
                ),
            ),
            submit_label=_("Create"),
        )
    )


@feature.form("new-survey")
async def on_new_survey(ctx: Context, event: FormSubmitted) -> None:
    anonymous = event.values.get("anonymous", "no").strip().lower() in ("yes", "true", "1")
    survey = await surveys.create(
        ctx, event.values.get("title", ""), event.values.get("questions", ""), anonymous
    )
    await ctx.reply(render_surveys.created_text(survey), ephemeral=True)


@feature.command(
    "survey send",
    help=N_("Post a survey here (or --channel #x), or DM it to everyone with --role NAME"),
    args=[
        SURVEY,
        ChannelArg("channel", N_("post it in this channel instead"), required=False, option=True),
        Arg("role", ArgKind.WORD, N_("DM it to members with this role"), False, option=True),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def survey_send(ctx: Context, survey: str, channel: Ref | None, role: str | None) -> None:
    found = await surveys.find(ctx, survey)
    if role:
        reached, missed = await surveys.send_to_role(ctx, found, role)
        text = ngettext(
            "Survey sent by DM to {n} member.", "Survey sent by DM to {n} members.", reached
        )
        if missed:
            text += " " + ngettext("{n} could not be reached.", "{n} could not be reached.", missed)
        await ctx.reply(text, ephemeral=True)
        return
    target = channel or (ctx.channel.ref if ctx.channel else None)
    if target is None:
        raise UserError(_("Say where: run it in a channel or add --channel #name."))
    await surveys.send_to_channel(ctx, found, target)
    await ctx.reply(
        _(
            "Survey {name} is posted in {where}.",
            name=found.handle,
            where=ctx.channel_mention(target),
        ),
        ephemeral=True,
    )


@feature.command("survey answer", help=N_("Answer a survey"), args=[SURVEY], ephemeral=True)
async def survey_answer(ctx: Context, survey: str) -> None:
    found = await surveys.find(ctx, survey)
    await surveys.open_form(ctx, found.id)


@feature.button("answer")
async def on_answer(ctx: Context, event: ButtonPressed) -> None:
    await surveys.open_form(ctx, int(event.action_id.rsplit(":", 1)[-1]))


@feature.form("survey")
async def on_survey_form(ctx: Context, event: FormSubmitted) -> None:
    survey, first = await surveys.answer(ctx, int(event.form_id.rsplit(":", 1)[-1]), event.values)
    await ctx.reply(render_surveys.answered_text(survey, first), ephemeral=True)


@feature.command(
    "survey results",
    help=N_("A survey's answers, question by question"),
    args=[SURVEY],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def survey_results(ctx: Context, survey: str) -> None:
    await ctx.reply(await surveys.summary(ctx, survey), ephemeral=True)


@feature.command(
    "survey list",
    help=N_("List surveys and their responses"),
    level=Level.MODERATOR,
    ephemeral=True,
)
async def survey_list(ctx: Context) -> None:
    await ctx.reply(render_surveys.survey_list(await surveys.everything(ctx)), ephemeral=True)


@feature.command(
    "survey close",
    help=N_("Stop taking answers for a survey"),
    args=[SURVEY],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def survey_close(ctx: Context, survey: str) -> None:
    closed = await surveys.close(ctx, survey)
    await ctx.reply(_("Survey {name} is closed.", name=closed.handle), ephemeral=True)


@feature.on(MemberLeft)
async def exit_survey(ctx: Context, event: MemberLeft) -> None:
    """Ask why, where the platform can still reach the member; otherwise stay quiet."""
    if ctx.actor is None or not ctx.config_of(PollsConfig).exit_survey:
        return
    if not ctx.can(event.member.ref.platform, Capability.DM):
        return
    await surveys.ask_leaver(ctx, ctx.actor)
