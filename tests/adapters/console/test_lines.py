"""Console line parsing: every string is a Line or a friendly LineError."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.lines import LineError, parse_line


def test_plain_text_and_commands() -> None:
    assert parse_line("hello there").verb == "say"
    assert parse_line("/kudos @bob thanks").text == "/kudos @bob thanks"
    assert parse_line("   ").verb == "nothing"
    assert parse_line("# comment").verb == "nothing"


def test_numbered_and_unnumbered_targets() -> None:
    assert parse_line(":react 🚩").number is None
    line = parse_line(":react 12 🚩")
    assert (line.number, line.text) == (12, "🚩")
    line = parse_line(":click [5] I agree")
    assert (line.number, line.text) == (5, "I agree")
    assert parse_line(":unreact ✅").negate is True


def test_select_submit_and_tick() -> None:
    assert parse_line(":select python rust").words == ("python", "rust")
    assert parse_line(':select "To learn" rust').words == ("To learn", "rust")
    assert parse_line(':submit why="I like it" level=pro').values == (
        ("why", "I like it"),
        ("level", "pro"),
    )
    assert parse_line(":submit why=«ja takk» empty=").values == (("why", "ja takk"), ("empty", ""))
    assert parse_line(":tick 1h30m").duration == timedelta(minutes=90)


def test_buttons_takes_an_optional_message_number() -> None:
    assert parse_line(":buttons").verb == "buttons"
    assert parse_line(":buttons").number is None
    assert parse_line(":buttons [7]").number == 7


def test_role_add_and_remove() -> None:
    line = parse_line(":role carol -helper")
    assert (line.name, line.text, line.negate) == ("carol", "helper", True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (":bogus", "Unknown console command"),
        (":as", ":as NAME"),
        (":tick soon", "not a duration"),
        (":submit oops", "FIELD=VALUE"),
        (":reply hello", ":reply N TEXT"),
        ("/", "command name"),
        (":expect", ":expect TEXT"),
        (':submit a="unterminated', 'A quote is not closed. Add the closing "'),
        (":submit a=“smart", "Add the closing ”"),
        (':submit a="x"y', "'y' is not FIELD=VALUE"),
        (":buttons 3 more", "Write it as :buttons"),
    ],
)
def test_errors_say_how_to_write_it(line: str, message: str) -> None:
    with pytest.raises(LineError, match=message):
        parse_line(line)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_random_lines_never_raise_anything_else(text: str) -> None:
    try:
        parse_line(text)
    except LineError as error:
        assert str(error)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [":react", ":click", ":select", ":submit", ":tick", ":role", ":reply", ":buttons"]
    ),
    st.text(max_size=40),
)
def test_random_arguments_never_raise_anything_else(verb: str, rest: str) -> None:
    try:
        parse_line(f"{verb} {rest}")
    except LineError as error:
        assert str(error)
