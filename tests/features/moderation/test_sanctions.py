"""The sanctions ladder from TOML: /warn, progression, expiry, /sanctions, appeals, /rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from mod_kit import SLACK_LIKE, flagged, harness, log_kinds, press, queue, settle

from bot.config import ConfigError
from bot.testing import Harness


async def test_ladder_progresses_with_each_active_strike() -> None:
    async with harness() as h:
        results = []
        for i in range(5):
            out = await h.command("bob", f"/warn @carol --rule 1 strike {i + 1}")
            results.append(h.answer(out, "bob").text)
        assert "a warning (strike 1)" in results[0]
        assert "a timeout of 1 hour (strike 2)" in results[1]
        assert "a timeout of 1 day (strike 3)" in results[2]
        assert "a ban (strike 4)" in results[3]
        assert "a ban (strike 5)" in results[4]  # the last step repeats
        assert [m.action for m in h.community.moderation] == ["timeout", "timeout", "ban", "ban"]
        dm = h.dms("carol")[0].text
        assert "Rule 1: Be respectful" in dm and "Note from the moderators: strike 1" in dm


async def test_strikes_expire_and_the_ladder_starts_again() -> None:
    async with harness({"sanction_expiry_days": 30}) as h:
        await h.command("bob", "/warn @carol first")
        await h.tick("20d")
        await h.command("bob", "/warn @carol second")
        assert [m.action for m in h.community.moderation] == ["timeout"]
        await h.tick("11d")  # the first strike expired: one active
        out = await h.command("carol", "/sanctions")
        assert "1 active strike. Next: a timeout of 1 hour" in h.answer(out, "carol").text
        assert "expired" in h.answer(out, "carol").text
        assert await log_kinds(h) == ["sanction", "sanction", "expired"]
        await h.tick("20d")
        out = await h.command("bob", "/warn @carol third")
        assert "a warning (strike 1)" in h.answer(out, "bob").text


async def test_strikes_can_count_forever() -> None:
    async with harness({"sanction_expiry_days": 0}) as h:
        await h.command("bob", "/warn @carol first")
        await h.tick("400d")  # well past any expiry a community would set
        out = await h.command("bob", "/warn @carol second")
        assert "strike 2" in h.answer(out, "bob").text


async def test_expiry_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    config = {"features": {"moderation": {"sanction_expiry_days": 10}}}
    async with Harness(config, storage_url=url) as h:
        await h.command("bob", "/warn @carol once")
        now = h.clock.now()
    async with Harness(config, storage_url=url, start=now) as h:
        await h.tick("11d")
        assert await log_kinds(h) == ["sanction", "expired"]


async def test_warn_bad_input_and_permissions() -> None:
    async with harness() as h:
        out = await h.command("carol", "/warn @dave rude")
        assert "is for moderators only" in h.answer(out, "carol").text
        out = await h.command("bob", "/warn @nobody rude")
        assert "don't know a member called nobody" in h.answer(out, "bob").text
        out = await h.command("bob", "/warn @carol --rule 9 rude")
        assert "There is no rule 9; there are 5" in h.answer(out, "bob").text
        out = await h.command("bob", "/warn @bob rude")
        assert "can't warn yourself" in h.answer(out, "bob").text
        out = await h.command("bob", "/warn @carol")
        assert "Missing <reason>" in h.answer(out, "bob").text
        assert await log_kinds(h) == []


async def test_warn_on_a_platform_that_cannot_time_out() -> None:
    async with harness(capabilities=SLACK_LIKE) as h:
        await h.command("bob", "/warn @carol one")
        out = await h.command("bob", "/warn @carol two")
        assert "a timeout of 1 hour (strike 2)" in h.answer(out, "bob").text
        assert "on record only: carry it out by hand" in h.answer(out, "bob").text


async def test_sanctions_of_others_are_for_moderators() -> None:
    async with harness() as h:
        out = await h.command("dave", "/sanctions @carol")
        assert "Only moderators can do that" in h.answer(out, "dave").text
        out = await h.command("dave", "/sanctions")
        assert "@dave: 0 active strikes. Next: a warning" in h.answer(out, "dave").text
        await h.command("bob", "/warn @carol rude")
        out = await h.command("mia", "/sanctions @carol")
        assert (
            "1 active strike" in h.answer(out, "mia").text and "“rude”" in h.answer(out, "mia").text
        )


async def test_appeal_goes_to_another_moderator() -> None:
    async with harness() as h:
        out = await h.command("carol", "/appeal please")
        assert "no recent sanction to appeal" in h.answer(out, "carol").text
        await h.command("bob", "/warn @carol rude")
        out = await h.command("carol", "/appeal it was a joke between friends")
        assert "went to the moderators" in h.answer(out, "carol").text
        item = queue(h)[-1]
        assert "Appeal #1 from @carol" in item.text and "a joke between friends" in item.text
        out = await h.command("carol", "/appeal again")
        assert "appealed that sanction already" in h.answer(out, "carol").text
        out = await h.click("carol", "Revoke sanction")
        assert "Only moderators" in h.answer(out, "carol").text
        out = await h.click("bob", "Revoke sanction")
        assert "let another moderator decide" in h.answer(out, "bob").text
        await h.click("mia", "Revoke sanction")
        assert "appeal was accepted" in h.dms("carol")[-1].text
        assert "sanction revoked" in queue(h)[-1].text and queue(h)[-1].buttons == ()
        out = await h.command("bob", "/warn @carol again")
        assert (
            "a warning (strike 1)" in h.answer(out, "bob").text
        )  # the revoked strike no longer counts
        assert await log_kinds(h) == ["sanction", "appeal", "revoked", "sanction"]


async def test_upheld_appeal_and_lifting_a_timeout_by_hand() -> None:
    async with harness({"ladder": ["timeout 1h"]}) as h:
        await h.command("bob", "/warn @carol rude")
        await h.command("carol", "/appeal sorry")
        uphold = next(b for b in queue(h)[-1].buttons if b.label == "Uphold")
        out = await h.click("alice", "Revoke sanction")  # admins may decide any appeal
        assert "If a timeout of 1 hour is still in force, lift it" in h.answer(out, "alice").text
        out = await press(h, "mia", uphold)
        assert "decided already" in h.answer(out, "mia").text


async def test_appeals_can_be_turned_off() -> None:
    async with harness({"appeals": False}) as h:
        await h.command("bob", "/warn @carol rude")
        assert "/appeal" not in h.dms("carol")[-1].text
        out = await h.command("carol", "/appeal why")
        assert "Appeals are turned off" in h.answer(out, "carol").text


async def test_rules_and_a_sanction_citing_the_flaggers_rule() -> None:
    async with harness({"rules": ["Be kind.", "No spam."], "rules_intro": "Our rules:"}) as h:
        out = await h.command("carol", "/rules")
        assert h.answer(out, "carol").text == "Our rules:\n1. Be kind.\n2. No spam."
        out = await h.command("carol", "/rules 2")
        assert h.answer(out, "carol").text == "Rule 2: No spam."
        out = await h.command("carol", "/rules 3")
        assert "There is no rule 3; there are 2" in h.answer(out, "carol").text
        await settle(h)
        message = await flagged(h, ("dave",))
        await h.click("dave", "Add a reason")
        await h.submit("dave", rule="2", details="")
        await h.react("bob", message.number, "🚩")
        await h.click("bob", "Warn")
        assert "Rule 2: No spam." in h.dms("carol")[-1].text


async def test_agoras_own_rules_speak_each_readers_language() -> None:
    async with harness() as h:
        await h.command("carol", "/language fi")
        out = await h.command("carol", "/rules")
        assert out[-1].text.startswith("Yhteisömme säännöt.")
        assert "\n1. Ole kunnioittava: arvostele ajatuksia, älä ihmisiä." in out[-1].text
        out = await h.command("dave", "/rules 3")
        assert out[-1].text == "Rule 3: No spam, scams or unsolicited advertising."


async def test_rules_written_per_language_keep_their_numbers() -> None:
    rules = [{"en": "Be kind.", "nb": "Vær snill."}, "No spam.", {"lv": "Runājiet latviski."}]
    async with harness({"rules": rules, "rules_intro": {"en": "Rules:", "nb": "Regler:"}}) as h:
        await h.command("carol", "/language nb")
        out = await h.command("carol", "/rules")
        assert out[-1].text == "Regler:\n1. Vær snill.\n2. No spam.\n3. Runājiet latviski."
        out = await h.command("dave", "/rules 1")
        assert out[-1].text == "Rule 1: Be kind."


def test_rules_name_only_languages_agora_speaks() -> None:
    from bot.config import ConfigError
    from bot.features import feature_models
    from bot.testing import load_config_dict

    rules = [{"en": "Be kind.", "de": "Sei nett."}]
    with pytest.raises(ConfigError, match="unknown language de"):
        load_config_dict({"features": {"moderation": {"rules": rules}}}, feature_models())


async def test_no_rules_written_down() -> None:
    async with harness({"rules": []}) as h:
        out = await h.command("carol", "/rules")
        assert "has not written down its rules" in h.answer(out, "carol").text


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ladder": ["warn", "mute 1h"]}, "'mute 1h' is not a ladder step"),
        ({"ladder": ["timeout"]}, "a timeout step needs a duration"),
        ({"ladder": ["timeout 60d"]}, "28 days at most"),
        ({"timeout_choices": ["soon"]}, "is not a duration"),
        ({"queue_channel": ""}, "name the channel"),
        ({"quorum": 0}, "greater than or equal to 0.5"),
        ({"rules": ["ok", " "]}, "a rule cannot be blank"),
    ],
)
async def test_bad_config_is_explained(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        async with harness(settings):
            pass
    assert message in str(error.value)
