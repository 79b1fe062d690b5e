"""The real features through the real discord.py client and the fake gateway, end to end."""

from __future__ import annotations

import copy
from typing import Any

from discord_kit import GUILD, Bot, running, slash
from fake_discord import IDS, FakeDiscord, frame

from bot.features.kudos.handlers import feature as kudos
from bot.features.moderation.feature import feature as moderation
from bot.features.onboarding.handlers import feature as onboarding
from bot.features.questions.handlers import feature as questions
from bot.features.questions.store import Questions, State
from bot.model import Ref

USERS = IDS["users"]
CHANNELS = IDS["channels"]
FORUM = "1330902151989612999"
POST = "1379040000000000000"  # the forum post: its thread and its first message
STAFF = {"permissions": {"moderator": ["role:Moderator"], "admin": ["role:Admin"]}}


def forum_channel() -> dict[str, Any]:
    """A forum channel (type 15) beside the sample's text channels."""
    return {
        "id": FORUM,
        "type": 15,
        "name": "help-forum",
        "position": 4,
        "parent_id": CHANNELS["Community (category)"],
        "topic": "Ask here: one post per question",
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "permission_overwrites": [],
        "flags": 0,
        "available_tags": [],
        "default_reaction_emoji": None,
        "default_thread_rate_limit_per_user": 0,
        "default_sort_order": None,
        "default_forum_layout": 0,
    }


def forum_post(title: str) -> dict[str, Any]:
    """THREAD_CREATE for a new post by carol: a public thread whose parent is the forum."""
    item = frame("thread_create")
    item["d"].update(id=POST, parent_id=FORUM, owner_id=USERS["carol"], name=title)
    return item


def message_in_post(message_id: str, author: str, text: str) -> dict[str, Any]:
    item = frame("message_create")
    data = item["d"]
    data.update(id=message_id, channel_id=POST, content=text, mentions=[])
    if author != "carol":
        user = next(
            m for m in frame("guild_create")["d"]["members"] if m["user"]["id"] == USERS[author]
        )
        data["author"] = user["user"]
        data["member"] = {k: v for k, v in user.items() if k != "user"}
    return item


async def question_at(bot: Bot, place: Ref) -> Any:
    async with bot.app.runtime.storage.unit_of_work() as uow:
        return await uow.get(Questions).at_place([place])  # type: ignore[type-abstract]


async def test_a_forum_post_becomes_a_question_and_a_reply_in_it_an_answer(
    fake: FakeDiscord,
) -> None:
    fake.guild["d"]["channels"].append(forum_channel())
    settings = {**STAFF, "features": {"questions": {"help_channels": ["help-forum"]}}}
    async with running(fake, features=[questions], settings=settings) as bot:
        await fake.send(forum_post("How do I run the tests?"))
        await fake.send(message_in_post(POST, "carol", "pytest finds nothing after cloning."))
        in_post = rf"/channels/{POST}/messages"
        [notice] = await fake.wait_for("POST", in_post)
        await bot.settle()
        assert "I'm tracking this as question #1" in notice.body["content"]
        assert not fake.sent("POST", rf"/channels/{FORUM}/messages/{POST}/threads")
        question = await question_at(bot, Ref("discord", GUILD, f"{POST}/{POST}"))
        assert question is not None and question.state is State.OPEN
        assert question.title == "How do I run the tests?"
        assert question.channel == Ref("discord", GUILD, FORUM)
        assert question.thread == Ref("discord", GUILD, POST)

        await fake.send(message_in_post("1379040000000000123", "bob", "Run make test first."))
        [_notice, prompt] = await fake.wait_for("POST", in_post, count=2)
        await bot.settle()
        assert (
            "answered" in prompt.body["content"]
            and f"<@{USERS['bob']}>" in (prompt.body["content"])
        )
        answered = await question_at(bot, Ref("discord", GUILD, POST))
        assert answered is not None and answered.state is State.ANSWERED


async def test_a_flag_reaction_reaches_the_moderation_queue(fake: FakeDiscord) -> None:
    async with running(fake, features=[moderation], settings=STAFF) as bot:
        await fake.send(frame("message_create"))
        flag = frame("message_reaction_add")
        flag["d"]["emoji"] = {"id": None, "name": "🚩"}
        await fake.send(flag)
        [queued] = await fake.wait_for("POST", rf"/channels/{CHANNELS['mod-queue']}/messages")
        await bot.settle()
        shown = queued.body["content"] + str(queued.body.get("embeds"))
        assert f"<@{USERS['carol']}>" in shown, "the author of the flagged message"
        assert f"{CHANNELS['help']}/{IDS['messages']['question (carol, #help)']}" in shown
        buttons = [b for row in queued.body["components"] for b in row["components"]]
        assert any(b["custom_id"].startswith("moderation:") for b in buttons)
        removed = rf"/channels/{CHANNELS['help']}/messages/\d+/reactions/[^/]+/{USERS['bob']}"
        assert fake.sent("DELETE", removed), "the flag reaction is taken off for privacy"


async def test_a_member_join_gets_the_real_welcome(fake: FakeDiscord) -> None:
    settings = {"bot": {"name": "Fjordkoderne"}}
    async with running(fake, features=[onboarding], settings=settings) as bot:
        await fake.send(copy.deepcopy(frame("guild_member_add")))
        [opened] = await fake.wait_for("POST", r"/users/@me/channels")
        [welcome] = await fake.wait_for("POST", r"/channels/\d+/messages")
        await bot.settle()
        assert str(opened.body["recipient_id"]) == USERS["carol"]
        assert "Welcome to Fjordkoderne" in welcome.body["content"]
        assert f"<@{USERS['carol']}>" in welcome.body["content"]


async def test_hints_and_help_say_what_to_type_on_discord(fake: FakeDiscord) -> None:
    async with running(fake, features=[kudos]) as bot:
        board = slash("leaderboard")
        await fake.send(board)
        await fake.wait_for("POST", rf"/interactions/{board['d']['id']}/[^/]+/callback")
        helped = slash("help")
        await fake.send(helped)
        await fake.wait_for("POST", rf"/interactions/{helped['d']['id']}/[^/]+/callback")
        await bot.settle()
        said = {
            c.path.split("/")[2]: str(c.body)
            for c in fake.sent("POST", r"/interactions/\d+/[^/]+/callback")
        }
        assert "Thank someone with /kudos give @member!" in said[board["d"]["id"]]
        assert "/kudos give" in said[helped["d"]["id"]] and "/kudos me" in said[helped["d"]["id"]]


def catalog(locale: str) -> dict[str, str]:
    """What a shipped catalog says, read from its .po file (what translators wrote)."""
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALE_DIR

    with (LOCALE_DIR / locale / "LC_MESSAGES" / "agora.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.string}


async def test_the_synced_commands_carry_the_catalogs_translations(fake: FakeDiscord) -> None:
    async with running(fake, features=[kudos]):
        [put] = fake.sent("PUT", rf"/applications/{IDS['application_id']}/guilds/{GUILD}/commands")
    synced = {c["name"]: c for c in put.body}
    nb, fi, uk = catalog("nb"), catalog("fi"), catalog("uk")
    help_text = "List the commands you can use"
    assert synced["help"]["description"] == help_text
    assert synced["help"]["description_localizations"] == {
        "no": nb[help_text],
        "fi": fi[help_text],
        "uk": uk[help_text],
    }
    [period] = [o for o in synced["leaderboard"]["options"] if o["name"] == "period"]
    week = period["choices"][0]
    assert week["value"] == "week" and week["name"] == "last 7 days"
    assert week["name_localizations"] == {
        "no": nb["last 7 days"],
        "fi": fi["last 7 days"],
        "uk": uk["last 7 days"],
    }
    assert len(set(week["name_localizations"].values())) == 3, "three languages, three words"
    [zone] = synced["timezone"]["options"]
    assert zone["autocomplete"] is True and zone["description_localizations"]["fi"]
    give = {o["name"]: o for o in synced["kudos"]["options"]}["give"]
    assert [o["name"] for o in give["options"]] == ["member", "reason"]
    assert "default_member_permissions" not in synced["kudos"]
