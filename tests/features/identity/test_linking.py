"""Linking accounts across platforms: codes, refusals, merge, unlink, email suggestions."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.features.identity.service import CODE_ALPHABET, CODE_LENGTH, email_hash
from bot.ports import Directory
from bot.testing import Harness


def _code(text: str) -> str:
    # "… type /link X7CFFY …" in every language.
    found = re.search(rf"/link ([{CODE_ALPHABET}]{{{CODE_LENGTH}}})\b", text)
    assert found, text
    return found.group(1)


async def _person(h: Harness, ref: object) -> int:
    async with h.runtime.storage.unit_of_work() as uow:
        record = await uow.get(Directory).get(ref)
    assert record is not None
    return int(record.person_id)


async def test_link_on_one_platform_enter_on_the_other() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        out = await h.command("carol", "/link")
        assert out[0].ephemeral_to == h.ref("carol")
        code = _code(out[0].text)
        assert "10 minutes" in out[0].text
        got = await h.on(slack, slack.command("carol", "general", f"/link {code.lower()}"))
        assert "Linked!" in got[0].text and "Slack" in got[0].text
        assert await _person(h, h.ref("carol")) == await _person(h, slack.member("carol").ref)


async def test_linked_person_is_counted_once_and_shares_preferences(db_url: str) -> None:
    async with Harness(storage_url=db_url) as h:
        slack = await h.add_platform("slack")
        await h.command("carol", "/language nb")
        code = _code((await h.command("carol", "/link"))[0].text)
        await h.on(slack, slack.command("carol", "general", f"/link {code}"))
        async with h.runtime.storage.unit_of_work() as uow:
            directory = uow.get(Directory)
            # alice and bob on two platforms are two persons each; linked carol is one.
            assert await directory.count_members() == 5
            record = await directory.get(slack.member("carol").ref)
        assert record is not None and record.locale == "nb"


async def test_expired_wrong_and_reused_codes_are_refused() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        code = _code((await h.command("carol", "/link"))[0].text)
        out = await h.on(slack, slack.command("carol", "general", "/link ZZZZZZ"))
        assert "not valid" in out[0].text
        await h.tick("11m")
        out = await h.on(slack, slack.command("carol", "general", f"/link {code}"))
        assert "expired" in out[0].text
        code = _code((await h.command("carol", "/link"))[0].text)
        await h.on(slack, slack.command("carol", "general", f"/link {code}"))
        out = await h.on(slack, slack.command("bob", "general", f"/link {code}"))
        assert "not valid" in out[0].text
        assert await _person(h, slack.member("bob").ref) != await _person(h, h.ref("carol"))


async def test_a_new_code_replaces_the_old_one() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        first = _code((await h.command("carol", "/link"))[0].text)
        await h.command("carol", "/link")
        out = await h.on(slack, slack.command("carol", "general", f"/link {first}"))
        assert "expired" in out[0].text


async def test_code_must_be_entered_on_the_other_platform() -> None:
    async with Harness() as h:
        code = _code((await h.command("carol", "/link"))[0].text)
        out = await h.command("carol", f"/link {code}")
        assert "other platform" in out[0].text


async def test_accounts_already_linked_elsewhere_are_refused() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        code = _code((await h.command("carol", "/link"))[0].text)
        await h.on(slack, slack.command("carol", "general", f"/link {code}"))
        # bob's memory account now tries to join carol, who already has a memory account.
        code = _code((await h.on(slack, slack.command("carol", "general", "/link")))[0].text)
        out = await h.command("bob", f"/link {code}")
        assert "already have an account" in out[0].text
        out = await h.command("carol", f"/link {code}")
        assert "already linked" in out[0].text


async def test_unlink_gives_the_account_a_person_of_its_own() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        out = await h.on(slack, slack.command("carol", "general", "/unlink"))
        assert "not linked" in out[0].text
        code = _code((await h.command("carol", "/link"))[0].text)
        await h.on(slack, slack.command("carol", "general", f"/link {code}"))
        out = await h.on(slack, slack.command("carol", "general", "/unlink"))
        assert "on its own again" in out[0].text
        assert await _person(h, slack.member("carol").ref) != await _person(h, h.ref("carol"))


async def test_same_verified_email_suggests_linking_once() -> None:
    async with Harness() as h:
        slack = await h.add_platform("slack")
        community = h.community
        carol = community.members["carol"]
        community.members["carol"] = replace(carol, email="Carol@Example.org")
        slack_carol = slack.members["carol"]
        slack.members["carol"] = replace(slack_carol, email="carol@example.org ")
        await h.command("carol", "/help")
        assert h.dms("carol") == []
        got = await h.on(slack, slack.command("carol", "general", "/help"))
        suggestions = [p for p in got if p.dm_to is not None and "too" in p.text]
        assert len(suggestions) == 1 and "/link" in suggestions[0].text
        got = await h.on(slack, slack.command("carol", "general", "/help"))
        assert not [p for p in got if p.dm_to is not None and "too" in p.text]
        assert email_hash(" CAROL@example.org") == email_hash("carol@example.org")


async def test_suggestions_can_be_turned_off() -> None:
    config = {"features": {"identity": {"suggest_by_email": False}}}
    async with Harness(config=config) as h:
        slack = await h.add_platform("slack")
        h.community.members["carol"] = replace(h.community.members["carol"], email="c@x.org")
        slack.members["carol"] = replace(slack.members["carol"], email="c@x.org")
        await h.command("carol", "/help")
        got = await h.on(slack, slack.command("carol", "general", "/help"))
        assert not [p for p in got if p.dm_to is not None]
