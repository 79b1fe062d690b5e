"""Shared text limits: never longer than asked, never half a mention token."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.text_limits import ELLIPSIS, chunks, clip


def test_clip_backs_off_before_an_open_mention() -> None:
    assert clip("hello <@12345678>", 12) == "hello " + ELLIPSIS
    assert clip("<@12345678> and more", 6) == "<@123" + ELLIPSIS  # a leading token may be cut
    assert clip("short", 10) == "short"


def test_chunks_prefer_line_breaks() -> None:
    assert chunks("one\ntwo\nthree", 8) == ["one\ntwo", "three"]


@given(st.text(alphabet="ab <@>\n", max_size=300), st.integers(min_value=2, max_value=50))
def test_limits_hold(text: str, limit: int) -> None:
    assert len(clip(text, limit)) <= limit
    pieces = chunks(text, limit)
    assert all(len(p) <= limit for p in pieces)
