"""Live counters in the Prometheus text format, for `/metrics` on the health server.

Served only when `[features.metrics] prometheus = true` (and `[bot] health_port` is
set). Each scrape reads the dispatcher's counters and runs three small aggregate
queries over the last 24 hours; nothing identifies a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.context import Context, Work
from bot.features.metrics.compute import span_shifts, store
from bot.features.metrics.config import MetricsConfig
from bot.model import Level
from bot.ports import Directory
from bot.stats import Window

if TYPE_CHECKING:
    from bot.app import App

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def enabled(app: App) -> bool:
    section = app.runtime.enabled_features().get("metrics")
    return isinstance(section, MetricsConfig) and section.prometheus


class _Ready(Collector):
    """Hands prometheus_client the families already gathered (collection is async)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


async def families(app: App) -> list[Metric]:
    runtime = app.runtime
    dispatcher = app.dispatcher
    found: list[Metric] = []
    for name, help_text, value in (
        ("agora_events_handled", "Events handled since start.", dispatcher.handled),
        ("agora_events_duplicate", "Duplicate events ignored since start.", dispatcher.duplicates),
        ("agora_events_failed", "Events that failed since start.", dispatcher.failures),
    ):
        found.append(CounterMetricFamily(name, help_text, value=value))
    feature = runtime.registry.features["metrics"]
    async with runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(runtime, uow), feature, None, level=Level.ADMIN)
        now = ctx.now()
        day = Window(now - timedelta(days=1), now)
        offsets = span_shifts(ctx, now - timedelta(days=31), now)
        reach = await store(ctx).reach(day, offsets)
        hours = await store(ctx).hours(day, offsets)
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        members = GaugeMetricFamily(
            "agora_members", "Members now (a linked person counts once).", labels=["platform"]
        )
        members.add_metric(["all"], await directory.count_members())
        for platform in sorted(runtime.ports):
            members.add_metric([platform], await directory.count_members(platform))
    found.append(members)
    active = GaugeMetricFamily(
        "agora_active_members",
        "Persons who posted or reacted in the trailing window.",
        labels=["window"],
    )
    for label, value in (("24h", reach.active), ("7d", reach.wau), ("30d", reach.mau)):
        active.add_metric([label], value)
    found.append(active)
    recent = GaugeMetricFamily(
        "agora_activity_24h", "Activity facts in the last 24 hours, by kind.", labels=["kind"]
    )
    kinds: dict[str, int] = {}
    for hour in hours:
        kinds[hour.kind] = kinds.get(hour.kind, 0) + hour.count
    for kind, count in sorted(kinds.items()):
        recent.add_metric([kind], count)
    found.append(recent)
    return found


async def exposition(app: App) -> bytes:
    """The scrape body."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Ready(await families(app)))
    return generate_latest(registry)
