"""Reward roles: granted on crossing a threshold, taken back below it or after quiet."""

from __future__ import annotations

from typing import Any

from bot.features.kudos.store import KudosLedger, NewKudos, Source
from bot.model import Capability
from bot.testing import Harness
from tests.features.growth.conftest import growth, perks, record, said_to

REGULAR = {"role": "Regular", "kudos": 3}


def with_roles(*rules: dict[str, Any], **section: Any) -> Harness:
    return growth(roles=list(rules), **section)


async def thank(h: Harness, receiver: str, *givers: str) -> None:
    for giver in givers:
        await h.command(giver, f"/kudos @{receiver}")


async def test_crossing_a_threshold_grants_and_announces_the_role() -> None:
    async with with_roles(REGULAR) as h:
        await thank(h, "carol", "alice", "bob")
        await h.tick("1h")
        assert "Regular" not in h.community.member("carol").roles
        await thank(h, "carol", "erin")
        posted = await h.tick("1h")
        assert "Regular" in h.community.member("carol").roles
        assert await perks(h, "carol") == ["Regular"]
        [announced] = [p for p in posted if "is now Regular" in p.text]
        assert announced.text == "🎉 @carol is now Regular — 3 kudos received. Thank you!"
        assert announced.channel == h.community.channel("general")
        await h.tick("3h")  # granted once, announced once
        assert sum("is now Regular" in t for t in h.texts()) == 1


async def test_falling_below_takes_the_role_back_politely() -> None:
    async with with_roles(REGULAR) as h:
        await thank(h, "carol", "alice", "bob", "erin")
        await h.tick("1h")
        assert "Regular" in h.community.member("carol").roles
        await h.command("bob", "/kudos remove 1")
        await h.tick("1h")
        assert "Regular" not in h.community.member("carol").roles
        assert await perks(h, "carol") == []
        assert any(
            "Your role Regular needs 3 kudos received, which no longer holds" in t
            for t in said_to(h, "carol")
        )
        await h.command("alice", "/kudos @carol")
        await h.tick("1h")
        assert "Regular" in h.community.member("carol").roles  # back when reached again


async def test_a_sticky_role_stays_below_the_threshold() -> None:
    async with with_roles({**REGULAR, "remove_below": False}) as h:
        await thank(h, "carol", "alice", "bob", "erin")
        await h.tick("1h")
        await h.command("bob", "/kudos remove 1")
        await h.tick("1h")
        assert "Regular" in h.community.member("carol").roles


async def test_quiet_members_lose_the_role_and_get_it_back_when_active() -> None:
    rule = {"role": "Regular", "kudos": 1, "inactive_days": 90}
    async with with_roles(rule, review_cron="0 3 * * *") as h:
        await h.say("carol", "hello all")
        await thank(h, "carol", "alice")
        await h.tick("1d")
        assert "Regular" in h.community.member("carol").roles
        await h.tick("90d")
        assert "Regular" not in h.community.member("carol").roles
        assert any("after 90 quiet days" in t for t in said_to(h, "carol"))
        await h.say("carol", "I am back")
        await h.tick("1d")
        assert "Regular" in h.community.member("carol").roles


async def test_roles_only_where_the_platform_has_them_else_a_perk() -> None:
    no_roles = frozenset(Capability) - {Capability.ROLES, Capability.INVITES}
    async with with_roles(REGULAR) as h:
        slack = await h.add_platform(
            "slack", members=(("sam", ()), ("alice", ("admin",))), capabilities=no_roles
        )
        sam = slack.member("sam")
        person = await _person(h, sam.ref)
        async with h.runtime.storage.unit_of_work() as uow:
            given = await uow.get(KudosLedger).give(  # type: ignore[type-abstract]
                NewKudos(None, person, 3, Source.COMMAND, "slack", h.clock.now())
            )
        assert given is not None
        await h.tick("1h")
        assert "Regular" not in slack.member("sam").roles  # Slack: no roles for bots to give
        assert await _perks_of(h, person) == ["Regular"]
        announced = [p for p in slack.posts if "is now Regular" in p.text]
        assert announced and announced[0].channel == slack.channel("general")
        shown = await h.on(slack, slack.command("sam", "general", "/profile"))
        assert any("Perks" in p.text and "Regular" in p.text for p in shown)


async def test_an_accepted_answer_can_grant_a_role_at_once() -> None:
    rule = {"role": "Helper", "accepted_answers": 1}
    async with with_roles(rule, review_cron="") as h:
        from bot.signals import AnswerAccepted

        carol = await record(h, "carol")
        erin = await record(h, "erin")
        await _emit(h, AnswerAccepted(1, erin.ref, carol.ref, erin.ref))
        await h.app.scheduler.run_due()
        assert "Helper" in h.community.member("carol").roles


async def _emit(h: Harness, signal: object) -> None:
    """Deliver a signal the way another feature's handler would, in one unit of work."""
    from bot.context import Work
    from bot.model import Level

    runtime = h.runtime
    async with runtime.storage.unit_of_work() as uow:
        work = Work(runtime, uow)
        await runtime.dispatcher.deliver(work, signal, None, Level.MEMBER)
    for job in work.armed:
        h.app.scheduler.arm(job)


async def _person(h: Harness, ref: Any) -> int:
    from bot.ports import Directory

    async with h.runtime.storage.unit_of_work() as uow:
        found = await uow.get(Directory).get(ref)  # type: ignore[type-abstract]
    assert found is not None
    return found.person_id


async def _perks_of(h: Harness, person: int) -> list[str]:
    from bot.features.growth.store import Perks

    async with h.runtime.storage.unit_of_work() as uow:
        return [p.role for p in await uow.get(Perks).held(person)]  # type: ignore[type-abstract]
