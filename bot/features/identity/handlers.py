"""`/link`, `/unlink`, `/mydata export|forget`: one member across Discord and Slack."""

from __future__ import annotations

from bot.args import WordArg
from bot.context import Context, UserError
from bot.dispatch import actor_of
from bot.features.identity import service
from bot.features.identity.config import IdentityConfig
from bot.features.identity.render import export_message, forget_confirmation, linked_text
from bot.i18n import N_, _
from bot.model import ButtonPressed, CommandInvoked, MemberJoined, Outgoing
from bot.needs import Need
from bot.registry import Feature

feature = Feature(
    "identity", config=IdentityConfig, description=N_("One member across Discord and Slack")
)


@feature.requires
def needs(section: IdentityConfig) -> set[Need]:
    """Linking suggestions look at every newcomer's email."""
    return {Need.MEMBER_EVENTS} if section.suggest_by_email else set()


@feature.command(
    "link",
    help=N_("Link your accounts on Discord and Slack (run it on one, enter the code on the other)"),
    args=[WordArg("code", N_("the code /link gave you on your other account"), required=False)],
    ephemeral=True,
)
async def link(ctx: Context, code: str | None) -> None:
    if code:
        accounts = await service.redeem(ctx, code)
        await ctx.reply(linked_text(accounts, service.platform_name), ephemeral=True)
        return
    issued, minutes = await service.issue_code(ctx)
    await ctx.reply(
        _(
            "Your link code is {code}. On the other platform, type /link {code} within "
            "{minutes} minutes. Never share it: whoever enters it becomes you.",
            code=issued,
            minutes=minutes,
        ),
        ephemeral=True,
    )


@feature.command(
    "unlink", help=N_("Separate this account from your other accounts"), ephemeral=True
)
async def unlink(ctx: Context) -> None:
    await service.unlink(ctx)
    await ctx.reply(
        _(
            "This account is on its own again. Your history so far stays with your other "
            "accounts; from now on this one collects its own."
        ),
        ephemeral=True,
    )


@feature.command(
    "mydata export", help=N_("Get a copy of everything Agora stores about you"), ephemeral=True
)
async def mydata_export(ctx: Context) -> None:
    actor = ctx.actor
    if actor is None:
        return
    data = await service.export_person(ctx, actor.person_id)
    sent = await ctx.send(export_message(actor.ref, data, ctx.now().strftime("%Y%m%d")))
    if sent is None:
        raise UserError(
            _("I could not send you a direct message. Allow DMs from this server and try again.")
        )
    await ctx.reply(_("I sent you a direct message with your data."), ephemeral=True)


@feature.command("mydata forget", help=N_("Erase everything Agora knows about you"), ephemeral=True)
async def mydata_forget(ctx: Context) -> None:
    text, blocks = forget_confirmation(
        feature.action_id("forget", "yes"), feature.action_id("forget", "no")
    )
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.button("forget")
async def on_forget(ctx: Context, event: ButtonPressed) -> None:
    actor = ctx.actor
    if actor is None:
        return
    if not event.action_id.endswith(":yes"):
        await ctx.reply(_("Nothing was erased."), ephemeral=True)
        return
    report = await service.forget_person(ctx, actor.person_id)
    await ctx.reply(
        _(
            "Done: everything Agora knew about you is erased ({rows} records). If you keep "
            "chatting here, Agora starts from zero.",
            rows=report.rows,
        ),
        ephemeral=True,
    )


@feature.on(MemberJoined)
@feature.on(CommandInvoked)
async def suggest_link(ctx: Context, event: MemberJoined | CommandInvoked) -> None:
    """Platforms that report a verified email let us suggest linking — never do it unasked."""
    member = actor_of(event)
    if member is None or not member.email or ctx.actor is None:
        return
    if not ctx.config_of(IdentityConfig).suggest_by_email:
        return
    for other in await service.suggest_by_email(ctx, ctx.actor, member.email):
        text = _(
            "You seem to be on {platform} too. To make both accounts one member (kudos and "
            "history together), type /link there and enter the code here with /link CODE.",
            platform=service.platform_name(other.platform),
        )
        ctx.deliver(Outgoing(text, dm=ctx.actor.ref))
