"""Cached Slack lookups: bounded, shared between concurrent callers, failures degrade."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fake_slack import TEAM, USERS, FakeSlack
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.people import SlackPeople
from adapters.slack.translate import Needs


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def people(fake: FakeSlack) -> AsyncIterator[tuple[SlackPeople, Ticks]]:
    ticks = Ticks()
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_base)
    yield SlackPeople(client, ttl=60, clock=ticks), ticks


async def test_concurrent_lookups_share_one_request(
    fake: FakeSlack, people: tuple[SlackPeople, Ticks]
) -> None:
    slack, ticks = people
    members = await asyncio.gather(*(slack.member(TEAM, USERS["bob"]) for _ in range(5)))
    assert {m.name for m in members if m} == {"bob"}
    assert len(fake.called("users.info")) == 1
    assert members[0] is not None and members[0].roles == frozenset({"moderators"})
    await slack.member(TEAM, USERS["bob"])
    assert len(fake.called("users.info")) == 1  # cached
    ticks.now = 61
    await slack.member(TEAM, USERS["bob"])
    assert len(fake.called("users.info")) == 2  # expired


async def test_failed_lookups_degrade_to_bare_ids(
    fake: FakeSlack, people: tuple[SlackPeople, Ticks]
) -> None:
    slack, _ticks = people
    lookup = await slack.lookup(Needs(TEAM, ("U9999",), ("C9999",)), frozenset())
    member = lookup.member("U9999")
    assert (member.name, member.roles) == ("U9999", frozenset())
    assert lookup.channel("C9999").name == "C9999"


async def test_user_groups_without_the_scope_are_not_asked_again(
    fake: FakeSlack, people: tuple[SlackPeople, Ticks]
) -> None:
    slack, ticks = people
    fake.fail("usergroups.list", "missing_scope")
    alice = await slack.member(TEAM, USERS["alice"])
    assert alice is not None and alice.roles == frozenset({"admin", "owner"})
    await slack.member(TEAM, USERS["bob"])
    assert len(fake.called("usergroups.list")) == 1
    ticks.now = 60 * 6 + 1
    await slack.groups()
    assert len(fake.called("usergroups.list")) == 2


async def test_pushed_user_objects_are_used_without_asking(
    fake: FakeSlack, people: tuple[SlackPeople, Ticks]
) -> None:
    slack, _ticks = people
    slack.remember({"id": "U0042", "name": "dave", "profile": {"display_name": "Dave"}})
    dave = await slack.member(TEAM, "U0042")
    assert dave is not None and dave.display_name == "Dave"
    assert fake.called("users.info") == []
