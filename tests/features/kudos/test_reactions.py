"""Kudos by reaction: configured emoji and weights, take-back within a window, repeats."""

from __future__ import annotations

from dataclasses import replace

from bot.testing import Harness
from tests.features.kudos.conftest import kudos, points, said_to


async def test_a_kudos_emoji_gives_its_weight_and_tells_the_receiver() -> None:
    async with kudos(emojis={"🙏": 1, "🌮": 3}) as h:
        post = await h.say("bob", "Here is how to fix it", channel="help")
        out = await h.react("carol", post.number, "🌮")
        assert await points(h, "bob") == 3
        dm = h.dms("bob")[-1]
        assert dm.text.startswith("carol gave you kudos 🌮 for your message.")
        assert said_to(h, out, "carol") == []  # the reaction itself is the giver's feedback


async def test_other_emoji_give_nothing(h: Harness) -> None:
    post = await h.say("bob", "hello")
    assert await h.react("carol", post.number, "👍") == []
    assert await points(h, "bob") == 0


async def test_emoji_variants_count_as_the_configured_one(h: Harness) -> None:
    post = await h.say("bob", "hello")
    await h.react("carol", post.number, "⭐\ufe0f")
    assert await points(h, "bob") == 1


async def test_removing_the_reaction_within_the_window_takes_the_kudos_back() -> None:
    async with kudos(take_back_minutes=10, daily_allowance=5) as h:
        post = await h.say("bob", "hello")
        await h.react("carol", post.number, "🙏")
        await h.tick("9m")
        out = await h.react("carol", post.number, "🙏", added=False)
        assert said_to(h, out, "carol") == [
            "You took back your kudos to bob. You have 5 kudos left today."
        ]
        assert await points(h, "bob") == 0
        # Taken back means really gone: the same message can be thanked again.
        await h.react("carol", post.number, "🙏")
        assert await points(h, "bob") == 1


async def test_after_the_window_a_kudos_given_stays_given() -> None:
    async with kudos(take_back_minutes=10) as h:
        post = await h.say("bob", "hello")
        await h.react("carol", post.number, "🙏")
        await h.tick("11m")
        out = await h.react("carol", post.number, "🙏", added=False)
        assert out == []
        assert await points(h, "bob") == 1


async def test_take_back_can_be_turned_off() -> None:
    async with kudos(take_back_minutes=0) as h:
        post = await h.say("bob", "hello")
        await h.react("carol", post.number, "🙏")
        await h.react("carol", post.number, "🙏", added=False)
        assert await points(h, "bob") == 1


async def test_removing_someone_elses_emoji_or_another_emoji_takes_nothing(h: Harness) -> None:
    post = await h.say("bob", "hello")
    await h.react("carol", post.number, "🙏")
    await h.react("dave", post.number, "🙏", added=False)
    await h.react("carol", post.number, "⭐", added=False)
    assert await points(h, "bob") == 1


async def test_one_kudos_per_message_and_giver(h: Harness) -> None:
    post = await h.say("bob", "hello")
    await h.react("carol", post.number, "🙏")
    out = await h.react("carol", post.number, "⭐")
    assert said_to(h, out, "carol") == []
    assert await points(h, "bob") == 1
    await h.react("dave", post.number, "⭐")  # another giver still counts
    assert await points(h, "bob") == 2


async def test_reacting_to_your_own_message_gives_nothing_and_says_nothing(h: Harness) -> None:
    # "please help 🙏": the emoji is part of asking, not an attempt to thank oneself.
    post = await h.say("carol", "please help 🙏")
    for _ in range(2):
        assert await h.react("carol", post.number, "🙏") == []
    assert await points(h, "carol") == 0


async def test_reacting_to_someone_who_left_says_nothing(h: Harness) -> None:
    post = await h.say("dave", "an old answer")
    await h.leave("dave")
    assert said_to(h, await h.react("carol", post.number, "🙏"), "carol") == []
    assert await points(h, "dave") == 0


async def test_a_spent_allowance_is_told_once_a_day_not_on_every_reaction() -> None:
    async with kudos(daily_allowance=1) as h:
        first = await h.say("bob", "one")
        second = await h.say("dave", "two")
        third = await h.say("erin", "three")
        await h.react("carol", first.number, "🙏")
        out = await h.react("carol", second.number, "🙏")
        assert said_to(h, out, "carol") == [
            "You have given your 1 kudos for today; new ones arrive in 15 hours."
        ]
        assert said_to(h, await h.react("carol", third.number, "⭐"), "carol") == []
        assert await points(h, "dave") == 0 and await points(h, "erin") == 0
        # A command is a request: it is always answered.
        out = await h.command("carol", "/kudos @erin")
        assert out[-1].text.startswith("You have given your 1 kudos for today")
        await h.tick("15h")  # a new day: a new allowance, and the notice may come again
        await h.react("carol", second.number, "🙏")
        assert await points(h, "dave") == 1
        out = await h.react("carol", third.number, "🙏")
        assert said_to(h, out, "carol")[0].startswith("You have given your 1 kudos for today")


async def test_a_cooldown_is_told_once_a_day_too() -> None:
    async with kudos(cooldown_minutes=60) as h:
        first = await h.say("bob", "one")
        second = await h.say("bob", "two")
        third = await h.say("bob", "three")
        await h.react("carol", first.number, "🙏")
        out = await h.react("carol", second.number, "🙏")
        assert said_to(h, out, "carol")[0].startswith("You thanked bob just now;")
        assert said_to(h, await h.react("carol", third.number, "🙏"), "carol") == []
        assert await points(h, "bob") == 1


async def test_reacting_to_the_bots_own_message_is_ignored(h: Harness) -> None:
    out = await h.command("carol", "/kudos @bob")
    bot_post = next(p for p in out if p.ephemeral_to is None)
    assert await h.react("dave", bot_post.number, "🙏") == []


async def test_receiver_notification_can_be_turned_off() -> None:
    async with kudos(notify_receiver=False) as h:
        post = await h.say("bob", "hello")
        await h.react("carol", post.number, "🙏")
        assert h.dms("bob") == []
        assert await points(h, "bob") == 1


async def test_a_skin_toned_emoji_gives_kudos_and_can_be_taken_back(h: Harness) -> None:
    post = await h.say("bob", "hello")
    await h.react("carol", post.number, "🙏🏽")
    assert await points(h, "bob") == 1
    out = await h.react("carol", post.number, "🙏🏽", added=False)
    assert said_to(h, out, "carol")[0].startswith("You took back your kudos to bob.")
    assert await points(h, "bob") == 0


async def test_taking_back_works_when_the_platform_does_not_name_the_author(h: Harness) -> None:
    # Discord sends the message's author on reaction add only; a removal of a reaction
    # on a message out of its cache arrives without it.
    post = await h.say("bob", "hello")
    await h.react("carol", post.number, "🙏")
    removal = replace(
        h.community.react("carol", post.number, "🙏", added=False), message_author=None
    )
    before = len(h.community.posts)
    await h.dispatch(removal)
    out = h.community.posts[before:]
    assert said_to(h, out, "carol") == [
        "You took back your kudos to bob. You have 5 kudos left today."
    ]
    assert await points(h, "bob") == 0


async def test_an_addition_without_the_author_gives_nothing(h: Harness) -> None:
    post = await h.say("bob", "hello")
    addition = replace(h.community.react("carol", post.number, "🙏"), message_author=None)
    await h.dispatch(addition)
    assert await points(h, "bob") == 0
