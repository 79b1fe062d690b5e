"""`/idea`, `/ideas` and the Support button, wired to the ideas board."""

from __future__ import annotations

from bot.args import TextArg, WordArg
from bot.context import Context
from bot.features.polls import ideas, render_ideas
from bot.features.polls.feature import feature
from bot.features.polls.poll_handlers import number
from bot.i18n import N_, _
from bot.model import ButtonPressed, FieldKind, Form, FormField, FormSubmitted, Level, Ref


@feature.command(
    "idea",
    verb="propose",
    help=N_("Propose an idea: /idea Short title. Details… (without text: a form)"),
    args=[TextArg("idea", N_("the first sentence is the title"), required=False)],
    ephemeral=True,
)
async def idea_command(ctx: Context, idea: str) -> None:
    if not idea.strip():
        await ctx.open_form(
            Form(
                feature.action_id("idea"),
                _("Propose an idea"),
                (
                    FormField("title", _("Your idea in one sentence")),
                    FormField(
                        "details", _("Details (why it helps)"), FieldKind.PARAGRAPH, required=False
                    ),
                ),
                submit_label=_("Propose"),
                context=str(ctx.channel.ref) if ctx.channel else "",
            )
        )
        return
    title, details = ideas.split_idea(idea)
    await _propose(ctx, title, details, ctx.channel.ref if ctx.channel else None)


@feature.form("idea")
async def on_idea_form(ctx: Context, event: FormSubmitted) -> None:
    title, details = ideas.split_idea(event.values.get("title", ""))
    extra = event.values.get("details", "").strip()
    try:
        where = Ref.parse(event.context)  # the channel the form was opened from
    except ValueError:
        where = None
    await _propose(ctx, title, "\n".join(part for part in (details, extra) if part), where)


async def _propose(ctx: Context, title: str, details: str, where: Ref | None) -> None:
    posted = await ideas.propose(ctx, title, details, where=where)
    board = ctx.channel_mention(posted.channel)
    await ctx.reply(render_ideas.posted_text(posted, board), ephemeral=True)


@feature.button("support")
async def on_support(ctx: Context, event: ButtonPressed) -> None:
    idea_id = int(event.action_id.rsplit(":", 1)[-1])
    idea, supported = await ideas.support(ctx, idea_id)
    await ctx.reply(render_ideas.support_feedback(idea, supported), ephemeral=True)


@feature.command(
    "idea status",
    help=N_("Set an idea's status: planned, in-progress, done, declined (with a reason), new"),
    args=[
        WordArg("idea", N_("the idea's number")),
        WordArg("status", N_("planned, in-progress, done, declined or new")),
        TextArg("note", N_("a note everyone sees (required for declined)"), required=False),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def idea_status(ctx: Context, idea: str, status: str, note: str) -> None:
    updated, notified = await ideas.change_status(
        ctx, number(idea), ideas.parse_status(status), note
    )
    await ctx.reply(render_ideas.status_changed(updated, notified), ephemeral=True)


@feature.command(
    "ideas",
    help=N_("The ideas board: /ideas [top|new|planned|in-progress|done|declined]"),
    args=[WordArg("view", N_("top, new, or a status such as planned"), required=False)],
    ephemeral=True,
)
async def ideas_board(ctx: Context, view: str | None) -> None:
    shown, found = await ideas.board(ctx, view)
    propose = "/" + ctx.command_path("idea")
    await ctx.reply(render_ideas.board_text(shown, found, propose), ephemeral=True)
