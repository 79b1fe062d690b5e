"""Socket Mode end to end: apps.connections.open → WebSocket hello → envelopes → acks."""

from __future__ import annotations

from typing import Any

from fake_slack import USERS, FakeSlack, load
from kit_common import SlowCore
from slack_kit import ENV, UnhurriedCore, running

from bot.model import CommandInvoked, MessagePosted


def ack_for(fake: FakeSlack, envelope_id: str) -> Any:
    return next((a for a in fake.acks if a.get("envelope_id") == envelope_id), None)


def events_envelope(envelope_id: str, payload: dict[str, Any], attempt: int = 0) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "payload": payload,
        "accepts_response_payload": False,
        "retry_attempt": attempt,
        "retry_reason": "timeout" if attempt else "",
    }


async def test_slash_command_over_socket_mode(fake: FakeSlack) -> None:
    async with running(fake, mode="socket", env={**ENV, "SLACK_SIGNING_SECRET": ""}) as bot:
        [opened] = fake.called("apps.connections.open")
        assert opened.token == ENV["SLACK_APP_TOKEN"]
        envelope = fake.localize(load("socket_mode/socket_mode_envelope_slash_command.json"))
        fake.push(envelope)
        ack = await fake.wait_for(lambda: ack_for(fake, envelope["envelope_id"]))
        assert ack == {"envelope_id": envelope["envelope_id"]}
        await bot.settle()
        [command] = bot.recorder.of(CommandInvoked)
        assert command.name == "kudos"
        assert command.actor.ref.id == USERS["alice"]
        [(path, reply)] = fake.hooks
        assert path.startswith("commands/T0001/")
        assert reply["response_type"] == "ephemeral"


async def test_events_retried_over_socket_mode_run_once(fake: FakeSlack) -> None:
    async with running(fake, mode="socket") as bot:
        payload = load("http/event_message.json")
        for attempt, envelope_id in enumerate(["e-1", "e-2", "e-3"]):
            fake.push(events_envelope(envelope_id, payload, attempt))
        await fake.wait_for(lambda: all(ack_for(fake, e) for e in ("e-1", "e-2", "e-3")))
        await bot.settle()
        assert len(bot.recorder.of(MessagePosted)) == 1
        assert bot.app.dispatcher.duplicates == 2


async def test_envelopes_nobody_handles_are_still_acked(fake: FakeSlack) -> None:
    async with running(fake, mode="socket") as bot:
        unknown = load("http/event_message.json")
        unknown["event"] = {"type": "pin_added", "user": USERS["bob"]}
        fake.push(events_envelope("e-unknown", unknown))
        fake.push(events_envelope("e-empty", {}))
        fake.push(
            {"envelope_id": "e-odd", "type": "interactive", "payload": {"type": "block_actions"}}
        )
        await fake.wait_for(
            lambda: all(ack_for(fake, e) for e in ("e-unknown", "e-empty", "e-odd"))
        )
        await bot.settle()
        assert bot.recorder.events == []


async def test_malformed_envelopes_that_make_bolt_raise_are_acked(fake: FakeSlack) -> None:
    async with running(fake, mode="socket") as bot:
        event_list = load("http/event_message.json")
        event_list["event"] = [1, 2]
        view_text = load("http/view_submission.json")
        view_text["view"] = "not a view"
        no_action_id = load("http/block_actions.json")
        del no_action_id["actions"][0]["action_id"]
        team_number = load("http/block_actions.json")
        team_number["team"] = 5
        fake.push(events_envelope("e-list", event_list))
        for envelope_id, payload in (
            ("i-view", view_text),
            ("i-action", no_action_id),
            ("i-team", team_number),
        ):
            fake.push({"envelope_id": envelope_id, "type": "interactive", "payload": payload})
        wanted = ("e-list", "i-view", "i-action", "i-team")
        await fake.wait_for(lambda: all(ack_for(fake, e) for e in wanted))
        await bot.settle()
        assert bot.recorder.events == []


async def test_an_event_envelope_is_acked_after_the_core_committed_it(fake: FakeSlack) -> None:
    async with running(fake, mode="socket") as bot:
        UnhurriedCore(bot.app, 0.2)
        handled_at_ack: dict[str, int] = {}
        fake.on_ack = lambda ack: handled_at_ack.setdefault(
            ack["envelope_id"], bot.app.dispatcher.handled
        )
        fake.push(events_envelope("e-commit", load("http/event_reaction_added.json")))
        await fake.wait_for(lambda: ack_for(fake, "e-commit"))
        assert handled_at_ack["e-commit"] == 1  # committed before Slack heard back


async def test_a_slow_core_still_gets_its_event_envelopes_acked(fake: FakeSlack) -> None:
    async with running(fake, mode="socket") as bot:
        bot.adapter.ack_within = 0.05  # the deadline, shortened: the core never answers in time
        core = SlowCore(bot.app)
        for n in range(3):
            payload = load("http/event_message.json")
            payload["event"]["ts"] = f"1748858800.{n:06d}"
            fake.push(events_envelope(f"e-slow-{n}", payload))
        await fake.wait_for(lambda: all(ack_for(fake, f"e-slow-{n}") for n in range(3)))
        assert not bot.recorder.of(MessagePosted)  # acked while the core still holds them
        core.release.set()
        await bot.settle()
        assert len(bot.recorder.of(MessagePosted)) == 3
