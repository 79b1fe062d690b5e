"""Slash commands, buttons, selects and modals: acknowledged in time, answered right."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from discord_kit import GUILD, INTRO, Bot, running, slash
from fake_discord import IDS, FakeDiscord, eventually, frame

from adapters.discord import commands
from adapters.discord.custom_ids import OPEN_FORM
from bot.i18n import _, using_locale
from bot.model import (
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    Member,
    MessagePosted,
    Outgoing,
    Ref,
)
from bot.ports import Directory

USERS = IDS["users"]
CHANNELS = IDS["channels"]
APP = IDS["application_id"]
SLASH = IDS["interactions"]["slash_kudos"]
BUTTON = IDS["interactions"]["button"]
MODAL = IDS["interactions"]["modal_submit"]
CALLBACK = r"/interactions/(\d+)/([^/]+)/callback"
FOLLOWUP = rf"/webhooks/{APP}/[^/]+"
ORIGINAL = rf"/webhooks/{APP}/[^/]+/messages/@original"


def callbacks(fake: FakeDiscord, interaction_id: str) -> list[dict[str, Any]]:
    return [c.body for c in fake.sent("POST", CALLBACK) if c.path.split("/")[2] == interaction_id]


async def test_commands_are_synced_from_the_registry(bot: Bot) -> None:
    [put] = bot.fake.sent("PUT", rf"/applications/{APP}/guilds/{GUILD}/commands")
    expected = commands.build(bot.app.runtime.registry.commands)
    assert put.body == list(expected.payloads)
    synced = {c["name"]: c for c in put.body}
    kudos = synced["kudos"]
    assert kudos["description"] == "Thank someone"
    assert [(o["name"], o["type"], o["required"]) for o in kudos["options"]] == [
        ("member", 6, True),
        ("reason", 3, True),
    ]
    poll = synced["poll"]
    subs = {o["name"]: o for o in poll["options"]}
    assert set(subs) == {"create", "remind"} and all(o["type"] == 1 for o in subs.values())
    create = {o["name"]: o for o in subs["create"]["options"]}
    assert create["hours"] == {
        "type": 4,
        "name": "hours",
        "description": "How long",
        "required": False,
        "min_value": 1,
        "max_value": 72,
    }
    assert create["anonymous"]["type"] == 5 and not create["anonymous"]["required"]
    assert create["kind"]["choices"] == [
        {"name": "poll", "value": "poll"},
        {"name": "quiz", "value": "quiz"},
    ]
    assert create["choices"]["type"] == 3 and create["choices"]["required"]
    remind = {o["name"]: o for o in subs["remind"]["options"]}
    assert remind["where"]["type"] == 7 and 0 in remind["where"]["channel_types"]
    assert remind["after"]["type"] == 3
    assert {"help", "language", "timezone"} <= set(synced)  # the core feature's commands too


async def test_slash_command_is_answered_in_the_response_then_a_followup(bot: Bot) -> None:
    await bot.fake.send(frame("interaction_create_slash_command"))
    [followup] = await bot.fake.wait_for("POST", FOLLOWUP)
    await bot.settle()
    [callback] = callbacks(bot.fake, SLASH)
    assert callback["type"] == 4
    assert callback["data"]["content"] == (
        f"🎉 <@{USERS['alice']}> gave kudos to <@{USERS['carol']}>: great first question in #help"
    )
    assert not callback["data"].get("flags")
    assert followup.body["content"] == "Thanks! Kudos are tallied every Friday."
    assert followup.body["flags"] == 64
    [invoked] = bot.recorder.of(CommandInvoked)
    assert invoked.name == "kudos"
    assert invoked.options == {
        "member": f"<@{USERS['carol']}>",
        "reason": "great first question in #help",
    }
    assert invoked.reply_token == frame("interaction_create_slash_command")["d"]["token"]
    assert invoked.actor.roles == {"Admin"} and invoked.locale == "en-US"
    assert invoked.channel.ref == Ref("discord", GUILD, CHANNELS["general"])


async def test_answers_are_changed_through_the_webhook_once_the_interaction_is_let_go(
    bot: Bot,
) -> None:
    """A settled interaction keeps only its follow-up webhook (a busy guild has
    thousands alive for 15 minutes): later answers, edits and deletions still work."""
    item = frame("interaction_create_slash_command")
    await bot.fake.send(item)
    await bot.fake.wait_for("POST", FOLLOWUP)
    await bot.settle()
    token = item["d"]["token"]
    pending = bot.adapter.interactions.get(token)
    assert pending is not None and pending.interaction is None and pending.original
    port = bot.adapter.port
    general = Ref("discord", GUILD, CHANNELS["general"])
    later = await port.send(Outgoing("One more thing.", channel=general, reply_token=token))
    [_first, more] = bot.fake.sent("POST", FOLLOWUP)
    assert more.body["content"] == "One more thing."
    original = Ref("discord", GUILD, f"{CHANNELS['general']}/{pending.original}")
    await port.edit(original, Outgoing("Kudos, corrected.", channel=general))
    await port.edit(later, Outgoing("One more thing, corrected.", channel=general))
    [edited_original] = bot.fake.sent("PATCH", ORIGINAL)
    assert edited_original.body["content"] == "Kudos, corrected."
    follow_up = later.id.split("/")[1]
    [edited] = bot.fake.sent("PATCH", rf"{FOLLOWUP}/messages/{follow_up}")
    assert edited.body["content"] == "One more thing, corrected."
    await port.delete(later)
    await port.delete(original)
    assert bot.fake.sent("DELETE", rf"{FOLLOWUP}/messages/{follow_up}")
    assert bot.fake.sent("DELETE", ORIGINAL)


async def test_deferred_first_when_configured_then_the_loading_message_is_edited(
    fake: FakeDiscord,
) -> None:
    async with running(fake, defer_after=0) as bot:
        await fake.send(frame("interaction_create_slash_command"))
        [followup] = await fake.wait_for("POST", FOLLOWUP)
        await bot.settle()
        [callback] = callbacks(fake, SLASH)
        assert callback["type"] == 5 and not (callback.get("data") or {}).get("flags")
        [edit] = fake.sent("PATCH", ORIGINAL)
        assert "gave kudos to" in edit.body["content"]
        assert followup.body["flags"] == 64
        order = [c.path for c in fake.calls if "interactions" in c.path or "webhooks" in c.path]
        assert order[0].endswith("/callback") and order[1].endswith("@original")


async def test_an_ephemeral_command_defers_ephemerally(fake: FakeDiscord) -> None:
    async with running(fake, defer_after=0) as bot:
        item = slash("secret")
        await fake.send(item)
        [edit] = await fake.wait_for("PATCH", ORIGINAL)
        await bot.settle()
        [callback] = callbacks(fake, item["d"]["id"])
        assert callback["type"] == 5 and callback["data"]["flags"] == 64
        assert edit.body["content"] == "Only you can read this."


async def test_a_slow_handler_is_deferred_in_time_and_answered_after(fake: FakeDiscord) -> None:
    async with running(fake, defer_after=0.05) as bot:
        item = slash("slow")
        await fake.send(item)
        [edit] = await fake.wait_for("PATCH", ORIGINAL)
        await bot.settle()
        [callback] = callbacks(fake, item["d"]["id"])
        assert callback["type"] == 5
        assert edit.body["content"] == "Done thinking."
        first = next(i for i, c in enumerate(fake.calls) if c.path.endswith("/callback"))
        assert fake.calls[first + 1 :].count(edit) == 1


async def test_a_command_behind_a_busy_core_is_deferred_at_once(fake: FakeDiscord) -> None:
    """An event stuck in the core for longer than defer_after: no waiting for the timer."""
    async with running(fake) as bot:
        bot.adapter.interactions.defer_after = 1.5  # the timer alone would take this long
        release = asyncio.Event()
        handle = bot.app.dispatcher.handle

        async def stuck_on_messages(event: Event) -> bool:
            if isinstance(event, MessagePosted):
                await release.wait()
            return await handle(event)

        bot.app.dispatcher.handle = stuck_on_messages  # type: ignore[method-assign]
        assert not bot.adapter.core_behind()
        await fake.send(frame("message_create"))
        await eventually(bot.adapter.core_behind, 4.0)
        item = slash("secret")
        await fake.send(item)
        mine = rf"/interactions/{item['d']['id']}/[^/]+/callback"
        [callback] = await fake.wait_for("POST", mine, limit=1.2)  # the timer says 1.5 s
        assert callback.body["type"] == 5 and callback.body["data"]["flags"] == 64
        [edit] = await fake.wait_for("PATCH", ORIGINAL)
        assert edit.body["content"] == "Only you can read this."
        release.set()
        await bot.settle()
        assert not bot.adapter.core_behind()


async def test_an_ephemeral_refusal_after_a_public_defer_stays_private(fake: FakeDiscord) -> None:
    async with running(fake, defer_after=0) as bot:
        item = slash("kudos", [{"name": "member", "type": 6, "value": USERS["carol"]}])
        await fake.send(item)
        [followup] = await fake.wait_for("POST", FOLLOWUP)
        await bot.settle()
        assert [c["type"] for c in callbacks(fake, item["d"]["id"])] == [5]
        assert fake.sent("DELETE", ORIGINAL), "the public loading message is removed"
        assert not fake.sent("PATCH", ORIGINAL)
        assert followup.body["flags"] == 64 and "Usage: /kudos" in followup.body["content"]


async def test_a_command_that_answers_nothing_leaves_nothing_behind(bot: Bot) -> None:
    item = slash("quiet")
    await bot.fake.send(item)
    await bot.fake.wait_for("DELETE", ORIGINAL)
    await bot.settle()
    [callback] = callbacks(bot.fake, item["d"]["id"])
    assert callback["type"] == 5  # acknowledged, then the loading message removed
    assert not bot.fake.sent("POST", FOLLOWUP) and not bot.fake.sent("PATCH", ORIGINAL)
    assert bot.recorder.of(CommandInvoked)


async def test_subcommand_options_reach_the_core_typed(bot: Bot) -> None:
    options = [
        {
            "name": "create",
            "type": 1,
            "options": [
                {"name": "question", "type": 3, "value": "Lunch?"},
                {"name": "choices", "type": 3, "value": "pizza 'pad thai'"},
                {"name": "hours", "type": 4, "value": 2},
                {"name": "anonymous", "type": 5, "value": True},
            ],
        }
    ]
    await bot.fake.send(slash("poll", options))
    await bot.fake.wait_for("POST", CALLBACK)
    await bot.settle()
    [invoked] = bot.recorder.of(CommandInvoked)
    assert invoked.name == "poll create"
    assert invoked.options == {
        "question": "Lunch?",
        "choices": "pizza 'pad thai'",
        "hours": "2",
        "anonymous": "true",
    }
    [callback] = [c.body for c in bot.fake.sent("POST", CALLBACK)]
    content = callback["data"]["content"]
    assert "('anonymous', True)" in content and "('choices', ['pizza', 'pad thai'])" in content
    assert "('hours', 2)" in content and callback["data"]["flags"] == 64


async def test_channel_and_duration_options(bot: Bot) -> None:
    options = [
        {
            "name": "remind",
            "type": 1,
            "options": [
                {"name": "where", "type": 7, "value": CHANNELS["help"]},
                {"name": "after", "type": 3, "value": "2h"},
            ],
        }
    ]
    await bot.fake.send(slash("poll", options))
    [call] = await bot.fake.wait_for("POST", CALLBACK)
    assert call.body["data"]["content"] == f"remind in <#{CHANNELS['help']}> after 2:00:00"


async def test_button_opens_the_form_as_a_modal(bot: Bot) -> None:
    await bot.fake.send(frame("interaction_create_button"))
    await bot.fake.wait_for("POST", CALLBACK)
    await bot.settle()
    [callback] = callbacks(bot.fake, BUTTON)
    assert callback["type"] == 9
    modal = callback["data"]
    assert modal["custom_id"] == "agora:onboarding:intro|onboarding-42"
    assert modal["title"] == "Introduce yourself"
    labels = [(c["type"], c["label"], c["component"]["custom_id"]) for c in modal["components"]]
    assert labels == [(18, "Tell us about yourself", "intro"), (18, "Interests", "interests")]
    assert modal["components"][0]["component"]["style"] == 2
    [pressed] = bot.recorder.of(ButtonPressed)
    assert pressed.action_id == "agora:onboarding:start" and pressed.value == ""
    assert pressed.actor.ref == Ref("discord", GUILD, USERS["carol"])
    assert pressed.locale == "de"
    welcome = IDS["messages"]["welcome (bot, #general, has button)"]
    assert pressed.message == Ref("discord", GUILD, f"{CHANNELS['general']}/{welcome}")


async def test_modal_submit_becomes_form_submitted(bot: Bot) -> None:
    item = frame("interaction_create_modal_submit")
    item["d"]["data"]["custom_id"] = "agora:onboarding:intro|onboarding-42"
    await bot.fake.send(item)
    await bot.fake.wait_for("POST", CALLBACK)
    await bot.settle()
    [submitted] = bot.recorder.of(FormSubmitted)
    assert submitted.form_id == "agora:onboarding:intro"
    assert submitted.context == "onboarding-42"
    assert set(submitted.values) == {"intro", "interests"}
    assert submitted.values["intro"]
    [callback] = callbacks(bot.fake, MODAL)
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    assert callback["data"]["content"] == "Thanks for introducing yourself!"


async def test_a_form_after_the_defer_is_offered_as_a_button(fake: FakeDiscord) -> None:
    async with running(fake, defer_after=0) as bot:
        await fake.send(frame("interaction_create_button"))
        [offer] = await fake.wait_for("POST", FOLLOWUP)
        await bot.settle()
        assert [c["type"] for c in callbacks(fake, BUTTON)] == [6]
        assert offer.body["flags"] == 64
        button = offer.body["components"][0]["components"][0]
        assert button["label"] == "Open the form"
        click = frame("interaction_create_button")
        click["d"].update(id=str(int(BUTTON) + 1), token="token-open-form")
        click["d"]["data"]["custom_id"] = button["custom_id"]
        await fake.send(click)
        await fake.wait_for("POST", CALLBACK, count=2)
        await bot.settle()
        [modal] = callbacks(fake, click["d"]["id"])
        assert modal["type"] == 9 and modal["data"]["title"] == INTRO.title
        assert len(bot.recorder.of(ButtonPressed)) == 1, "the adapter's own button"


async def test_a_select_reports_the_chosen_values(bot: Bot) -> None:
    item = frame("interaction_create_button")
    item["d"]["data"] = {"component_type": 3, "custom_id": "agora:pick", "values": ["py", "rs"]}
    await bot.fake.send(item)
    await bot.fake.wait_for("POST", CALLBACK)
    await bot.settle()
    [pressed] = bot.recorder.of(ButtonPressed)
    assert pressed.action_id == "agora:pick" and pressed.values == ("py", "rs")
    assert pressed.value == "py"


async def test_a_replayed_interaction_is_answered_once(bot: Bot) -> None:
    await bot.fake.send(frame("interaction_create_slash_command"))
    await bot.fake.wait_for("POST", FOLLOWUP)
    await bot.fake.send(frame("interaction_create_slash_command"))
    await bot.settle()
    assert len(callbacks(bot.fake, SLASH)) == 1
    assert len(bot.recorder.of(CommandInvoked)) == 1


async def test_an_interaction_the_core_cannot_read_gets_a_polite_answer(bot: Bot) -> None:
    item = slash("kudos")
    del item["d"]["data"]["name"]
    await bot.fake.send(item)
    await bot.fake.wait_for("POST", CALLBACK)
    [callback] = callbacks(bot.fake, item["d"]["id"])
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    assert "could not read" in callback["data"]["content"]
    await bot.fake.send(frame("interaction_create_slash_command"))
    await bot.fake.wait_for("POST", FOLLOWUP)


async def test_an_expired_interaction_is_answered_in_the_channel(bot: Bot) -> None:
    bot.fake.refuse(
        "POST",
        rf"/interactions/{SLASH}/[^/]+/callback",
        status=404,
        code=10062,
        message="Unknown interaction",
    )
    await bot.fake.send(frame("interaction_create_slash_command"))
    [public] = await bot.fake.wait_for("POST", rf"/channels/{CHANNELS['general']}/messages")
    await bot.fake.wait_for("POST", r"/users/@me/channels")
    await bot.settle()
    assert "gave kudos to" in public.body["content"]
    assert len(bot.recorder.of(CommandInvoked)) == 1


async def test_timezone_autocomplete_suggests_zones_for_what_was_typed(bot: Bot) -> None:
    typing = slash("timezone", [{"type": 3, "name": "zone", "value": "riga", "focused": True}])
    typing["d"]["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
    await bot.fake.send(typing)
    [answer] = await bot.fake.wait_for("POST", rf"/interactions/{typing['d']['id']}/[^/]+/callback")
    await bot.settle()
    assert answer.body == {
        "type": 8,
        "data": {"choices": [{"name": "Europe/Riga", "value": "Europe/Riga"}]},
    }
    assert not bot.recorder.of(CommandInvoked), "typing is not running the command"


async def test_autocomplete_reads_the_communitys_data_as_the_member_typing(bot: Bot) -> None:
    """An integer option's suggestions are numbers; what Discord cannot take is left out."""
    [put] = bot.fake.sent("PUT", rf"/applications/{APP}/guilds/{GUILD}/commands")
    [ticket] = [c for c in put.body if c["name"] == "ticket"]
    assert ticket["options"][0]["autocomplete"] is True and ticket["options"][0]["type"] == 4
    typing = slash("ticket", [{"type": 4, "name": "number", "value": "7", "focused": True}])
    typing["d"]["type"] = 4
    await bot.fake.send(typing)
    [answer] = await bot.fake.wait_for("POST", rf"/interactions/{typing['d']['id']}/[^/]+/callback")
    [choice] = answer.body["data"]["choices"]
    assert choice["value"] == 7 and choice["name"].startswith("#7 for ") and "(7)" in choice["name"]
    assert "nobody" not in choice["name"]  # the member typing, from the directory


async def test_guild_sync_removes_what_a_global_sync_left_once(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake.global_commands = [{"id": "1", "name": "kudos", "type": 1}]
    caplog.set_level(logging.INFO)
    async with running(fake):
        [cleared] = fake.sent("PUT", rf"/applications/{APP}/commands")
        assert cleared.body == []
        assert any("removed 1 global Discord command" in r.getMessage() for r in caplog.records)
    async with running(fake):
        assert len(fake.sent("PUT", rf"/applications/{APP}/commands")) == 1, "nothing left"


def expired_click(locale: str) -> dict[str, Any]:
    """carol presses a button whose stored custom id this process no longer knows."""
    click = frame("interaction_create_button")
    click["d"]["data"]["custom_id"] = "agora/stored/forgotten"
    click["d"]["locale"] = locale
    return click


# Where the community lets the app's language count (`[bot] use_platform_locale`).
CLIENT_LANGUAGES = {"bot": {"use_platform_locale": True}}


async def test_an_expired_button_answers_in_the_community_language_by_default(bot: Bot) -> None:
    await bot.fake.send(expired_click("nb"))
    [answer] = await bot.fake.wait_for("POST", CALLBACK)
    assert answer.body["data"]["content"] == "This button no longer works. Run the command again."


async def test_an_expired_button_answers_in_the_members_language(fake: FakeDiscord) -> None:
    said = "This button no longer works. Run the command again."
    async with running(fake, settings=CLIENT_LANGUAGES) as bot:
        await bot.fake.send(expired_click("nb"))
        [answer] = await bot.fake.wait_for("POST", CALLBACK)
        with using_locale("nb"):
            assert answer.body["data"]["content"] == _(said) != said, "what her client speaks"
        carol = Member(Ref("discord", GUILD, USERS["carol"]), "carol")
        storage = bot.app.runtime.storage
        async with storage.unit_of_work() as uow:
            directory = uow.get(Directory)  # type: ignore[type-abstract]
            record = await directory.upsert_member(carol, bot.app.runtime.clock.now())
            await directory.set_person_prefs(record.person_id, locale="fi")
        again = expired_click("nb")
        again["d"]["id"] = str(int(again["d"]["id"]) + 1)
        again["d"]["token"] = "token-expired-again"
        await bot.fake.send(again)
        [_first, second] = await bot.fake.wait_for("POST", CALLBACK, count=2)
        with using_locale("fi"):
            assert second.body["data"]["content"] == _(said), "her own choice wins"


async def test_an_expired_form_offer_answers_in_the_members_language(fake: FakeDiscord) -> None:
    async with running(fake, settings=CLIENT_LANGUAGES) as bot:
        click = expired_click("uk")
        click["d"]["data"]["custom_id"] = OPEN_FORM + "gone"
        await bot.fake.send(click)
        [answer] = await bot.fake.wait_for("POST", CALLBACK)
        with using_locale("uk"):
            said = _("This form has expired. Run the command again to get a new one.")
        assert answer.body["data"]["content"] == said and said.startswith("Термін")
