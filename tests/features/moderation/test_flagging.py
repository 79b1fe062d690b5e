"""Flagging: the quorum of distinct members, trust weighting, moderators, privacy, abuse."""

from __future__ import annotations

from mod_kit import SLACK_LIKE, flag, flagged, harness, log_kinds, press, queue, settle

from bot.model import Capability


async def test_quorum_needs_three_distinct_members() -> None:
    async with harness() as h:
        await settle(h)
        message = await h.say("carol", "buy cheap pills", channel="general")
        await flag(h, message.number, "dave", "erin")
        await h.react("dave", message.number, "🚩", added=False)
        await flag(h, message.number, "dave")  # the same member twice counts once
        assert queue(h) == []
        out = await flag(h, message.number, "frank")
        (item,) = queue(h)
        assert item in out
        assert "case #1" in item.text and "@carol" in item.text and "#general" in item.text
        assert "3 flags" in item.text and "quorum of members" in item.text
        assert f"[{message.number}]" in item.text  # the link, never the content
        assert "pills" not in item.text
        assert {b.label for b in item.buttons} >= {"Dismiss", "Delete message", "Warn", "Ban"}


async def test_duplicate_flag_is_told_and_not_counted() -> None:
    async with harness() as h:
        await settle(h)
        message = await h.say("carol", "hello", channel="general")
        await flag(h, message.number, "dave")
        out = await flag(h, message.number, "dave")
        assert "already" in out[-1].text
        assert await log_kinds(h) == ["flag"]


async def test_each_message_enters_the_queue_once_and_the_item_follows() -> None:
    async with harness() as h:
        await settle(h)
        message = await flagged(h)
        await flag(h, message.number, "gus")
        (item,) = queue(h)
        assert item.edited and "4 flags" in item.text
        assert (await log_kinds(h)).count("queued") == 1


async def test_a_moderator_flag_queues_at_once() -> None:
    async with harness() as h:
        message = await h.say("carol", "spam", channel="general")
        out = await flag(h, message.number, "bob")
        (item,) = queue(h)
        assert "flagged by a moderator" in item.text
        assert "Sent to the moderation queue" in out[-1].text


async def test_new_members_count_less_and_veterans_more() -> None:
    async with harness() as h:  # everyone joined just now: new members weigh 0.5
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "dave", "erin", "frank", "gus")
        assert queue(h) == []  # 4 × 0.5 = 2 < 3
        await h.tick("200d")  # now veterans: 1.5 each
        second = await h.say("carol", "more spam", channel="general")
        await flag(h, second.number, "dave", "erin")
        (item,) = queue(h)
        assert "weight 3" in item.text


async def test_weighting_can_be_turned_off() -> None:
    async with harness({"trust_weighting": False, "quorum": 2}) as h:
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "dave", "erin")
        assert len(queue(h)) == 1


async def test_flag_spammers_count_less_and_cool_down() -> None:
    settings = {"flag_spam_min_reviewed": 2, "flag_spam_dismissed_share": 0.5, "quorum": 1}
    async with harness(settings) as h:
        await settle(h)
        for text in ("nice day", "lovely weather"):
            message = await h.say("carol", text, channel="general")
            await flag(h, message.number, "dave")
            await h.click("bob", "Dismiss")
        message = await h.say("carol", "a third message", channel="general")
        out = await flag(h, message.number, "dave")
        assert len(queue(h)) == 2  # 0.25 of a flag does not reach the quorum of 1
        assert "Thanks for flagging" in out[-1].text
        another = await h.say("carol", "a fourth", channel="general")
        out = await flag(h, another.number, "dave")  # within the cooldown: on record only
        assert "only one flag an hour counts" in out[-1].text
        stats = (await h.command("bob", "/modstats"))[-1].text
        assert "@dave: 2 of 2 dismissed" in stats


async def test_hourly_flag_limit_records_but_does_not_count() -> None:
    async with harness({"max_flags_per_hour": 2, "quorum": 1}) as h:
        await settle(h)
        numbers = [
            (await h.say("carol", f"message {i}", channel="general")).number for i in range(3)
        ]
        for number in numbers[:2]:
            await flag(h, number, "dave")
        assert len(queue(h)) == 2
        out = await flag(h, numbers[2], "dave")
        assert len(queue(h)) == 2
        assert "on record but does not count" in out[-1].text
        assert (await log_kinds(h)).count("flag") == 3  # no flag is lost


async def test_flag_reaction_is_removed_and_thanks_are_private() -> None:
    async with harness() as h:
        message = await h.say("carol", "hmm", channel="general")
        out = await flag(h, message.number, "dave")
        assert message.reactions.get("🚩") == set()
        (thanks,) = out
        assert thanks.ephemeral_to == h.ref("dave")
        assert "moderators will look at it" in thanks.text
        assert {b.label for b in thanks.buttons} == {"Add a reason", "Withdraw my flag"}


async def test_where_reactions_cannot_be_removed_the_flagger_is_told() -> None:
    async with harness(capabilities=SLACK_LIKE) as h:
        message = await h.say("carol", "hmm", channel="general")
        out = await flag(h, message.number, "dave")
        assert message.reactions["🚩"] == {"dave"}
        assert "remove it yourself" in out[-1].text


async def test_reaction_removal_can_be_turned_off() -> None:
    async with harness({"remove_flag_reaction": False, "acknowledge_flags": False}) as h:
        message = await h.say("carol", "hmm", channel="general")
        out = await flag(h, message.number, "dave")
        assert message.reactions["🚩"] == {"dave"}
        assert out == []


async def test_reason_form_reaches_the_queue_neutralised() -> None:
    async with harness({"quorum": 1}) as h:
        await settle(h)
        message = await h.say("carol", "hmm", channel="general")
        await flag(h, message.number, "dave")
        await h.click("dave", "Add a reason")
        out = await h.submit("dave", rule="2", details="pings @everyone <@123> again")
        assert "reason was added" in h.answer(out, "dave").text
        item = queue(h)[0]
        assert "rule 2 (No harassment" in item.text
        assert "@everyone" not in item.text and "<@123>" not in item.text
        assert "again" in item.text


async def test_withdrawing_a_flag() -> None:
    async with harness() as h:
        await settle(h)
        message = await h.say("carol", "hmm", channel="general")
        await flag(h, message.number, "dave", "erin")
        withdraw = h.last(to="dave").buttons[1]
        out = await h.click("dave", "Withdraw my flag")
        assert "withdrawn" in h.answer(out, "dave").text
        await flag(h, message.number, "frank")
        assert queue(h) == []  # only 2 flags stand
        await flag(h, message.number, "dave")  # a withdrawn flag can come back
        assert "3 flags" in queue(h)[0].text
        out = await press(h, "gus", withdraw)  # someone else's button
        assert "no flag on that message" in h.answer(out, "gus").text


async def test_own_messages_and_other_emoji_are_not_flags() -> None:
    async with harness() as h:
        message = await h.say("carol", "mine", channel="general")
        out = await flag(h, message.number, "carol")
        assert "your own message" in h.answer(out, "carol").text
        await h.react("dave", message.number, "👍")
        assert await log_kinds(h) == []


async def test_custom_emoji_and_variation_selector() -> None:
    async with harness({"flag_emoji": "⚠️", "quorum": 1}) as h:
        await settle(h)
        message = await h.say("carol", "hmm", channel="general")
        await h.react("dave", message.number, "⚠")  # without U+FE0F
        assert len(queue(h)) == 1


async def test_flags_on_messages_with_an_unknown_author() -> None:
    async with harness() as h:
        message = await h.say("carol", "old message", channel="general")
        del h.community.members["carol"]  # the platform no longer knows who wrote it
        await flag(h, message.number, "bob")
        item = queue(h)[0]
        assert "Author: unknown" in item.text
        out = await h.click("bob", "Warn")
        assert "don't know who wrote that message" in h.answer(out, "bob").text
        out = await h.click("bob", "Delete message")
        assert "Done" in h.answer(out, "bob").text


async def test_flagging_a_deleted_message_then_deleting_it_again() -> None:
    async with harness() as h:
        message = await h.say("carol", "oops", channel="general")
        await flag(h, message.number, "bob")
        h.community.post(message.number).deleted = True
        h.community.posts.remove(h.community.post(message.number))  # gone from the platform
        out = await h.click("bob", "Delete message")
        assert "Done" in h.answer(out, "bob").text  # already gone counts as removed
        assert "Handled by @bob" in queue(h)[0].text


async def test_without_a_queue_channel_cases_wait_in_modqueue() -> None:
    async with harness({"queue_channel": "nowhere"}) as h:
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "bob")
        assert h.in_channel("mod-queue") == []
        out = await h.command("bob", "/modqueue")
        assert "1 case waits" in h.answer(out, "bob").text and "@carol" in h.answer(out, "bob").text


async def test_queue_items_cannot_be_flagged() -> None:
    async with harness() as h:
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "bob")
        await flag(h, queue(h)[0].number, "mia")
        assert len(queue(h)) == 1 and (await log_kinds(h)).count("flag") == 1


async def test_slack_like_platforms_still_queue_and_explain() -> None:
    async with harness(capabilities=SLACK_LIKE | {Capability.DELETE_MESSAGES}) as h:
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "bob")
        out = await h.click("bob", "Kick")
        assert "memory does not let bots kick members" in h.answer(out, "bob").text
        assert "Waiting for a moderator" in queue(h)[0].text


async def test_without_a_reachable_queue_channel_the_flagger_is_told_the_truth() -> None:
    async with harness({"queue_channel": "mods-only"}) as h:  # no such channel
        await settle(h)
        message = await h.say("carol", "spam", channel="general")
        out = await flag(h, message.number, "bob")
        assert "Sent to the moderation queue" not in out[-1].text
        assert "Case #1 is recorded" in out[-1].text and "/modqueue" in out[-1].text
        other = await flagged(h)
        out = await flag(h, other.number, "gus")  # the case waits, its item unposted
        assert "the moderators will look at it" not in out[-1].text
        assert "among the cases waiting for them" in out[-1].text
        assert "\n#2 · " in (await h.command("bob", "/modqueue"))[-1].text
