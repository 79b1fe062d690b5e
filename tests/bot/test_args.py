"""Command-line parsing: quoting, options, typed values, and friendly errors only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.args import (
    ArgError,
    ChannelArg,
    ChannelToken,
    ChoiceArg,
    DateTimeArg,
    DurationArg,
    FlagArg,
    IntArg,
    ListArg,
    MemberArg,
    MemberToken,
    TextArg,
    WordArg,
    parse_args,
    parse_duration,
    tokenize,
    usage,
)

POLL = [
    ListArg("options", min=2, max=25),
    FlagArg("multi"),
    DurationArg("closes", required=False, option=True),
    ChannelArg("channel", required=False, option=True),
]


def test_tokenize_handles_plain_smart_and_guillemet_quotes() -> None:
    assert tokenize('"Best day?" “Monday morning” «Fri» plain') == [
        "Best day?",
        "Monday morning",
        "Fri",
        "plain",
    ]


def test_apostrophes_inside_words_are_not_quotes() -> None:
    assert tokenize("don't worry it's fine") == ["don't", "worry", "it's", "fine"]


def test_unclosed_quote_is_a_friendly_error() -> None:
    with pytest.raises(ArgError, match="not closed"):
        tokenize('"never closed')


def test_member_and_text() -> None:
    values = parse_args([MemberArg("to"), TextArg("why", required=False)], "@bob for the review")
    assert values == {"to": MemberToken("bob", False), "why": "for the review"}


def test_platform_mentions_become_ids() -> None:
    values = parse_args([MemberArg("to"), ChannelArg("where")], "<@U0003|carol> <#C0002|help>")
    assert values["to"] == MemberToken("U0003", True)
    assert values["where"] == ChannelToken("C0002", True)


def test_options_anywhere_and_flags() -> None:
    values = parse_args(POLL, '"Pizza" --multi "Sushi" --closes 2d --channel #general')
    assert values["options"] == ["Pizza", "Sushi"]
    assert values["multi"] is True
    assert values["closes"] == timedelta(days=2)
    assert values["channel"] == ChannelToken("general", False)


def test_option_with_equals() -> None:
    values = parse_args(POLL, "a b --closes=90m")
    assert values["closes"] == timedelta(minutes=90)
    assert values["multi"] is False


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("onlyone", "at least 2"),
        ("a b --nope", "Unknown option --nope"),
        ("a b --closes", "needs a value"),
        ("a b --closes soon", "not a duration"),
        ("a b --multi=3", "--multi is a switch: write it without a value"),
        ("a b --multi=", "--multi is a switch"),
        ("a b --closes= 2d", "--closes needs a value"),
    ],
)
def test_poll_errors(line: str, message: str) -> None:
    with pytest.raises(ArgError, match=message):
        parse_args(POLL, line)


def test_int_bounds_and_type() -> None:
    spec = [IntArg("n", min=1, max=10)]
    assert parse_args(spec, "7") == {"n": 7}
    with pytest.raises(ArgError, match="whole number"):
        parse_args(spec, "seven")
    with pytest.raises(ArgError, match="at most 10"):
        parse_args(spec, "11")
    with pytest.raises(ArgError, match="at least 1"):
        parse_args(spec, "0")


def test_choice_is_case_insensitive_and_listed_on_error() -> None:
    spec = [ChoiceArg("period", ["week", "month", "all"], required=False, default="week")]
    assert parse_args(spec, "MONTH") == {"period": "month"}
    assert parse_args(spec, "") == {"period": "week"}
    with pytest.raises(ArgError, match="week, month, all"):
        parse_args(spec, "year")


def test_missing_and_extra_words() -> None:
    with pytest.raises(ArgError, match="Missing @to"):
        parse_args([MemberArg("to")], "")
    with pytest.raises(ArgError, match="Too many words"):
        parse_args([WordArg("code")], "nb extra")


def test_typed_options_from_discord_style_platforms() -> None:
    spec = [MemberArg("to"), TextArg("why", required=False), IntArg("n", required=False)]
    values = parse_args(spec, options={"to": "<@42>", "n": "3"})
    assert values == {"to": MemberToken("42", True), "why": "", "n": 3}
    with pytest.raises(ArgError, match="Unknown option"):
        parse_args(spec, options={"bogus": "1"})


def test_hyphenated_flags_arrive_as_python_names() -> None:
    spec = [ChannelArg("to"), TextArg("text"), FlagArg("all-platforms"), FlagArg("pin")]
    values = parse_args(spec, "#news Storm warning --all-platforms")
    assert values == {
        "to": ChannelToken("news", False),
        "text": "Storm warning",
        "all_platforms": True,
        "pin": False,
    }
    assert usage("announce", spec) == "/announce #to <text> [--all-platforms] [--pin]"
    typed = parse_args(spec, options={"to": "<#7>", "text": "x", "all-platforms": "true"})
    assert typed["all_platforms"] is True and typed["pin"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("45", timedelta(minutes=45)),
        ("10s", timedelta(seconds=10)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0m", "2x", "h", "-5m", "99999w", "1h junk"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ArgError):
        parse_duration(text)


def test_datetime_argument() -> None:
    spec = [DateTimeArg("when")]
    assert parse_args(spec, "2026-12-01T18:00")["when"] == datetime(2026, 12, 1, 18, 0)
    with pytest.raises(ArgError, match="not a date"):
        parse_args(spec, "tomorrowish")


def test_usage_line() -> None:
    assert usage("kudos", [MemberArg("to"), TextArg("why", required=False)]) == "/kudos @to [<why>]"


ALL_KINDS = [
    MemberArg("who", required=False),
    IntArg("n", required=False, option=True),
    ChoiceArg("c", ["a", "b"], required=False, passes=True),
    DurationArg("d", required=False, option=True),
    FlagArg("f"),
    TextArg("rest", required=False),
]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_random_command_lines_never_raise_anything_but_arg_error(line: str) -> None:
    try:
        parse_args(ALL_KINDS, line)
    except ArgError as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["who", "n", "c", "d", "f", "rest", "x"]), st.text(max_size=30))
)
def test_random_typed_options_never_raise_anything_but_arg_error(options: dict[str, str]) -> None:
    try:
        parse_args(ALL_KINDS, options=options)
    except ArgError as error:
        assert str(error)


def test_an_optional_choice_passes_a_word_it_does_not_take_to_the_next_argument() -> None:
    spec = [
        ChoiceArg("period", ["week", "month", "all"], required=False, default="week", passes=True),
        WordArg("topic", required=False),
    ]
    assert parse_args(spec, "support") == {"period": "week", "topic": "support"}
    assert parse_args(spec, "all support") == {"period": "all", "topic": "support"}
    assert parse_args(spec, "month") == {"period": "month", "topic": None}
    # Two words and the first is no period: it is the mistake, not a topic.
    with pytest.raises(ArgError, match="'yesterday' is not one of: week, month, all"):
        parse_args(spec, "yesterday help")


def test_a_patterned_word_passes_other_words_to_the_text_after_it() -> None:
    month = WordArg("month", "a month like 2026-12", required=False, pattern=r"\d{4}-\d{2}")
    spec = [MemberArg("who"), replace(month, passes=True), TextArg("why", required=False)]
    assert parse_args(spec, "@bob 2026-12 great work")["month"] == "2026-12"
    values = parse_args(spec, "@bob for the meetup")
    assert (values["month"], values["why"]) == (None, "for the meetup")
    with pytest.raises(ArgError, match=r"'12/2026' is not a valid month \(a month like 2026-12\)"):
        parse_args(spec, options={"who": "bob", "month": "12/2026"})
