"""`agora export events`: every event as one iCalendar file, for a shared calendar.

Each occurrence of a recurring event is its own entry (they are posted one by one),
cancelled ones included with STATUS:CANCELLED so calendars that imported them before
drop them.
"""

from __future__ import annotations

from bot.config import AgoraConfig
from bot.context import Context, UserError, Work
from bot.features.events import ics, service
from bot.features.events.handlers import feature
from bot.i18n import _
from bot.model import Level


async def export_calendar(config: AgoraConfig) -> bytes:
    from bot.app import build_app

    app = await build_app(config)
    try:
        if feature.name not in app.runtime.registry.features:
            raise UserError(_("The events feature is turned off in this configuration."))
        async with app.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(app.runtime, uow), feature, None, level=Level.ADMIN)
            found = await service.store(ctx).everything()
            return ics.calendar(found, community=ctx.community, now=ctx.now())
    finally:
        await app.stop()
