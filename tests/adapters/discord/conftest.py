"""Fixtures for the Discord adapter tests: a fake Discord and a running bot against it.

Every test here is held to 127.0.0.1: name resolution of any other host fails, so
nothing can reach the real Discord by mistake. The payload samples live beside the
repository (`../shared/payloads`); without them these tests are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from discord_kit import Bot, running
from fake_discord import PAYLOADS, FakeDiscord, fake_discord
from kit_common import stay_local

if not PAYLOADS.exists():
    pytest.skip(f"payload samples not found at {PAYLOADS}", allow_module_level=True)


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stay_local(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with fake_discord() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[Bot]:
    async with running(fake) as started:
        yield started


@pytest.fixture
def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Warnings and errors logged during the test (voice support notices aside)."""
    caplog.set_level(logging.INFO)
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING and "voice" not in record.getMessage():
                records.append(record)

    handler = Collect()
    logging.getLogger().addHandler(handler)
    yield records  # type: ignore[misc]
    logging.getLogger().removeHandler(handler)
