"""Echoed user text never pings and never carries control characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import ZWSP, neutral, one_line


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
