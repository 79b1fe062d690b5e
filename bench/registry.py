"""Which modules hold benchmarks, in the order the table lists them."""

from __future__ import annotations

import importlib
import traceback

from bench.framework import BENCHMARKS, Benchmark

MODULES = (
    "ingest",
    "write_path",
    "scheduler_stall",
    "commands",
    "cold_start",
    "questions_faq",
    "kudos_leaderboard",
    "kudos_give",
    "polls_votes",
    "moderation_raid",
    "soak",
    "discord_gateway",
    "slack_events",
    "checkins_dms",
    "metrics",
)


def load_benchmarks(errors: dict[str, str] | None = None) -> dict[str, Benchmark]:
    """Import every benchmark module; a module that fails to import lands in `errors`."""
    for module in MODULES:
        try:
            importlib.import_module(f"bench.{module}")
        except Exception:
            if errors is None:
                raise
            errors[module] = traceback.format_exc(limit=3)
    return BENCHMARKS
