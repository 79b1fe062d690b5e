"""`[slack] user_groups = true`: reward roles as Slack user groups, against the fake.

The port reads a group's members and writes the whole list back (Slack replaces it),
one change at a time per group; the last member out disables the group; whatever Slack
refuses becomes PlatformRefused, and the growth feature keeps its perk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from fake_slack import TEAM, USERS, Call, FakeSlack
from slack_kit import Bot, running
from slack_sdk.web.async_client import AsyncWebClient
from test_slack_oauth import OAUTH, SECOND, install

from adapters.slack.manifest import build_manifest
from adapters.slack.port import Connection, SlackPort
from adapters.slack.user_groups import UserGroups, handle_for
from bot.config import AgoraConfig, ConfigError, SlackConfig, load_config
from bot.features.growth.store import Perks
from bot.features.kudos.store import KudosLedger, NewKudos, Source
from bot.model import Capability, Ref
from bot.ports import CapabilityMissing, Directory, PlatformRefused
from bot.registry import Registry
from bot.testing import Harness
from tests.features.growth.conftest import growth

ALICE, BOB, CAROL = (Ref("slack", TEAM, USERS[n]) for n in ("alice", "bob", "carol"))
WRITES = ("usergroups.users.update", "usergroups.create", "usergroups.disable", "usergroups.enable")


@pytest.fixture
async def bot(fake: FakeSlack) -> AsyncIterator[Bot]:
    async with running(fake, user_groups=True) as started:
        yield started


def writes(fake: FakeSlack) -> list[str]:
    return [c.method for c in fake.calls if c.method in WRITES]


async def test_without_the_switch_slack_has_no_roles_and_asks_nothing(fake: FakeSlack) -> None:
    async with running(fake) as plain:
        port = plain.adapter.port
        assert Capability.ROLES not in port.capabilities
        before = len(fake.calls)
        for attempt in (port.add_role(CAROL, "Moderators"), port.remove_role(BOB, "Moderators")):
            with pytest.raises(CapabilityMissing):
                await attempt
        assert fake.calls[before:] == []


async def test_a_grant_adds_the_member_and_a_revoke_takes_them_out(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    assert Capability.ROLES in port.capabilities
    await port.add_role(CAROL, "moderators")  # the handle, any case
    assert fake.members_of("moderators") == [BOB.id, CAROL.id]
    [update] = fake.called("usergroups.users.update")
    assert (update.args["usergroup"], update.token) == ("S0001", "xoxb-test-bot")
    await port.add_role(CAROL, "MODERATORS")  # the name: there already, nothing written
    assert writes(fake) == ["usergroups.users.update"]
    assert len(fake.called("usergroups.list")) <= 2  # cached (people may have listed too)
    await port.remove_role(CAROL, "Moderators")
    assert fake.members_of("moderators") == [BOB.id]
    await port.remove_role(CAROL, "Moderators")  # not in it: nothing to do
    assert writes(fake) == ["usergroups.users.update"] * 2


async def test_the_last_member_out_disables_the_group_and_a_grant_enables_it(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    await port.remove_role(BOB, "Moderators")
    assert writes(fake) == ["usergroups.disable"]  # Slack refuses an empty list
    assert fake.members_of("moderators") is None
    await port.remove_role(BOB, "Moderators")  # a disabled group counts as empty
    await port.add_role(CAROL, "Moderators")
    assert writes(fake) == ["usergroups.disable", "usergroups.enable", "usergroups.users.update"]
    assert fake.members_of("moderators") == [CAROL.id]  # bob stays out


async def test_two_grants_at_once_both_land(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    fake.slow("usergroups.users.list", 0.05)  # both would read [bob] without the lock
    await asyncio.gather(port.add_role(CAROL, "Moderators"), port.add_role(ALICE, "Moderators"))
    assert sorted(fake.members_of("moderators") or []) == sorted([BOB.id, CAROL.id, ALICE.id])
    await asyncio.gather(port.remove_role(CAROL, "Moderators"), port.remove_role(BOB, "Moderators"))
    assert fake.members_of("moderators") == [ALICE.id]


async def test_a_missing_group_is_refused_unless_creation_is_on(fake: FakeSlack) -> None:
    async with running(fake, user_groups=True) as bot:
        with pytest.raises(PlatformRefused, match=r"@core-helpers.*create_user_groups"):
            await bot.adapter.port.add_role(CAROL, "Core Helpers")
        assert writes(fake) == []
        await bot.adapter.port.remove_role(CAROL, "Core Helpers")  # nothing to take back
    async with running(fake, user_groups=True, create_user_groups=True) as bot:
        port = bot.adapter.port
        await asyncio.gather(
            port.add_role(CAROL, "Core Helpers"), port.add_role(ALICE, "Core Helpers")
        )
        [created] = fake.called("usergroups.create")  # once, for both grants
        assert (created.args["name"], created.args["handle"]) == ("Core Helpers", "core-helpers")
        assert sorted(fake.members_of("core-helpers") or []) == sorted([CAROL.id, ALICE.id])
        await port.add_role(BOB, "core-helpers")
        assert len(fake.called("usergroups.create")) == 1


def test_handles_are_slugs_of_the_role() -> None:
    assert handle_for("Core Helpers") == "core-helpers"
    assert handle_for("Ærlig Ørn / Ålesund") == "aerlig-orn-alesund"
    assert handle_for("Señor.Dev") == "senor.dev"
    assert handle_for("🎉") == ""


@pytest.mark.parametrize(
    ("method", "code", "hint"),
    [
        ("usergroups.list", "missing_scope", "usergroups:write"),
        ("usergroups.users.update", "permission_denied", "User Groups"),
        ("usergroups.users.list", "paid_teams_only", "paid Slack plan"),
        ("usergroups.users.update", "not_allowed_token_type", "xoxb"),
    ],
)
async def test_slack_refusals_name_the_role_and_the_fix(
    bot: Bot, method: str, code: str, hint: str
) -> None:
    bot.fake.fail(method, code)
    with pytest.raises(PlatformRefused) as refused:
        await bot.adapter.port.add_role(CAROL, "Moderators")
    message = str(refused.value)
    assert method in message and code in message and "Moderators" in message
    assert hint in message


async def test_a_grant_changes_the_roles_the_adapter_reads(bot: Bot) -> None:
    connection = bot.adapter.port.known(TEAM)
    assert connection is not None
    people = bot.adapter.people(connection)
    carol = await people.member(TEAM, CAROL.id)
    assert carol is not None and "moderators" not in carol.roles
    await bot.adapter.port.add_role(CAROL, "Moderators")
    carol = await people.member(TEAM, CAROL.id)
    assert carol is not None and "moderators" in carol.roles


async def test_startup_warns_when_the_token_cannot_edit_user_groups(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.scopes = "chat:write,commands,usergroups:read,users:read"
    with caplog.at_level(logging.WARNING, logger="adapters.slack.adapter"):
        async with running(fake, user_groups=True):
            pass
        async with running(fake):  # the switch is off: the scope is not needed
            pass
    [warning] = [r.getMessage() for r in caplog.records if "user_groups" in r.getMessage()]
    assert "lacks usergroups:write:" in warning
    caplog.clear()
    fake.scopes = "chat:write,usergroups:read,usergroups:write"
    with caplog.at_level(logging.WARNING, logger="adapters.slack.adapter"):
        async with running(fake, user_groups=True):
            pass
    assert not [r for r in caplog.records if "user_groups" in r.getMessage()]


async def test_each_workspace_changes_its_own_groups_with_its_own_token(fake: FakeSlack) -> None:
    async with running(fake, user_groups=True, create_user_groups=True, **OAUTH) as bot:
        await install(bot, TEAM)
        second = await install(bot, SECOND)
        port = bot.adapter.port
        await port.add_role(Ref("slack", SECOND, "U2001"), "Moderators")
        assert fake.members_of("moderators", SECOND) == ["U2001"]  # created there
        assert fake.members_of("moderators") == [BOB.id]  # the first workspace's untouched
        assert {c.token for c in fake.calls if c.method.startswith("usergroups.")} == {second}
        port.forget(SECOND)  # uninstalled and installed again: groups are listed anew
        await port.remove_role(Ref("slack", SECOND, "U2001"), "Moderators")
        assert fake.members_of("moderators", SECOND) is None
        assert len(fake.called("usergroups.create")) == 1


# --- through the growth feature ---------------------------------------------------------


def slack_port(fake: FakeSlack) -> SlackPort:
    """The real port with user groups, on the fake's workspace."""
    port = SlackPort(post_interval=0, user_groups=UserGroups())
    client = AsyncWebClient(token="xoxb-test-bot", base_url=fake.api_base)
    port.connect(Connection(client, TEAM, USERS["agora_bot"], "https://agora-test.slack.com/"))
    return port


async def person_of(h: Harness, ref: Ref) -> int:
    async with h.runtime.storage.unit_of_work() as uow:
        found = await uow.get(Directory).get(ref)
    assert found is not None
    return int(found.person_id)


async def thank(h: Harness, person: int, points: int) -> None:
    async with h.runtime.storage.unit_of_work() as uow:
        kudos = NewKudos(None, person, points, Source.COMMAND, "slack", h.clock.now())
        assert await uow.get(KudosLedger).give(kudos) is not None


async def perks_of(h: Harness, person: int) -> list[tuple[str, bool]]:
    async with h.runtime.storage.unit_of_work() as uow:
        return [(p.role, p.on_platform) for p in await uow.get(Perks).held(person)]


def refuse_for(user: str) -> Callable[[Call], str | None]:
    """usergroups.users.update refused (missing scope) whenever `user` is being added."""
    return lambda call: "missing_scope" if user in str(call.args["users"]) else None


async def test_a_reward_role_lands_in_the_group_and_a_refusal_keeps_the_perk(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    async with growth(roles=[{"role": "Moderators", "kudos": 3}]) as h:
        slack = await h.add_platform("slack", workspace=TEAM, members=(("sam", ()), ("tia", ())))
        h.runtime.ports["slack"] = slack_port(fake)
        sam, tia = slack.member("sam").ref, slack.member("tia").ref
        fake.fail("usergroups.users.update", refuse_for(tia.id))
        for ref in (sam, tia):
            await thank(h, await person_of(h, ref), 3)
        with caplog.at_level(logging.WARNING, logger="bot.features.growth.grants"):
            await h.tick("1h")
        assert fake.members_of("moderators") == [USERS["bob"], sam.id]
        assert await perks_of(h, await person_of(h, sam)) == [("Moderators", True)]
        # Slack refused tia's group: the role is still hers, as a perk, and the log says why.
        assert await perks_of(h, await person_of(h, tia)) == [("Moderators", False)]
        [warning] = [r.getMessage() for r in caplog.records if "missing_scope" in r.getMessage()]
        assert "Moderators" in warning and tia.id in warning


# --- configuration and manifest -----------------------------------------------------------


def test_the_manifest_asks_for_usergroups_write_only_with_the_switch() -> None:
    def scopes(slack: SlackConfig) -> list[str]:
        manifest = build_manifest(Registry([]), AgoraConfig(slack=slack))
        return list(manifest["oauth_config"]["scopes"]["bot"])

    assert "usergroups:write" not in scopes(SlackConfig())
    with_groups = scopes(SlackConfig(user_groups=True))
    assert {"usergroups:read", "usergroups:write"} <= set(with_groups)
    assert with_groups == sorted(with_groups)


def problems(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "agora.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(file)
    return [str(p) for p in raised.value.problems]


def test_check_names_what_the_switch_needs(tmp_path: Path) -> None:
    [scopes] = problems(
        tmp_path, '[slack]\nuser_groups = true\nscopes = ["chat:write", "usergroups:read"]\n'
    )
    assert "user_groups = true needs the scopes usergroups:write" in scopes
    assert "usergroups:read," not in scopes
    [alone] = problems(tmp_path, "[slack]\ncreate_user_groups = true\n")
    assert "create_user_groups = true needs user_groups = true" in alone
    file = tmp_path / "agora.toml"
    file.write_text("[slack]\nuser_groups = true\ncreate_user_groups = true\n", encoding="utf-8")
    assert load_config(file).slack.create_user_groups
