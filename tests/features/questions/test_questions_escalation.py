"""Nobody answered: helpers at 30 minutes, moderators later — once, after restarts too."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.memory.community import Posted
from bot.features.questions.store import Questions, State
from bot.testing import Harness

HELPERS_PINGED = "so I've asked the helpers"
MODERATORS_TOLD = "I've brought in the moderators"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def count(posts: list[Posted], text: str) -> int:
    return sum(text in p.text for p in posts)


async def ask(h: Harness, text: str = "How do I reset my password?", **kw: Any) -> int:
    await h.command(
        kw.get("who", "carol"),
        f"/ask {text}" + (f" --topic {kw['topic']}" if "topic" in kw else ""),
    )
    return [p for p in h.in_channel("help") if p.thread_of is None][-1].number


async def test_helpers_then_moderators_each_exactly_once(h: Harness) -> None:
    root = await ask(h)
    assert count(await h.tick("29m"), HELPERS_PINGED) == 0
    posts = await h.tick("2m")
    (pinged,) = [p for p in posts if HELPERS_PINGED in p.text]
    assert pinged.text == (
        "@carol, nobody has answered in 30 min, so I've asked the helpers: @hana."
    )
    assert pinged.thread_of == h.community.post(root).ref
    assert count(await h.tick("28m"), MODERATORS_TOLD) == 0
    posts = await h.tick("3m")
    (alert,) = [p for p in posts if p.channel is not None and p.channel.name == "mod-queue"]
    assert alert.text.startswith("🚨 Question #1 has waited 1 hr without an answer")
    assert alert.text.endswith("@bob") and "[1]" in alert.text
    (told,) = [p for p in posts if MODERATORS_TOLD in p.text]
    assert told.text.startswith("@carol") and told.thread_of == h.community.post(root).ref
    later = await h.tick("30d")
    assert count(later, HELPERS_PINGED) == 0 and count(later, MODERATORS_TOLD) == 0
    assert count(h.sent, HELPERS_PINGED) == 1 and count(h.sent, MODERATORS_TOLD) == 1


async def test_a_reply_by_someone_else_stops_the_clock(h: Harness) -> None:
    root = await ask(h)
    await h.tick("10m")
    await h.say("carol", "Any ideas?", channel="help", thread_of=root)
    await h.tick("10m")
    await h.say("dave", "Try the settings page", channel="help", thread_of=root)
    posts = await h.tick("3h")
    assert count(posts, HELPERS_PINGED) == 0 and count(posts, MODERATORS_TOLD) == 0


async def test_the_askers_own_replies_do_not_stop_it(h: Harness) -> None:
    root = await ask(h)
    await h.tick("10m")
    await h.say("carol", "Anyone?", channel="help", thread_of=root)
    assert count(await h.tick("21m"), HELPERS_PINGED) == 1


async def test_an_answer_after_the_helper_ping_stops_the_moderator_step(h: Harness) -> None:
    root = await ask(h)
    await h.tick("31m")
    await h.say("hana", "Here you go", channel="help", thread_of=root)
    assert count(await h.tick("2h"), MODERATORS_TOLD) == 0


async def test_escalation_survives_restarts_and_fires_once(harness: Any, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with harness(top={"storage_url": url, "start": START}) as h:
        await ask(h)
        assert count(await h.tick("10m"), HELPERS_PINGED) == 0
    # Down for 35 minutes: the helper ping is overdue when Agora comes back.
    async with harness(top={"storage_url": url, "start": START.replace(minute=45)}) as h:
        await h.tick("1m")
        assert count(h.sent, HELPERS_PINGED) == 1
        assert count(h.sent, MODERATORS_TOLD) == 0
    async with harness(top={"storage_url": url, "start": START.replace(hour=11)}) as h:
        await h.tick("1m")
        assert count(h.sent, HELPERS_PINGED) == 0
        assert count(h.sent, MODERATORS_TOLD) == 1
        await h.tick("1d")
        assert count(h.sent, MODERATORS_TOLD) == 1


async def test_no_helpers_means_moderators_at_once(harness: Any) -> None:
    async with harness(helpers=[]) as h:
        await ask(h)
        posts = await h.tick("31m")
        assert count(posts, HELPERS_PINGED) == 0 and count(posts, MODERATORS_TOLD) == 1


async def test_moderators_by_dm_without_an_escalation_channel(harness: Any) -> None:
    async with harness(escalation_channel="") as h:
        await ask(h)
        await h.tick("61m")
        (dm,) = h.dms("bob")
        assert "A question on memory is waiting for an answer" in dm.text
        assert h.in_channel("mod-queue") == []


async def test_quiet_hours_follow_each_helpers_time_zone(harness: Any) -> None:
    members = (
        ("alice", ("admin",)),
        ("bob", ("moderator",)),
        ("hana", ("helper",)),
        ("ivan", ("helper",)),
        ("carol", ()),
    )
    evening = datetime(2026, 1, 5, 21, 15, tzinfo=UTC)  # 22:15 in Oslo, 16:15 in New York
    async with harness(top={"members": members, "start": evening}, quiet_hours="22:00-08:00") as h:
        await h.command("hana", "/timezone Europe/Oslo")
        await h.command("ivan", "/timezone America/New_York")
        await ask(h)
        posts = await h.tick("31m")
        (pinged,) = [p for p in posts if HELPERS_PINGED in p.text]
        assert "@ivan" in pinged.text and "@hana" not in pinged.text
        assert "One more helper gets a ping when their day starts." in pinged.text
        # Moderators at 22:17 UTC: bob (UTC, quiet) is not mentioned, only told later.
        posts = await h.tick("31m")
        (alert,) = [p for p in posts if p.channel is not None and p.channel.name == "mod-queue"]
        assert "@bob" not in alert.text
        assert h.dms("hana") == [] and h.dms("bob") == []
        await h.tick("9h")  # 07:17 UTC = 08:17 in Oslo
        assert len(h.dms("hana")) == 1 and h.dms("bob") == []
        await h.tick("1h")  # 08:17 UTC
        assert len(h.dms("bob")) == 1 and len(h.dms("hana")) == 1


async def test_deferred_ping_is_dropped_once_answered(harness: Any) -> None:
    night = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    async with harness(top={"start": night}, quiet_hours="22:00-08:00") as h:
        root = await ask(h)
        posts = await h.tick("31m")
        assert "outside their hours" in next(p.text for p in posts if "nobody" in p.text)
        await h.say("dave", "I think it's in settings", channel="help", thread_of=root)
        await h.tick("10h")
        assert h.dms("hana") == []


async def test_volunteers_and_topic_helpers(harness: Any) -> None:
    async with harness(topics={"billing": ["user:alice"], "setup": []}) as h:
        out = await h.command("dave", "/helper")
        assert "not a volunteer helper" in out[-1].text
        out = await h.command("dave", "/helper on shipping")
        assert "not a topic here" in out[-1].text
        out = await h.command("dave", "/helper on billing")
        assert "about: billing" in out[-1].text
        await ask(h, "Where is my invoice?", topic="billing")
        await ask(h, "Where do I start?", topic="setup", who="bob")
        posts = await h.tick("31m")
        billing = next(p for p in posts if HELPERS_PINGED in p.text and "@carol" in p.text)
        assert re.search(r"helpers: (@\w+, ){2}@\w+\.", billing.text)
        assert {"@alice", "@hana", "@dave"} <= set(re.findall(r"@\w+", billing.text))
        setup = next(p for p in posts if HELPERS_PINGED in p.text and "@bob" in p.text)
        assert "@hana" in setup.text and "@dave" not in setup.text and "@alice" not in setup.text
        out = await h.command("dave", "/helper off")
        assert "not a volunteer helper" in out[-1].text
        out = await h.command("dave", "/helper on")
        assert "every topic" in out[-1].text


async def test_the_asker_is_never_pinged_for_their_own_question(h: Harness) -> None:
    await ask(h, who="hana")
    posts = await h.tick("31m")
    assert count(posts, HELPERS_PINGED) == 0 and count(posts, MODERATORS_TOLD) == 1


async def test_helpers_on_another_platform_get_a_direct_message_there(h: Harness) -> None:
    slack = await h.add_platform("slack", members=(("carol", ()), ("erik", ())))
    out = await h.command("dave", "/link")
    code = re.search(r"code is (\w+)", out[-1].text)
    assert code is not None
    await h.on(slack, slack.command("erik", "general", f"/link {code.group(1)}"))
    await h.on(slack, slack.command("erik", "general", "/helper on"))
    got = await h.on(slack, slack.command("carol", "general", "/ask Is there an API?"))
    assert "Your question is #1" in got[-1].text
    before = len(slack.posts)
    await h.tick("31m")
    (pinged,) = [p for p in slack.posts[before:] if HELPERS_PINGED in p.text]
    # erik (= dave, linked) is mentioned on Slack; hana only has a memory account.
    assert "@erik" in pinged.text and "hana (memory)" in pinged.text
    (dm,) = h.dms("hana")
    assert "A question on Slack is waiting for an answer" in dm.text
    assert "Is there an API?" in dm.text
    async with h.runtime.storage.unit_of_work() as uow:
        q = await uow.get(Questions).get(1)
    assert q is not None and q.state is State.OPEN and q.platform == "slack"


async def test_platforms_not_running_are_skipped(h: Harness) -> None:
    slack = await h.add_platform("slack", members=(("erik", ("helper",)),))
    del h.runtime.ports["slack"]
    await ask(h)
    posts = await h.tick("31m")
    (pinged,) = [p for p in posts if HELPERS_PINGED in p.text]
    assert pinged.text.endswith("helpers: @hana.")
    assert [p for p in slack.posts if p.by_bot] == []


async def test_moderator_alert_reaches_the_bridged_channel(harness: Any) -> None:
    bridge = {"bridges": [{"discord": "mod-queue", "slack": "moderators"}]}
    async with harness(top={"config": bridge}) as h:
        discord = await h.add_platform("discord", members=(("carol", ()), ("bob", ("moderator",))))
        slack = await h.add_platform("slack", channels=["general", "moderators"])
        await h.on(discord, discord.command("carol", "general", "/ask Who runs the meetup?"))
        await h.tick("61m")
        (alert,) = [p for p in discord.posts if p.text.startswith("🚨 Question #1")]
        assert alert.channel is not None and alert.channel.name == "mod-queue"
        (mirror,) = [p for p in slack.posts if p.text.startswith("🚨 Question #1")]
        assert mirror.channel is not None and mirror.channel.name == "moderators"


async def test_nobody_to_bring_in_means_no_promise_to_the_asker(harness: Any) -> None:
    alone = (("carol", ()), ("dave", ()))
    async with harness(top={"members": alone}, escalation_channel="") as h:
        await ask(h)
        posts = await h.tick("2h")
        assert count(posts, HELPERS_PINGED) == 0 and count(posts, MODERATORS_TOLD) == 0


def test_config_check_wants_someone_to_ping() -> None:
    from bot.config import config_from_dict
    from bot.features import feature_models
    from bot.features.questions.config import QuestionsConfig, check_someone_is_pinged

    config = config_from_dict(
        {"permissions": {"admin": [], "moderator": [], "helper": []}}, feature_models()
    )
    (problem,) = check_someone_is_pinged(QuestionsConfig(helpers=[]), config)
    assert problem.path == "features.questions.helpers"
    assert list(check_someone_is_pinged(QuestionsConfig(), config)) == []
