"""Self-moderation statistics, GDPR forget/export, the CSV export and `agora check`."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from mod_kit import flag, flagged, harness, queue, settle
from sqlalchemy import func, select

from bot.config import AgoraConfig, config_from_dict
from bot.context import Context, Work
from bot.features import feature_models
from bot.features.moderation.config import ModerationConfig, check_someone_moderates
from bot.features.moderation.handlers import feature
from bot.features.moderation.reports import stats_figures
from bot.model import MemberRecord, Ref
from bot.ports import Directory, PersonData
from bot.stats import Window
from bot.testing import Harness
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables.moderation import mod_cases, mod_flags, mod_log, mod_sanctions


async def _figures(h: Harness, window: Window) -> dict[str, float | None]:
    async with h.runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(h.runtime, uow), feature, None)
        return {f.key: f.value for f in await stats_figures(ctx, window)}


async def _record(h: Harness, name: str) -> MemberRecord:
    async with h.runtime.storage.unit_of_work() as uow:
        found = await uow.get(Directory).get(h.ref(name))
    assert found is not None
    return found


async def test_self_moderation_statistics() -> None:
    async with harness() as h:
        await settle(h)
        start = h.clock.now()
        await flagged(h)  # case 1: three members → quorum
        await h.tick("30m")
        await h.click("bob", "Delete message")  # confirmed after 30 minutes
        second = await h.say("carol", "fine message", channel="general")
        await flag(h, second.number, "dave", "bob")  # case 2: a moderator's flag
        await h.tick("90m")
        await h.click("mia", "Dismiss")  # dismissed after 90 minutes
        figures = await _figures(h, Window(start, h.clock.now() + timedelta(seconds=1)))
        assert figures["moderation_flags"] == 5
        assert figures["moderation_member_flags"] == 4
        assert figures["moderation_flaggers"] == 3
        assert figures["moderation_queued"] == 2
        assert figures["moderation_queued_by_members"] == 1
        assert figures["moderation_decided"] == 2
        assert figures["moderation_confirmed_share"] == 50.0
        assert figures["moderation_decision_median_minutes"] == 60.0
        assert figures["moderation_false_flag_rate"] == 25.0  # dave's second flag of four
        empty = await _figures(h, Window(start - timedelta(days=9), start))
        assert empty["moderation_flags"] == 0 and empty["moderation_confirmed_share"] is None
        other = await _figures(h, Window(start, h.clock.now(), platform="slack"))
        assert other["moderation_flags"] == 0
        text = (await h.command("bob", "/modstats 7"))[-1].text
        assert "Flags raised: 5" in text and "Median time to decision: 60 min" in text


async def test_forgotten_flagger_keeps_the_count_but_not_the_name() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.click("dave", "Add a reason")
        await h.submit("dave", rule="1", details="dave thinks so")
        dave = await _record(h, "dave")
        await h.command("dave", "/mydata forget")
        await h.click("dave", "Forget me")
        async with h.runtime.storage.connection() as conn:
            flags = (await conn.execute(select(mod_flags))).mappings().all()
            case = (await conn.execute(select(mod_cases))).mappings().one()
            logged = (await conn.execute(select(mod_log.c.actor))).scalars().all()
        assert len(flags) == 3 and case["flags"] == 3 and case["weight"] == 3
        assert dave.person_id not in {f["person_id"] for f in flags}
        assert all(f["reason"] is None for f in flags if f["person_id"] is None)
        assert [f["rule"] for f in flags if f["person_id"] is None] == [1]  # no name, rule kept
        assert dave.person_id not in logged
        async with h.runtime.storage.unit_of_work() as uow:
            assert await uow.get(PersonData).remaining(dave.person_id, [dave.ref]) == {}
        item = queue(h)[0]
        assert "3 flags" in item.text and "dave thinks so" not in item.text
        out = await h.command("bob", "/modlog")
        assert "a forgotten member flagged a message by @carol" in out[-1].text


async def test_forgotten_author_and_moderator_keep_decisions_and_counts() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.click("bob", "Ban")
        carol = await _record(h, "carol")
        bob = await _record(h, "bob")
        for name in ("carol", "bob"):
            await h.command(name, "/mydata forget")
            await h.click(name, "Forget me")
        async with h.runtime.storage.connection() as conn:
            case = (await conn.execute(select(mod_cases))).mappings().one()
            sanctions = (await conn.execute(select(mod_sanctions))).mappings().all()
            sanction_count = (
                await conn.execute(select(func.count()).select_from(mod_sanctions))
            ).scalar_one()
        assert case["decision"] == "ban" and case["author_ref"] is None
        assert case["decided_by"] is None and case["author_person_id"] is None
        assert sanction_count == 1 and sanctions[0]["person_id"] is None
        for person in (carol, bob):
            async with h.runtime.storage.unit_of_work() as uow:
                assert await uow.get(PersonData).remaining(person.person_id, [person.ref]) == {}


async def test_export_lists_flags_and_sanctions() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.click("bob", "Warn")
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        mine = data["features"]["moderation"]
        assert [s["kind"] for s in mine["sanctions"]] == ["warn"]
        assert mine["own_messages_reviewed"] == 1
        await h.command("dave", "/mydata export")
        data = json.loads(h.dms("dave")[-1].attachments[0].data)
        assert len(data["features"]["moderation"]["flags_raised"]) == 1


async def test_modlog_csv_export() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.click("bob", "Ban")
        out = await h.command("mia", "/modlog export --days 7")
        assert "I sent you the log" in out[-1].text
        (attachment,) = h.dms("mia")[-1].attachments
        rows = list(csv.DictReader(io.StringIO(attachment.data.decode())))
        assert [r["kind"] for r in rows] == ["flag", "flag", "flag", "queued", "sanction"]
        assert rows[-1]["actor"].startswith("bob (") and rows[-1]["subject"].startswith("carol (")
        assert rows[-1]["detail"] == "ban strike 1"
        assert "idiots" not in attachment.data.decode()


async def test_cli_export_function(tmp_path: object) -> None:
    from pathlib import Path

    from bot.features.moderation.admin import export_log
    from bot.testing import load_config_dict

    assert isinstance(tmp_path, Path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    engine = create_engine(url)
    await upgrade(engine)  # as `agora db upgrade` would
    await engine.dispose()
    async with Harness(storage_url=url) as h:
        await h.command("bob", "/warn @carol rude")
    config = load_config_dict({"storage": {"url": url}}, feature_models())
    text = await export_log(config, days=30)
    assert text.splitlines()[0].startswith("id,at,platform")
    assert ",sanction," in text


def test_check_warns_when_nobody_can_moderate() -> None:
    config: AgoraConfig = config_from_dict(
        {"permissions": {"moderator": [], "admin": []}}, feature_models()
    )
    problems = list(check_someone_moderates(ModerationConfig(), config))
    assert [p.path for p in problems] == ["permissions.moderator"]
    problems = list(
        check_someone_moderates(
            ModerationConfig(new_member_days=30, veteran_days=10), config_from_dict({}, {})
        )
    )
    assert [p.path for p in problems] == ["features.moderation.veteran_days"]


async def test_flags_on_another_platform_go_to_its_own_queue() -> None:
    async with harness() as h:
        slack = await h.add_platform("slack")
        said = slack.say("carol", "general", "spam from slack")
        await h.on(slack, said)
        number = slack.post_by_ref(said.message.ref).number  # type: ignore[union-attr]
        await h.on(slack, slack.react("bob", number, "🚩"))
        slack_queue = [p for p in slack.posts if p.channel and p.channel.name == "mod-queue"]
        assert slack_queue and "case #1" in slack_queue[0].text
        assert queue(h) == []
        assert isinstance(slack_queue[0].ref, Ref)


async def test_home_shows_rules_and_strikes() -> None:
    async with harness() as h:
        await h.command("bob", "/warn @carol rude")
        carol = await _record(h, "carol")
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None, actor=carol)
            (hook,) = feature.home_hooks
            blocks = await hook(ctx)
        texts = [getattr(b, "text", "") for b in blocks]
        assert texts[0] == "Community rules" and "1. Be respectful" in texts[1]
        assert "You have 1 active strike; another would bring a timeout of 1 hour" in texts[2]
