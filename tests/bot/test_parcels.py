"""Messages survive the trip to the outbox table and back, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.model import (
    Attachment,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    Fields,
    Image,
    Option,
    Outgoing,
    Ref,
    Section,
    Select,
)
from bot.parcels import decode, encode

texts = st.text(max_size=40)
refs = st.builds(Ref, st.sampled_from(["discord", "slack"]), texts, texts)
blocks = st.one_of(
    st.builds(Section, texts),
    st.builds(Fields, st.lists(st.tuples(texts, texts), max_size=3).map(tuple)),
    st.builds(Context, texts),
    st.builds(
        Buttons,
        st.lists(
            st.builds(Button, texts, texts, texts, st.sampled_from(list(ButtonStyle))),
            max_size=3,
        ).map(tuple),
    ),
    st.builds(
        Select,
        texts,
        texts,
        st.lists(st.builds(Option, texts, texts), max_size=3).map(tuple),
        st.booleans(),
    ),
    st.builds(Image, texts, st.none() | st.binary(max_size=64), st.none() | texts, texts),
)
messages = st.builds(
    Outgoing,
    text=texts,
    blocks=st.lists(blocks, max_size=4).map(tuple),
    channel=st.none() | refs,
    dm=st.none() | refs,
    ephemeral_to=st.none() | refs,
    thread_of=st.none() | refs,
    attachments=st.lists(
        st.builds(Attachment, texts, st.binary(max_size=64), texts), max_size=2
    ).map(tuple),
    silent=st.booleans(),
    meta=st.dictionaries(texts, texts, max_size=3),
)


@given(messages)
def test_every_message_comes_back_equal(out: Outgoing) -> None:
    assert decode(encode(out)) == out


def test_a_chart_and_buttons_round_trip() -> None:
    out = Outgoing(
        "📊 Results",
        (Image("chart", b"\x89PNG\r\n", filename="poll.png"), Buttons((Button("vote:1", "Yes"),))),
        dm=Ref("slack", "T1", "U2"),
        meta={"type": "poll"},
    )
    again = decode(encode(out))
    assert again == out
    assert isinstance(again.blocks[0], Image) and again.blocks[0].data == b"\x89PNG\r\n"


@pytest.mark.parametrize(
    "stored",
    ['{"$": "Outgoing", "nonsense": 1}', '{"$": "Gone", "text": "x"}', "not json", '{"$": "Ref"}'],
)
def test_what_cannot_be_read_is_a_value_error(stored: str) -> None:
    with pytest.raises(ValueError):
        decode(stored)
