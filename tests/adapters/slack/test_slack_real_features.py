"""The real features behind the real Slack adapter, over signed HTTP requests.

Moderation, onboarding, kudos, questions and the core answer what Slack sends, and
every event, click and form delivered three times (Slack's retries, same ids) has
one effect. What reached the fake Slack tells the story.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fake_slack import CHANNELS, USERS, FakeSlack, load
from slack_kit import REAL_CONFIG, Bot, running_real
from sqlalchemy import func, select

from storage.tables.kudos import kudos as kudos_table

FLAG = "triangular_flag_on_post"
HUG_KUDOS: dict[str, Any] = {
    **REAL_CONFIG,
    "features": {**REAL_CONFIG["features"], "kudos": {"emojis": {"🤗": 1}}},
}


async def three_times(
    send: Callable[..., Awaitable[tuple[int, str]]], payload: Mapping[str, Any]
) -> None:
    """Deliver `payload` as Slack does when it retries: the same bytes, three times."""
    statuses = await asyncio.gather(
        send(payload),
        send(payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}),
        send(payload, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}),
    )
    assert [s for s, _ in statuses] == [200, 200, 200]


def reaction(user: str, name: str, *, event_id: str, added: bool = True) -> dict[str, Any]:
    payload = load("http/event_reaction_added.json")
    payload["event"].update(user=user, reaction=name)
    if not added:
        payload["event"]["type"] = "reaction_removed"
    payload["event_id"] = event_id
    return payload


def texts(bot: Bot, method: str, channel: str | None = None) -> list[str]:
    return [
        str(c.args.get("text", ""))
        for c in bot.fake.called(method)
        if channel is None or c.args.get("channel") == channel
    ]


def hook_texts(bot: Bot) -> list[str]:
    return [str(body.get("text", "")) for _path, body in bot.fake.hooks]


async def carol_asks(bot: Bot) -> None:
    """carol's question in #help (a help channel): she and bob are known from now on."""
    await bot.event(load("http/event_message.json"))
    await bot.settle()


async def test_a_flag_reaction_reaches_the_mod_queue_once(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        await carol_asks(bot)
        await three_times(bot.event, reaction(USERS["alice"], FLAG, event_id="EvFlag"))
        await bot.settle()
        [item] = texts(bot, "chat.postMessage", CHANNELS["mod-queue"])
        assert "case #1" in item and "<@U0003>" in item
        [thanks] = texts(bot, "chat.postEphemeral")
        assert "Sent to the moderation queue" in thanks
        assert bot.app.dispatcher.duplicates >= 2


async def test_without_a_visible_mod_queue_the_flagger_is_told_the_truth(
    fake: FakeSlack,
) -> None:
    fake.unlisted.add(CHANNELS["mod-queue"])  # private, and the bot was never invited
    async with running_real(fake) as bot:
        await carol_asks(bot)
        await bot.event(reaction(USERS["alice"], FLAG, event_id="EvFlag"))
        await bot.settle()
        assert texts(bot, "chat.postMessage", CHANNELS["mod-queue"]) == []
        [told] = texts(bot, "chat.postEphemeral")
        assert "Sent to the moderation queue" not in told
        assert "Case #1 is recorded" in told and "/modqueue" in told


async def test_team_join_sends_the_real_welcome_once(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        await three_times(bot.event, load("http/event_team_join.json"))
        await bot.settle()
        [welcome] = texts(bot, "chat.postMessage", CHANNELS["dm_with_carol"])
        assert welcome.startswith("Welcome") and "<@U0003>" in welcome


async def test_a_join_channel_by_name_welcomes_once(fake: FakeSlack) -> None:
    async with running_real(fake, join_channels=["#general"]) as bot:
        await three_times(bot.event, load("http/event_member_joined_channel.json"))
        await bot.settle()
        assert len(texts(bot, "chat.postMessage", CHANNELS["dm_with_carol"])) == 1


async def given_kudos(bot: Bot) -> int:
    async with bot.app.runtime.storage.connection() as conn:
        found = await conn.execute(select(func.count()).select_from(kudos_table))
        return int(found.scalar_one())


async def test_a_kudos_emoji_slack_names_in_words_counts_once_and_is_taken_back_once(
    fake: FakeSlack,
) -> None:
    """🤗 is `hugging_face` on Slack; added three times, removed three times."""
    async with running_real(fake, sections=HUG_KUDOS) as bot:
        await carol_asks(bot)
        await three_times(bot.event, reaction(USERS["alice"], "hugging_face", event_id="EvHug"))
        await bot.settle()
        assert await given_kudos(bot) == 1
        dms = texts(bot, "chat.postMessage", CHANNELS["dm_with_carol"])
        assert len([t for t in dms if "🤗" in t]) == 1
        removed = reaction(USERS["alice"], "hugging_face", event_id="EvUnhug", added=False)
        await three_times(bot.event, removed)
        await bot.settle()
        assert await given_kudos(bot) == 0  # taken back within take_back_minutes


async def test_a_mention_of_the_bot_is_answered_once(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        await three_times(bot.event, load("http/event_app_mention.json"))
        twin = load("http/event_message.json")  # the same message, as a `message` event
        twin["event"].update(
            ts="1748858730.000300", text="<@U0004> where are the contributor docs?"
        )
        twin["event_id"] = "EvTwin"
        await bot.event(twin)
        await bot.settle()
        [hint] = texts(bot, "chat.postEphemeral", CHANNELS["help"])
        assert "/help" in hint and "slash commands" in hint
        help_please = load("http/event_app_mention.json")
        help_please["event"].update(ts="1748858731.000300", text="<@U0004> help")
        help_please["event_id"] = "EvHelp"
        await bot.event(help_please)
        await bot.settle()
        listed = texts(bot, "chat.postEphemeral", CHANNELS["help"])[-1]
        assert "/referrals invite" in listed and "\n/invite " not in listed


async def test_a_dm_to_the_bot_gets_help_in_the_dm(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        dm = load("http/event_message.json")
        dm["event"].update(channel=CHANNELS["dm_with_carol"], channel_type="im", text="help")
        dm["event_id"] = "EvDm"
        await three_times(bot.event, dm)
        await bot.settle()
        [answer] = texts(bot, "chat.postMessage", CHANNELS["dm_with_carol"])
        assert answer.startswith("Commands you can use")


def click(user: str, action_id: str, trigger: str) -> dict[str, Any]:
    payload = load("http/block_actions.json")
    payload["user"].update(id=user, username="alice", name="alice")
    payload["actions"][0].update(action_id=action_id, value="")
    payload["channel"] = {"id": CHANNELS["help"], "name": "help"}
    payload["container"].update(channel_id=CHANNELS["help"])
    payload["trigger_id"] = trigger
    return payload


async def test_clicks_and_forms_delivered_three_times_act_once(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        await carol_asks(bot)
        await bot.event(reaction(USERS["alice"], FLAG, event_id="EvFlag"))
        await bot.settle()
        form = load("http/view_submission.json")
        form["user"].update(id=USERS["alice"], username="alice", name="alice")
        form["trigger_id"] = "t-reason"
        form["view"].update(
            callback_id="moderation:reason",
            private_metadata=json.dumps({"agora": 1, "context": "1", "channel": "C0002"}),
            state={
                "values": {"details": {"details": {"type": "plain_text_input", "value": "spam"}}}
            },
        )
        await three_times(bot.interaction, bot.fake.localize(form))
        await bot.settle()
        withdraw = click(USERS["alice"], "moderation:flag:1:withdraw", "t-withdraw")
        await three_times(bot.interaction, withdraw)
        await bot.settle()
        replies = hook_texts(bot) + texts(bot, "chat.postEphemeral")
        assert len([t for t in replies if "your reason was added" in t]) == 1
        assert len([t for t in replies if "Your flag is withdrawn" in t]) == 1


async def test_app_home_shows_the_member_first_and_mentions_as_names(fake: FakeSlack) -> None:
    async with running_real(fake) as bot:
        await bot.event(load("http/event_team_join.json"))
        await carol_asks(bot)  # "<@U0002> …" in #help: a question with a mention
        opened = load("http/event_message.json")
        opened["event_id"] = "EvHome"
        opened["event"] = {
            "type": "app_home_opened",
            "user": USERS["carol"],
            "channel": CHANNELS["dm_with_carol"],
            "tab": "home",
            "event_ts": "1748858900.000100",
        }
        await bot.event(opened)
        await bot.settle()
        [published] = bot.fake.called("views.publish")
        blocks = published.args["view"]["blocks"]
        shown = [json.dumps(b, ensure_ascii=False) for b in blocks]
        profile = next(i for i, b in enumerate(shown) if "Profile of" in b)
        joined = next(i for i, b in enumerate(shown) if "Joined" in b)
        kudos = next(i for i, b in enumerate(shown) if "Your kudos" in b)
        asked = next(i for i, b in enumerate(shown) if "Your open questions" in b)
        commands = next(i for i, b in enumerate(shown) if "Commands you can use" in b)
        assert 2 == profile < joined < kudos < commands and asked < commands
        assert commands >= len(blocks) - 2  # the commands close the tab, folded
        assert blocks[-1]["type"] == "context" and "/referrals" in shown[-1]
        questions = shown[asked + 1]
        assert "@bob" in questions and "&lt;" not in questions and "U0002" not in questions


async def test_a_configured_emoji_slack_cannot_show_is_warned_about(fake: FakeSlack) -> None:
    sections = {**REAL_CONFIG, "features": {"kudos": {"emojis": {"🙏": 1, "ty": 1}}}}
    async with running_real(fake, sections=sections) as bot:
        [warning] = bot.adapter.warnings
        assert "features.kudos.emojis = 'ty'" in warning
