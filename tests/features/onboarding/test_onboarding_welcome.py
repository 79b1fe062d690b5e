"""The welcome: a DM and a public greeting, in the member's language, placeholders filled."""

from __future__ import annotations

from tests.features.onboarding.conftest import MakeHarness, texts


async def test_newcomer_gets_a_welcome_dm_with_the_questionnaire(harness: MakeHarness) -> None:
    async with harness() as h:
        out = await h.join("dave")
        (dm,) = [p for p in out if p.dm_to == h.ref("dave")]
        assert "Welcome to Agora community, @dave!" in dm.text
        assert "3 quick questions" in dm.text
        assert [b.label for b in dm.buttons] == ["Start", "Skip the questions"]
        assert h.in_channel("general") == []  # no public greeting unless configured


async def test_custom_texts_with_placeholders_and_a_public_greeting(harness: MakeHarness) -> None:
    async with harness(
        top={"config": {"bot": {"name": "Fjordkoderne"}}},
        welcome_message="Hi {member}, welcome to {community}! Read {rules_channel}.",
        welcome_channel="general",
        welcome_post="Say hello to {member}!",
        rules_channel="rules",
    ) as h:
        await h.join("dave")
        assert "Hi @dave, welcome to Fjordkoderne! Read #rules." in h.dms("dave")[0].text
        (post,) = h.in_channel("general")
        assert post.text == "Say hello to @dave!"
        assert post.buttons == ()  # no rules gate: nothing to agree to


async def test_welcome_speaks_the_members_language(harness: MakeHarness) -> None:
    async with harness(
        top={"config": {"bot": {"use_platform_locale": True}}},
        welcome_message={"en": "Welcome {member}!", "nb": "Velkommen {member}!"},
    ) as h:
        await h.join("dave", locale="nb-NO")
        await h.join("frank", locale="en-US")
        await h.join("gina", locale="fi")  # no Finnish text: the community's language
        assert h.dms("dave")[0].text.startswith("Velkommen @dave!")
        assert h.dms("frank")[0].text.startswith("Welcome @frank!")
        assert h.dms("gina")[0].text.startswith("Welcome @gina!")


async def test_without_platform_languages_a_newcomer_is_welcomed_in_the_communitys(
    harness: MakeHarness,
) -> None:
    async with harness(
        top={"config": {"bot": {"language": "nb"}}},
        welcome_message={"en": "Welcome {member}!", "nb": "Velkommen {member}!"},
    ) as h:
        await h.join("frank", locale="en-US")
        assert h.dms("frank")[0].text.startswith("Velkommen @frank!")


async def test_welcome_dm_can_be_turned_off(harness: MakeHarness) -> None:
    async with harness(welcome_dm=False, welcome_channel="general") as h:
        await h.join("dave")
        assert h.dms("dave") == []
        assert "Please welcome @dave to Agora community!" in texts(h.in_channel("general"))


async def test_a_returning_member_is_welcomed_back_without_the_public_greeting(
    harness: MakeHarness,
) -> None:
    async with harness(welcome_channel="general") as h:
        await h.join("dave")
        await h.click("dave", "Skip the questions")
        await h.leave("dave")
        await h.join("dave")
        back = h.dms("dave")[-1]
        assert "Welcome back to Agora community, @dave!" in back.text
        assert back.buttons == ()  # the questions were dealt with already
        assert len(h.in_channel("general")) == 1


async def test_bots_joining_are_not_welcomed(harness: MakeHarness) -> None:
    from dataclasses import replace

    async with harness() as h:
        event = h.community.join("robot")
        bot_join = replace(event, member=replace(event.member, is_bot=True))
        await h.dispatch(bot_join)
        assert h.dms("robot") == []


async def test_welcome_command_shows_the_next_step(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.join("dave")
        out = await h.command("dave", "/welcome")
        assert "3 quick questions" in out[0].text
        assert out[0].ephemeral_to == h.ref("dave")
        await h.click("dave", "Skip the questions")
        out = await h.command("dave", "/welcome")
        assert "Change your answers any time with /profile edit" in out[0].text
