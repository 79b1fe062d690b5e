"""Core text → Slack mrkdwn: escaping that keeps mentions and never pings @channel."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.mrkdwn import to_mrkdwn, unescape
from adapters.text_limits import chunks, clip
from bot.text import neutral


def test_specials_are_escaped_but_slack_markup_is_kept() -> None:
    text = "a < b & c > d, thanks <@U0003> in <#C0002> see <https://x.org/a?b=1&c=2|docs>"
    assert to_mrkdwn(text) == (
        "a &lt; b &amp; c &gt; d, thanks <@U0003> in <#C0002> see <https://x.org/a?b=1&c=2|docs>"
    )


def test_broadcasts_never_ping() -> None:
    assert to_mrkdwn("hey <!channel> and <!here>") == "hey &lt;!channel&gt; and &lt;!here&gt;"


def test_light_markdown() -> None:
    assert to_mrkdwn("**bold** and ~~gone~~") == "*bold* and ~gone~"
    assert to_mrkdwn("[the docs](https://example.org/a_b) & more") == (
        "<https://example.org/a_b|the docs> &amp; more"
    )
    assert to_mrkdwn("[not a link](javascript:alert)") == "[not a link](javascript:alert)"


def test_unescape_is_what_members_typed() -> None:
    assert unescape("&lt;b&gt; &amp;amp;") == "<b> &amp;"


def test_clip_never_cuts_a_mention_in_half() -> None:
    assert clip("hello", 10) == "hello"
    assert clip("hello world", 8) == "hello w…"
    assert clip("thanks <@U000123>", 12) == "thanks …"


@given(st.text(alphabet="ab \n<>@U", max_size=400), st.integers(5, 60))
def test_chunks_cover_the_text_within_the_limit(text: str, limit: int) -> None:
    pieces = chunks(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_a_members_masked_link_is_shown_not_followed() -> None:
    """`to_mrkdwn(neutral('[Claim your prize](https://evil.example)'))` once became a live
    `<https://evil.example|Claim your prize>`; member text stays readable plain text."""
    for typed in (
        "[Claim your prize](https://evil.example)",
        "<https://evil.example|Claim your prize>",
    ):
        shown = to_mrkdwn(neutral(typed))
        assert not re.search(r"<(?:https?|mailto):", shown), shown  # no live Slack link
        assert "evil.example" in shown and "Claim your prize" in shown
