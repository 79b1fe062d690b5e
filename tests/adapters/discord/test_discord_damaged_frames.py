"""Damaged gateway frames through the real discord.py and our translator: never a crash.

Each example takes a real sample (message, reaction, member join/leave/update, thread,
slash command, button, modal submit), damages its payload (`payload_mutations`:
fields dropped, wrong types, huge strings, control characters) and sends it through
the fake gateway to a running bot. What discord.py cannot parse is logged and skipped
by the parser guard (`adapters.discord.frames`); what our translator cannot read is
logged and skipped by the adapter. Neither may end the connection, leave an
exception unhandled, or hand the core a malformed event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from discord_kit import Bot, running
from fake_discord import fake_discord, frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from payload_mutations import mutate

from bot.model import Event, MessagePosted

SAMPLES = (
    "message_create",
    "message_reaction_add",
    "message_reaction_remove",
    "guild_member_add",
    "guild_member_remove",
    "guild_member_update",
    "thread_create",
    "interaction_create_slash_command",
    "interaction_create_button",
    "interaction_create_modal_submit",
)


@contextmanager
def unhandled_errors(runner: asyncio.Runner) -> Iterator[list[dict[str, Any]]]:
    """Whatever reaches the event loop's exception handler (a task that died)."""
    found: list[dict[str, Any]] = []
    loop = runner.get_loop()
    loop.set_exception_handler(lambda _loop, context: found.append(context))
    try:
        yield found
    finally:
        loop.set_exception_handler(None)


def well_formed(event: Event) -> bool:
    return isinstance(event.event_id, str) and event.event_id.startswith("discord:")


def test_damaged_frames_are_skipped_and_the_bot_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with asyncio.Runner() as runner, unhandled_errors(runner) as errors:
        fake_context = fake_discord()
        fake = runner.run(fake_context.__aenter__())
        bot_context = running(fake)
        bot: Bot = runner.run(bot_context.__aenter__())
        try:

            @settings(
                max_examples=150,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(name=st.sampled_from(SAMPLES), data=st.data())
            def damaged(name: str, data: st.DataObject) -> None:
                item = frame(name)
                item["d"] = mutate(item["d"], data)
                runner.run(fake.send(item))
                runner.run(bot.settle())

            damaged()
            runner.run(fake.send(frame("message_create")))  # and an intact one after
            runner.run(bot.until(lambda: bool(bot.recorder.of(MessagePosted))))
            assert not bot.adapter.failure and bot.adapter.connected
            assert len(fake.identifies) == 1 and not fake.resumes, "a frame cost the session"
            assert all(well_formed(e) for e in bot.recorder.events)
        finally:
            runner.run(bot_context.__aexit__(None, None, None))
            runner.run(fake_context.__aexit__(None, None, None))
    assert not errors, errors[:3]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped, "no damaged frame was ever refused: the damage did not reach the parsers"
