"""Referrals: personal links, attribution on join, the activity threshold, no cheating."""

from __future__ import annotations

import re

from bot.features.growth.store import Status, Via
from bot.model import Capability
from bot.testing import Harness
from tests.features.growth.conftest import growth, points, post, referral_of, said_to


def link_number(text: str) -> str:
    found = re.search(r"/invite/(\d+)", text)
    assert found is not None, text
    return found.group(1)


async def invite(h: Harness, name: str) -> str:
    out = await h.command(name, "/invite")
    return link_number(out[-1].text)


async def test_invite_gives_a_personal_link_once(h: Harness) -> None:
    out = await h.command("carol", "/invite")
    assert h.answer(out, "carol").ephemeral_to == h.ref("carol")
    assert (
        "Your personal invite link: https://memory.invalid/invite/1" in h.answer(out, "carol").text
    )
    assert (
        "you both get 5 kudos after their first 7 days and 5 messages"
        in h.answer(out, "carol").text
    )
    again = await h.command("carol", "/invite")
    assert "(the same as before): https://memory.invalid/invite/1" in h.answer(again, "carol").text
    assert len(h.community.invites) == 1


async def test_a_join_through_a_link_is_attributed_to_its_owner(h: Harness) -> None:
    await invite(h, "erin")
    number = await invite(h, "carol")
    await h.dispatch(h.community.join("dave", invite=number))
    found = await referral_of(h, "dave")
    assert found is not None and found.via is Via.INVITE
    assert found.referrer_person_id == (await h_record(h, "carol"))
    assert any("dave joined thanks to you" in t for t in said_to(h, "carol"))
    assert not any("joined thanks to you" in t for t in said_to(h, "erin"))


async def h_record(h: Harness, name: str) -> int:
    from tests.features.growth.conftest import record

    return (await record(h, name)).person_id


async def test_reward_only_after_the_stay_and_the_messages(h: Harness) -> None:
    number = await invite(h, "carol")
    await h.dispatch(h.community.join("dave", invite=number))
    await post(h, "dave", 4)
    await h.tick("7d")
    assert await points(h, "carol") == 0  # a week, but only 4 messages
    found = await referral_of(h, "dave")
    assert found is not None and found.status is Status.PENDING
    await post(h, "dave", 1)
    await h.tick("1d")
    assert await points(h, "carol") == 5
    assert await points(h, "dave") == 5
    found = await referral_of(h, "dave")
    assert found is not None and found.status is Status.REWARDED
    assert any("has settled in" in t for t in said_to(h, "carol"))
    assert any("You and carol, who invited you, both get 5 kudos" in t for t in said_to(h, "dave"))


async def test_messages_alone_are_not_enough_before_the_stay(h: Harness) -> None:
    number = await invite(h, "carol")
    await h.dispatch(h.community.join("dave", invite=number))
    await post(h, "dave", 10)
    await h.tick("6d")
    assert await points(h, "carol") == 0
    await h.tick("1d")
    assert await points(h, "carol") == 5


async def test_a_newcomer_who_leaves_earns_nobody_anything(h: Harness) -> None:
    number = await invite(h, "carol")
    await h.dispatch(h.community.join("dave", invite=number))
    await post(h, "dave", 5)
    await h.leave("dave")
    await h.tick("8d")
    assert await points(h, "carol") == 0
    found = await referral_of(h, "dave")
    assert found is not None and found.status is Status.LEFT


async def test_a_referral_that_never_takes_part_is_given_up() -> None:
    async with growth(expire_days=10) as h:
        number = await invite(h, "carol")
        await h.dispatch(h.community.join("dave", invite=number))
        await h.tick("11d")
        found = await referral_of(h, "dave")
        assert found is not None and found.status is Status.EXPIRED
        await post(h, "dave", 5)
        await h.tick("2d")
        assert await points(h, "carol") == 0


async def test_rejoining_does_not_make_a_second_referral(h: Harness) -> None:
    number = await invite(h, "carol")
    second = await invite(h, "erin")
    await h.dispatch(h.community.join("dave", invite=number))
    await h.leave("dave")
    await h.dispatch(h.community.join("dave", invite=second))
    found = await referral_of(h, "dave")
    assert found is not None and found.referrer_person_id == await h_record(h, "carol")
    assert found.status is Status.LEFT


async def test_two_links_used_at_once_ask_the_newcomers(h: Harness) -> None:
    carol = await invite(h, "carol")
    erin = await invite(h, "erin")
    dave = h.community.join("dave", invite=carol)
    frank = h.community.join("frank", invite=erin)
    await h.dispatch(dave)
    await h.dispatch(frank)
    assert await referral_of(h, "dave") is None  # nobody can tell yet
    for name in ("dave", "frank"):
        [question] = [p for p in h.dms(name) if "Who invited you?" in p.text]
        assert sorted(b.label for b in question.buttons) == ["carol", "erin"]
    await h.click("dave", "carol")
    await h.click("frank", "erin")
    dave_ref = await referral_of(h, "dave")
    frank_ref = await referral_of(h, "frank")
    assert dave_ref is not None and dave_ref.referrer_person_id == await h_record(h, "carol")
    assert frank_ref is not None and frank_ref.referrer_person_id == await h_record(h, "erin")
    # The burst is accounted for: the next join through carol's link is plain again.
    await h.dispatch(h.community.join("gina", invite=carol))
    gina = await referral_of(h, "gina")
    assert gina is not None and gina.referrer_person_id == await h_record(h, "carol")


async def test_one_link_used_twice_at_once_credits_both_joins(h: Harness) -> None:
    carol = await invite(h, "carol")
    await invite(h, "erin")
    first = h.community.join("dave", invite=carol)
    second = h.community.join("frank", invite=carol)
    await h.dispatch(first)
    await h.dispatch(second)
    for name in ("dave", "frank"):
        found = await referral_of(h, name)
        assert found is not None and found.referrer_person_id == await h_record(h, "carol")


async def test_a_join_without_a_tracked_link_is_nobodys(h: Harness) -> None:
    await invite(h, "carol")
    await h.join("dave")
    assert await referral_of(h, "dave") is None
    assert not any("Who invited you?" in p.text for p in h.dms("dave"))


async def test_self_referral_earns_nothing(h: Harness) -> None:
    number = await invite(h, "carol")
    code_out = await h.command("carol", f"/referral {h.community.invite(number).code}")
    assert "That is your own code" in h.answer(code_out, "carol").text
    # Leaving and coming back through your own link is no referral either.
    await h.leave("carol")
    await h.dispatch(h.community.join("carol", invite=number))
    assert await referral_of(h, "carol") is None


async def test_newcomers_can_name_the_code_of_who_invited_them(h: Harness) -> None:
    number = await invite(h, "carol")
    code = h.community.invite(number).code
    await h.join("dave")
    out = await h.command("dave", f"/referral {code}")
    assert "carol invited you" in h.answer(out, "dave").text
    again = await h.command("dave", f"/referral {code}")
    assert "We already know that carol invited you" in h.answer(again, "dave").text
    out = await h.command("erin", "/referral NOPE42")
    assert "There is no referral code NOPE42" in h.answer(out, "erin").text


async def test_codes_are_for_newcomers_only(h: Harness) -> None:
    number = await invite(h, "carol")
    await h.join("dave")
    await h.tick("15d")
    out = await h.command("dave", f"/referral {h.community.invite(number).code}")
    assert "first 14 days" in h.answer(out, "dave").text
    assert await referral_of(h, "dave") is None


async def test_without_invite_links_members_get_a_code() -> None:
    everything_but_invites = frozenset(Capability) - {Capability.INVITES}
    async with growth(top={"capabilities": everything_but_invites}) as h:
        out = await h.command("carol", "/invite")
        found = re.search(r"referral code: ([A-Z0-9]{6})", h.answer(out, "carol").text)
        assert found is not None, h.answer(out, "carol").text
        assert f"/referral {found.group(1)} within 14 days" in h.answer(out, "carol").text
        assert h.community.invites == {}
        await h.join("dave")
        await h.command("dave", f"/referral {found.group(1).lower()}")
        await post(h, "dave", 5)
        await h.tick("7d")
        assert await points(h, "carol") == 5 and await points(h, "dave") == 5


async def test_admins_can_record_who_invited_a_newcomer(h: Harness) -> None:
    await h.join("dave")
    out = await h.command("carol", "/referrals set @dave @carol")
    assert "for admins only" in h.answer(out, "carol").text
    out = await h.command("alice", "/referrals set @dave @carol")
    assert "Recorded: carol invited dave." in h.answer(out, "alice").text
    found = await referral_of(h, "dave")
    assert found is not None and found.via is Via.ADMIN
    out = await h.command("alice", "/referrals set @dave @erin")
    assert "dave was already invited by carol" in h.answer(out, "alice").text


async def test_referrals_me_top_and_the_tree(h: Harness) -> None:
    number = await invite(h, "carol")
    await h.dispatch(h.community.join("dave", invite=number))
    await post(h, "dave", 2)
    out = await h.command("carol", "/referrals")
    assert h.answer(out, "carol").text.splitlines() == [
        "You invited 1 member (0 rewarded):",
        "• dave — settling in (7 days to go, 2 of 5 messages)",
    ]
    dave_link = await invite(h, "dave")
    await h.dispatch(h.community.join("frank", invite=dave_link))
    out = await h.command("erin", "/referrals top")
    assert h.answer(out, "erin").text.splitlines()[1:] == [
        "1. carol — 0 settled in, 1 joined",
        "2. dave — 0 settled in, 1 joined",
    ]
    out = await h.command("carol", "/referrals tree")
    assert "for admins only" in h.answer(out, "carol").text
    out = await h.command("alice", "/referrals tree")
    assert h.answer(out, "alice").text.splitlines() == [
        "Referral tree (who invited whom):",
        "carol",
        "    └ dave (settling in)",
        "        └ frank (settling in)",
    ]
