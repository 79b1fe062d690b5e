"""The channels the config names, against the workspace: join_channels by name, and
warnings for channels the bot was never invited to."""

from __future__ import annotations

import logging

import pytest
from fake_slack import CHANNELS, FakeSlack, load
from slack_kit import running, running_real

from adapters.slack.channels import Listed, bare, membership, named_in, resolve
from bot.health import snapshot
from bot.model import MemberJoined

LISTED = [
    Listed("C0001", "general", True),
    Listed("C0002", "help", False),
]


def test_join_channels_take_names_and_ids() -> None:
    ids, unknown = resolve(["#General", "C0002", "nowhere", "C0999"], LISTED)
    assert ids == frozenset({"C0001", "C0002", "C0999"})  # an unlisted id is kept
    assert unknown == ["nowhere", "C0999"]


def test_configured_channels_are_found_at_any_depth() -> None:
    section = {
        "questions": {"ask_channel": "help", "help_channels": ["#support"], "quiet_hours": ""},
        "checkins": {"checkins": [{"channel": "standup", "title": "x"}]},
        "kudos": {"leaderboard_channel": "", "channel_topics": {"rust": "lang"}},
    }
    assert sorted(named_in(section)) == ["#support", "help", "standup"]
    assert bare(" #Mod-Queue ") == "mod-queue"


def test_membership_tells_apart_not_invited_and_missing() -> None:
    found = membership(["general", "#help", "HELP", "mod-queue"], LISTED)
    assert found.not_member == ("help",)
    assert found.not_found == ("mod-queue",)
    [invite, missing] = found.warnings("T0001", "agora")
    assert "#help" in invite and "/invite @agora" in invite
    assert "#mod-queue" in missing and "private" in missing


async def test_startup_warns_about_configured_channels_the_bot_is_not_in(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    fake.not_member.add(CHANNELS["help"])
    fake.unlisted.add(CHANNELS["mod-queue"])  # private, and the bot was never invited
    async with running_real(fake) as bot:
        [invite, missing] = bot.adapter.warnings
        body = await snapshot(bot.app)
    assert "#help" in invite and "/invite @agora" in invite  # questions' ask_channel
    assert "#mod-queue" in missing  # moderation's queue_channel
    assert body["warnings"] == [invite, missing]
    logged = [r.getMessage() for r in caplog.records]
    assert invite in logged and missing in logged


async def test_no_warning_when_the_bot_is_everywhere(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        assert bot.adapter.warnings == []


async def test_join_channels_by_name(fake: FakeSlack) -> None:
    async with running(fake, join_channels=["#general", "lobby"]) as bot:
        assert bot.adapter.join_channels("T0001") == frozenset({CHANNELS["general"]})
        await bot.event(load("http/event_member_joined_channel.json"))
        await bot.settle()
        assert len(bot.recorder.of(MemberJoined)) == 1
