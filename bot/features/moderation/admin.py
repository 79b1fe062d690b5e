"""`agora modlog export`: the audit log as CSV, for an admin at the command line."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import AgoraConfig
from bot.context import Context, Work
from bot.features.moderation import reports


async def export_log(config: AgoraConfig, *, days: int | None = None) -> str:
    """The audit log as CSV text: the last `days` days, or all of it when None."""
    from bot.app import build_app
    from bot.features.moderation.handlers import feature

    app = await build_app(config)
    try:
        async with app.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(app.runtime, uow), feature, None)
            start: datetime | None = ctx.now() - timedelta(days=days) if days else None
            return await reports.export_csv(ctx, start, None)
    finally:
        await app.stop()
