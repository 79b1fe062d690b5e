"""`/kudos privacy on|off`: members who would rather not be shown on public boards.

Some members like being thanked but not being ranked in public (shy, or simply not
competitive). Hidden members keep every kudos and badge and still see their own
place (`/kudos me`, `/leaderboard`), but leaderboards, the weekly post and spotlights
leave them out, and their badges are announced to them by DM rather than in the
badge channel. The choice is per person (linked accounts share it) and is part of
their data export.
"""

from __future__ import annotations

from bot.context import Context
from bot.features.kudos import render
from bot.features.kudos.rules import zone
from bot.features.kudos.store import BoardPrivacy
from bot.i18n import _

SETTINGS = ("on", "off")


def privacy(ctx: Context) -> BoardPrivacy:
    return ctx.repo(BoardPrivacy)  # type: ignore[type-abstract]


async def is_hidden(ctx: Context, person_id: int) -> bool:
    return await privacy(ctx).hidden_since(person_id) is not None


async def choose(ctx: Context, setting: str | None) -> str:
    """Turn privacy on or off, or (no setting) say how it is."""
    me = ctx.member()
    store = privacy(ctx)
    if setting == "on":
        await store.hide(me.person_id, ctx.now())
        return _(
            "Done: leaderboards and spotlights no longer show you. Your kudos and badges "
            "stay, and /kudos me still shows your place. /kudos privacy off shows you again."
        )
    if setting == "off":
        await store.show(me.person_id)
        return _("Leaderboards and spotlights show you again.")
    since = await store.hidden_since(me.person_id)
    if since is None:
        return _(
            "Leaderboards and spotlights show you. /kudos privacy on keeps you off them "
            "(your kudos and badges stay)."
        )
    tz = zone(me.timezone, ctx.runtime.config.bot.timezone)
    return _(
        "Leaderboards and spotlights have not shown you since {date}. /kudos privacy off "
        "shows you again.",
        date=render.day(since, tz),
    )
