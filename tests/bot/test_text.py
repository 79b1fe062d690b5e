"""Echoed user text never pings, never hides a link, never carries control characters."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import _
from bot.text import ZWSP, defuse, neutral, one_line, safe_placeholder


def test_mass_mentions_are_defused() -> None:
    assert neutral("hi @everyone and @here") == f"hi @{ZWSP}everyone and @{ZWSP}here"
    assert neutral("<!channel> <!here>") == f"<{ZWSP}!channel> <{ZWSP}!here>"
    assert neutral("<@123> <@&456> <#789>") == f"<{ZWSP}@123> <{ZWSP}@&456> <{ZWSP}#789>"


def test_control_characters_are_dropped_but_newlines_kept() -> None:
    assert neutral("a\x1b[31mred\x00\nb\u202e") == "a[31mred\nb"


def test_limits() -> None:
    assert len(neutral("x" * 5000)) == 1000
    assert one_line("a\n  b\tc") == "a b c"


@given(st.text())
def test_nothing_that_notifies_survives(text: str) -> None:
    out = neutral(text, limit=10_000)
    lowered = out.lower()
    for danger in ("@everyone", "@here", "<!", "<@", "<#"):
        assert danger not in lowered


def test_mentions_as_names_for_text_kept_for_later() -> None:
    from bot.text import mention_ids, named_mentions, without_mentions

    text = "<@U0002> and <@U0003|carol>, ask <@!123> or <@U0002> about <#C0001>"
    assert mention_ids(text) == ["U0002", "U0003", "123"]
    assert named_mentions(text, {"U0002": "bob", "123": "dana"}) == (
        "@bob and @carol, ask @dana or @bob about <#C0001>"
    )
    assert named_mentions("<@U0009> hi", {}) == "<@U0009> hi"  # nobody known: kept
    assert without_mentions("<@U0004>  help   kudos") == "help kudos"


def test_masked_links_show_their_address() -> None:
    assert defuse("[Claim your prize](https://evil.example)") == (
        f"[Claim your prize]{ZWSP}(https://evil.example)"
    )
    assert defuse("[x](<https://evil.example>)") == f"[x]{ZWSP}(<{ZWSP}https://evil.example>)"
    assert defuse("<https://evil.example|Claim>") == f"<{ZWSP}https://evil.example|Claim>"
    assert defuse("see [1] (https://ok.example) and [note](not a url)") == (
        "see [1] (https://ok.example) and [note](not a url)"
    )


def test_emoji_and_scripts_keep_their_joiners() -> None:
    family = "👨\u200d👩\u200d👧"
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    persian = "می\u200cخواهم"
    assert defuse(f"{family} {scotland} {persian}") == f"{family} {scotland} {persian}"


@given(st.text())
def test_defuse_is_idempotent(text: str) -> None:
    once = defuse(text)
    assert defuse(once) == once


def test_every_invisible_character_of_the_basic_plane_is_dropped() -> None:
    kept = {"\n", "\t", "\u200b", "\u200c", "\u200d"}
    for code in range(0x10000):
        ch = chr(code)
        invisible = unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in kept
        assert (safe_placeholder(ch) == "") is invisible, hex(code)


def test_placeholders_lose_invisibles_and_mass_mentions_but_keep_pings_and_links() -> None:
    """The bot's own mentions and an admin's configured links travel as placeholders."""
    value = "hi\x1b[2J @everyone <!here> <@123> [docs](https://docs.example) <!date^1^F|x>\u202e"
    assert safe_placeholder(value) == (
        f"hi[2J @{ZWSP}everyone <{ZWSP}!here> <@123> [docs](https://docs.example) <!date^1^F|x>"
    )
    assert _("Hello {name}", name=value) == "Hello " + safe_placeholder(value)
