"""Check-ins and people: what is exported, what is erased, what metrics may count."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.features.checkins import service
from bot.i18n import _
from bot.stats import Figure, Window


async def export_person(ctx: Context, person_id: int) -> dict[str, Any]:
    """Every answer and skip the person gave, and their joins, leaves and pauses."""
    return await service.store(ctx).export(person_id)


async def forget_person(ctx: Context, person_id: int) -> None:
    """Answers are the person's own words: they go, with deliveries and choices.

    Summaries already posted are messages on the platform and stay as they were
    posted; nothing Agora stores keeps the answers after this.
    """
    await service.store(ctx).forget(person_id)


async def figures(ctx: Context, window: Window) -> list[Figure]:
    """Check-in DMs sent in the window and the share answered (skips count as not)."""
    rate = await service.store(ctx).rate(window.start, window.end)
    group = _("Check-ins")
    share = round(100 * rate.answered / rate.sent, 1) if rate.sent else None
    return [
        Figure("checkins_sent", _("Check-in questions sent"), rate.sent, group=group),
        Figure("checkins_answered", _("Check-ins answered"), rate.answered, group=group),
        Figure("checkins_skipped", _("Check-ins skipped"), rate.skipped, group=group),
        Figure("checkins_response_rate", _("Check-in response rate"), share, unit="%", group=group),
    ]
