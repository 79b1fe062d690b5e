"""Is Agora healthy? Database reachable, adapters connected, scheduler running, events flowing.

Served as JSON on `/healthz` when `[bot] health_port` is set (for Docker, Kubernetes,
uptime checks): 200 when healthy, 503 when degraded, so a probe needs no parsing.
Each part is asked for its real state — an adapter whether its connection is up
now, the scheduler whether APScheduler runs — and `[bot] health_max_event_age` turns
a bot that has heard nothing for that long into "degraded" (a silently dead gateway
looks connected from our side).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App


def _quiet_for(app: App) -> float | None:
    """Seconds since the last event (since the start, before the first one)."""
    since = app.dispatcher.last_event_at or app.started_at
    return (app.runtime.clock.now() - since).total_seconds() if since is not None else None


async def snapshot(app: App) -> dict[str, Any]:
    database = await app.runtime.storage.healthy()
    adapters = {a.name: bool(a.connected) for a in app.adapters}
    scheduler = app.started and app.scheduler.running
    last = app.dispatcher.last_event_at
    age = (app.runtime.clock.now() - last).total_seconds() if last is not None else None
    limit = app.config.bot.health_max_event_age
    quiet = _quiet_for(app)
    stale = bool(limit) and quiet is not None and quiet > limit
    healthy = database and app.started and scheduler and all(adapters.values()) and not stale
    # What adapters ask an admin to fix (a Slack channel the bot was not invited to);
    # it does not make Agora unhealthy.
    warnings = [str(w) for a in app.adapters for w in getattr(a, "warnings", ())]
    return {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "adapters": adapters,
        "warnings": warnings,
        "scheduler": scheduler,
        "last_event_age_seconds": age,
        "events_stale": stale,
        "events": {
            "handled": app.dispatcher.handled,
            "duplicates": app.dispatcher.duplicates,
            "failures": app.dispatcher.failures,
        },
    }


async def serve_health(app: App, host: str, port: int) -> web.AppRunner:
    async def healthz(_request: web.Request) -> web.Response:
        body = await snapshot(app)
        return web.json_response(body, status=200 if body["status"] == "ok" else 503)

    server = web.Application()
    server.router.add_get("/healthz", healthz)
    from bot.features.metrics import prometheus

    if prometheus.enabled(app):  # [features.metrics] prometheus = true

        async def metrics(_request: web.Request) -> web.Response:
            body = await prometheus.exposition(app)
            return web.Response(body=body, headers={"Content-Type": prometheus.CONTENT_TYPE})

        server.router.add_get("/metrics", metrics)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
