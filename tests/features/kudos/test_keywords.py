""" "thanks @bob" as kudos (off by default, words per language) and "welcome @newcomer"."""

from __future__ import annotations

import pytest

from bot.features.kudos.keywords import DEFAULT_THANKS, DEFAULT_WELCOMES, says
from bot.testing import Harness
from tests.features.kudos.conftest import badges, kudos, points, said_to


@pytest.mark.parametrize(
    "text",
    [
        "thanks @bob!",
        "Thank you so much @bob",
        "THX @bob",
        "ty @bob",
        "cheers @bob",
        "@bob appreciate it!",
        "tusen takk @bob",  # nb
        "Liels paldies, @bob",  # lv
        "Ei, paldies @bob!",  # lv: "hey, thanks" (Finnish "ei" declines only in Finnish)
        "kiitos @bob, toimi",  # fi
        "olen kiitollinen @bob",  # fi
        "Дякую, @bob!",  # uk
        "дяка @bob",  # uk
        "no thanks needed, but thanks @bob",  # one declined, one meant
    ],
)
def test_thanks_in_every_language(text: str) -> None:
    assert says(text, DEFAULT_THANKS)


@pytest.mark.parametrize(
    "text",
    [
        "nei takk @bob",  # nb: "no thanks"
        "Nei, takk, @bob",
        "no thanks @bob",
        "No, thank you @bob",
        "ei kiitos @bob",  # fi
        "nē, paldies @bob",  # lv
        "Ні, дякую, @bob",  # uk
    ],
)
def test_no_thanks_declines_in_every_language(text: str) -> None:
    assert not says(text, DEFAULT_THANKS)


@pytest.mark.parametrize(
    "text", ["thanksgiving plans @bob?", "@bob takkel", "no thankless jobs", "@bob tyres", "stye"]
)
def test_only_whole_words_count(text: str) -> None:
    assert not says(text, DEFAULT_THANKS)


def test_welcome_words() -> None:
    assert says("Velkommen @dave!", DEFAULT_WELCOMES)
    assert says("ласкаво   просимо @dave", DEFAULT_WELCOMES)
    assert not says("@dave welcomed nobody", DEFAULT_WELCOMES)


async def test_keyword_kudos_are_off_by_default(h: Harness) -> None:
    await h.say("carol", "thanks @bob")
    assert await points(h, "bob") == 0


async def test_thanks_mentioning_members_gives_them_kudos() -> None:
    async with kudos(thanks_keywords=True) as h:
        await h.say("carol", "takk @bob og @dave!")
        assert await points(h, "bob") == 1 and await points(h, "dave") == 1
        assert h.dms("bob")[-1].text.startswith("carol thanked you, and it counts as kudos.")
        await h.say("carol", "thanks again @bob")  # the cooldown applies, quietly
        assert await points(h, "bob") == 1


async def test_a_thanks_without_a_mention_or_without_a_keyword_gives_nothing() -> None:
    async with kudos(thanks_keywords=True) as h:
        await h.say("carol", "thanks everyone")
        await h.say("carol", "@bob can you look at this?")
        assert await points(h, "bob") == 0


async def test_refused_keyword_kudos_stay_quiet() -> None:
    async with kudos(thanks_keywords=True, daily_allowance=1) as h:
        await h.say("carol", "thanks @bob")
        before = len(h.sent)
        await h.say("carol", "thanks @dave and thanks @carol")
        assert said_to(h, h.sent[before:], "carol") == []
        assert await points(h, "dave") == 0 and await points(h, "carol") == 0


async def test_only_the_configured_languages_count() -> None:
    async with kudos(thanks_keywords=True, keywords={"fi": ["kiitos"]}) as h:
        await h.say("carol", "thanks @bob")
        await h.say("carol", "kiitos @dave")
        assert await points(h, "bob") == 0 and await points(h, "dave") == 1


async def test_welcoming_newcomers_counts_once_each_towards_a_badge() -> None:
    welcomer = {"id": "welcomer", "name": "Welcomer", "rule": "newcomers_welcomed", "threshold": 2}
    async with kudos(badges=[welcomer], newcomer_days=14) as h:
        await h.join("frank")
        await h.join("gina")
        await h.say("bob", "welcome @frank!")
        await h.say("bob", "welcome again @frank")
        assert await badges(h, "bob") == []
        await h.say("bob", "velkommen @gina")
        assert await badges(h, "bob") == ["welcomer"]
        assert (
            "@bob earned the badge “Welcomer” (2 newcomers welcomed)!"
            in h.in_channel("general")[-1].text
        )


async def test_welcoming_a_long_time_member_is_not_welcoming_a_newcomer() -> None:
    welcomer = {"id": "welcomer", "name": "Welcomer", "rule": "newcomers_welcomed", "threshold": 1}
    async with kudos(badges=[welcomer], newcomer_days=7) as h:
        await h.tick("8d")
        await h.say("bob", "welcome @carol")
        assert await badges(h, "bob") == []
        await h.join("frank")
        await h.say("carol", "welcome @frank")
        assert await badges(h, "carol") == ["welcomer"]


async def test_declining_with_no_thanks_gives_no_kudos() -> None:
    async with kudos(thanks_keywords=True) as h:
        await h.say("carol", "nei takk @bob, jeg klarer meg")
        await h.say("dave", "ei kiitos @bob")
        assert await points(h, "bob") == 0
        await h.say("erin", "kiitollinen @bob!")
        assert await points(h, "bob") == 1
