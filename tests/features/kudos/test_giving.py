"""/kudos @member: the thank-you, and every rule that can refuse it (with why and what is left)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.testing import Harness
from tests.features.kudos.conftest import add_bot, kudos, points, public, said_to


async def test_kudos_thanks_publicly_and_tells_the_giver_what_is_left(h: Harness) -> None:
    out = await h.command("carol", "/kudos @bob for the review")
    thanks = public(out)[0]
    assert thanks.text.startswith("🙏 @carol gave kudos to @bob: for the review")
    assert "@bob has received 1 kudos so far." in thanks.text
    assert thanks.channel is not None and thanks.channel.name == "general"
    left = [p for p in out if p.ephemeral_to == h.ref("carol")]
    assert [p.text for p in left] == ["You have 4 kudos left today."]
    assert await points(h, "bob") == 1


async def test_reason_is_optional_and_must_be_short(h: Harness) -> None:
    out = await h.command("carol", "/kudos @bob")
    assert public(out)[0].text.startswith("🙏 @carol gave kudos to @bob!")
    out = await h.command("carol", "/kudos @dave " + "very " * 80)
    assert "under 300 characters" in out[-1].text and out[-1].ephemeral_to == h.ref("carol")
    assert await points(h, "dave") == 0


async def test_no_kudos_to_yourself(h: Harness) -> None:
    out = await h.command("carol", "/kudos @carol I rock")
    assert [p.text for p in out] == [
        "You can't give kudos to yourself. You have 5 kudos left today."
    ]
    assert out[0].ephemeral_to == h.ref("carol")
    assert await points(h, "carol") == 0


async def test_no_kudos_to_bots(h: Harness) -> None:
    await add_bot(h, "helperbot")
    out = await h.command("carol", "/kudos @helperbot")
    assert out[-1].text == "helperbot is a bot; kudos are for members. You have 5 kudos left today."
    assert out[-1].ephemeral_to == h.ref("carol")


async def test_no_kudos_to_someone_who_left(h: Harness) -> None:
    await h.leave("dave")
    out = await h.command("carol", "/kudos @dave thanks for everything")
    assert "dave has left the community" in out[-1].text
    assert "5 kudos left today" in out[-1].text
    assert await points(h, "dave") == 0


async def test_unknown_member_gets_the_usage(h: Harness) -> None:
    out = await h.command("carol", "/kudos @nobody")
    assert "I don't know a member called nobody" in out[-1].text
    assert "Usage: /kudos @member [<reason>]" in out[-1].text


async def test_daily_allowance_refuses_with_the_reason_and_when_it_renews() -> None:
    async with kudos(daily_allowance=2, cooldown_minutes=0) as h:
        await h.command("carol", "/kudos @bob")
        out = await h.command("carol", "/kudos @dave")
        assert said_to(h, out, "carol") == [
            "You have no kudos left today; new ones arrive in 15 hours."
        ]
        out = await h.command("carol", "/kudos @erin")
        assert out[-1].text == "You have given all 2 kudos for today; new ones arrive in 15 hours."
        assert out[-1].ephemeral_to == h.ref("carol")
        assert await points(h, "erin") == 0


async def test_allowance_renews_at_midnight_in_the_givers_time_zone() -> None:
    # 2026-01-05 09:00 UTC is 04:00 in New York: carol's day ends at 05:00 UTC tomorrow.
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    async with kudos(daily_allowance=1, cooldown_minutes=0, top={"start": start}) as h:
        await h.command("carol", "/timezone America/New_York")
        await h.command("carol", "/kudos @bob")
        await h.command("dave", "/kudos @bob")  # dave keeps the community's UTC day
        await h.tick("15h30m")  # 00:30 UTC: a new day for dave, still yesterday for carol
        out = await h.command("dave", "/kudos @erin")
        assert public(out), [p.text for p in out]
        out = await h.command("carol", "/kudos @erin")
        assert "You have given your 1 kudos for today" in out[-1].text
        assert "new ones arrive in 4 hours" in out[-1].text
        await h.tick("4h31m")  # 05:01 UTC: midnight has passed in New York
        out = await h.command("carol", "/kudos @erin")
        assert public(out)
        assert await points(h, "erin") == 2


async def test_cooldown_is_per_receiver() -> None:
    async with kudos(cooldown_minutes=60) as h:
        await h.command("carol", "/kudos @bob")
        await h.tick("20m")
        out = await h.command("carol", "/kudos @bob once more")
        assert out[-1].text == (
            "You thanked bob 20 minutes ago; you can give them kudos again in 40 minutes. "
            "You have 4 kudos left today."
        )
        out = await h.command("carol", "/kudos @dave")  # others can be thanked meanwhile
        assert public(out)
        out = await h.command("erin", "/kudos @bob")  # and others can thank bob
        assert public(out)
        await h.tick("41m")
        out = await h.command("carol", "/kudos @bob once more")
        assert public(out)
        assert await points(h, "bob") == 3


async def test_refused_kudos_do_not_use_the_allowance() -> None:
    async with kudos(daily_allowance=2, cooldown_minutes=60) as h:
        await h.command("carol", "/kudos @carol")
        await h.command("carol", "/kudos @bob")
        await h.command("carol", "/kudos @bob")  # cooldown
        out = await h.command("carol", "/kudos @dave")
        assert public(out)
        assert await points(h, "bob") + await points(h, "dave") == 2


async def test_the_public_thank_you_speaks_the_channels_language_not_the_givers() -> None:
    """carol reads Agora in Ukrainian; #general is read by a Norwegian community."""
    nb = {"bot": {"language": "nb", "channel_languages": {"lv-talk": "lv"}}}
    channels = ("general", "help", "lv-talk")
    async with kudos(top={"config": nb, "channels": channels}) as h:
        await h.command("carol", "/language uk")
        out = await h.command("carol", "/kudos @alice")
        thanks, badge = public(out)
        assert thanks.text.startswith("🙏 @carol ga kudos til @alice!")
        assert badge.text.startswith("🌱 @alice har fått merket")
        assert said_to(h, out, "carol") == ["Сьогодні у вас залишилося 4 подяки."]
        out = await h.command("carol", "/kudos @bob", channel="lv-talk")
        thanks = public(out)[0]
        assert thanks.text.startswith("🙏 @carol") and "ga kudos" not in thanks.text
        assert not any("\u0400" <= ch <= "\u04ff" for ch in thanks.text)


async def test_a_long_cooldown_says_when_the_receiver_was_thanked() -> None:
    async with kudos(cooldown_minutes=7 * 24 * 60) as h:
        await h.command("carol", "/kudos @bob")
        await h.tick("3d")
        out = await h.command("carol", "/kudos @bob")
        assert out[-1].text.startswith(
            "You thanked bob 3 days ago; you can give them kudos again in 4 days."
        )


async def test_allowance_and_cooldown_across_midnight_in_the_givers_time_zone() -> None:
    # 21:51 UTC on 5 January is 23:51 in Riga (UTC+2): carol's day ends in 9 minutes.
    start = datetime(2026, 1, 5, 21, 51, tzinfo=UTC)
    async with kudos(daily_allowance=2, cooldown_minutes=60, top={"start": start}) as h:
        await h.command("carol", "/timezone Europe/Riga")
        assert public(await h.command("carol", "/kudos @bob"))
        out = await h.command("carol", "/kudos @dave")
        assert public(out)
        assert said_to(h, out, "carol") == [
            "You have no kudos left today; new ones arrive in 9 minutes."
        ]
        out = await h.command("carol", "/kudos @erin")
        assert out[-1].text == "You have given all 2 kudos for today; new ones arrive in 9 minutes."
        await h.tick("10m")  # 00:01 in Riga: a new day, a new allowance
        out = await h.command("carol", "/kudos @erin")
        assert public(out)
        assert said_to(h, out, "carol") == ["You have 1 kudos left today."]
        # The cooldown is an hour since the kudos, whatever the calendar says.
        out = await h.command("carol", "/kudos @bob")
        assert out[-1].text == (
            "You thanked bob 10 minutes ago; you can give them kudos again in 50 minutes. "
            "You have 1 kudos left today."
        )
        await h.tick("51m")
        assert public(await h.command("carol", "/kudos @bob"))
        assert await points(h, "bob") == 2 and await points(h, "erin") == 1
