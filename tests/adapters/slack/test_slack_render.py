"""Outgoing / Form → Block Kit: examples, and a property test against Slack's limits."""

from __future__ import annotations

import json

import pytest
from block_kit_limits import block_violations, message_violations, modal_violations
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import render
from adapters.slack.translate import read_metadata
from bot.model import (
    Attachment,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    Image,
    Option,
    Outgoing,
    Section,
    Select,
)


def test_plain_text_message_has_no_blocks() -> None:
    rendered = render.message(Outgoing("Hello **there** & <friends>"))
    assert rendered.blocks == []
    assert rendered.text == "Hello *there* &amp; &lt;friends&gt;"


def test_text_blocks_are_the_message_and_text_the_fallback() -> None:
    out = Outgoing("Commands: /help", (Section("*Commands*"), Fields((("/help", "Show help"),))))
    rendered = render.message(out)
    assert rendered.text == "Commands: /help"
    assert rendered.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Commands*"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*/help*\nShow help"}]},
    ]


def test_context_blocks_are_small_mrkdwn_lines_and_blank_ones_vanish() -> None:
    out = Outgoing(
        "Poll #1",
        (Section("Lunch?"), Context("Closes **Friday** & <soon>"), Context("   ")),
    )
    rendered = render.message(out)
    assert rendered.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Lunch?"}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Closes *Friday* &amp; &lt;soon&gt;"}],
        },
    ]
    # A context alone is text enough: no section is added above it.
    alone = render.message(Outgoing("fallback", (Context("small print"),)))
    assert [b["type"] for b in alone.blocks] == ["context"]
    assert alone.blocks[0]["elements"][0]["text"] == "small print"


def test_buttons_alone_get_the_text_above_them() -> None:
    button = Button("polls:vote:1", "Yes", "yes", ButtonStyle.PRIMARY)
    rendered = render.message(Outgoing("Lunch on Friday?", (Buttons((button,)),)))
    section, actions = rendered.blocks
    assert section["text"]["text"] == "Lunch on Friday?"
    assert actions["elements"] == [
        {
            "type": "button",
            "action_id": "polls:vote:1",
            "text": {"type": "plain_text", "text": "Yes", "emoji": True},
            "value": "yes",
            "style": "primary",
        }
    ]


def test_buttons_sharing_an_action_id_go_to_separate_rows() -> None:
    buttons = tuple(Button("polls:vote:1", f"Option {i}", str(i)) for i in range(3))
    rendered = render.message(Outgoing("Vote", (Buttons(buttons),)))
    rows = [b for b in rendered.blocks if b["type"] == "actions"]
    assert len(rows) == 3
    assert not block_violations(rendered.blocks, render.MESSAGE_BLOCKS)


def test_more_than_25_buttons_wrap() -> None:
    buttons = tuple(Button(f"x:{i}", str(i)) for i in range(30))
    rows = [
        b
        for b in render.message(Outgoing("many", (Buttons(buttons),))).blocks
        if b["type"] == "actions"
    ]
    assert [len(r["elements"]) for r in rows] == [25, 5]


def test_selects() -> None:
    single = Select("prefs:lang", "Language", (Option("en", "English"), Option("nb", "Norsk")))
    multi = Select("prefs:topics", "Topics", (Option("py", "Python"),), multi=True)
    empty = Select("prefs:none", "Nothing", ())
    blocks = render.message(Outgoing("Prefs", (Section("Prefs"), single, multi, empty))).blocks
    kinds = [b["elements"][0]["type"] for b in blocks if b["type"] == "actions"]
    assert kinds == ["static_select", "multi_static_select"]


def test_images() -> None:
    linked = Image("A chart", url="https://example.org/chart.png")
    raw = Image("Raw chart", data=b"png", filename="raw.png")
    rendered = render.message(Outgoing("Charts", (Section("Charts"), linked, raw)))
    assert rendered.blocks[1] == {
        "type": "image",
        "image_url": "https://example.org/chart.png",
        "alt_text": "A chart",
    }
    assert rendered.uploads == (render.Upload("raw.png", b"png", "Raw chart"),)
    private = render.message(
        Outgoing("Charts", (raw,), attachments=(Attachment("a.csv", b"1,2"),)),
        uploads_allowed=False,
    )
    assert private.uploads == ()
    notes = json.dumps(private.blocks, ensure_ascii=False)
    assert "Raw chart" in notes and "a.csv" in notes


def test_long_sections_are_split_and_many_blocks_capped() -> None:
    long = "word " * 2000
    rendered = render.message(Outgoing("x", (Section(long),)))
    assert len(rendered.blocks) == 4
    many = render.message(Outgoing("x", tuple(Section(f"s{i}") for i in range(80))))
    assert len(many.blocks) == render.MESSAGE_BLOCKS
    assert "31 more" in many.blocks[-1]["elements"][0]["text"]


def test_fields_go_ten_to_a_section() -> None:
    pairs = tuple((f"k{i}", f"v{i}") for i in range(23))
    blocks = render.message(Outgoing("x", (Fields(pairs),))).blocks
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]


def test_empty_text_still_has_a_fallback() -> None:
    assert render.message(Outgoing("", (Context("small print"),))).text == "small print"
    assert render.message(Outgoing("   ")).text == "…"


def test_modal() -> None:
    form = Form(
        "onboarding:intro:7",
        "Introduce yourself to the whole community",
        (
            FormField("about", "About you", FieldKind.PARAGRAPH, placeholder="A few words"),
            FormField(
                "level", "Level", FieldKind.CHOICE, (Option("new", "New"), Option("pro", "Pro"))
            ),
            FormField(
                "langs", "Languages", FieldKind.MULTI, (Option("py", "Python"),), required=False
            ),
            FormField("empty_choice", "Pick", FieldKind.CHOICE),
        ),
        context="ticket:42",
    )
    view = render.modal(form, channel="C0001")
    assert view["callback_id"] == "onboarding:intro:7"
    assert view["title"]["text"] == "Introduce yourself to t…"
    assert read_metadata(view["private_metadata"]) == ("ticket:42", "C0001")
    elements = [b["element"] for b in view["blocks"]]
    assert [e["type"] for e in elements] == [
        "plain_text_input",
        "static_select",
        "multi_static_select",
        "plain_text_input",
    ]
    assert elements[0]["multiline"] is True
    assert [b["optional"] for b in view["blocks"]] == [False, False, True, False]
    assert not modal_violations(view)


def test_a_context_too_big_for_slack_is_refused() -> None:
    with pytest.raises(render.FormTooLarge):
        render.modal(Form("f", "F", (), context="x" * 4000))
    # Near the limit, the channel is dropped rather than the context.
    view = render.modal(Form("f", "F", (), context="x" * 2970), channel="C0001")
    assert read_metadata(view["private_metadata"]) == ("x" * 2970, None)


# --- property: anything the core can say renders within Slack's limits --------------------


def long_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Long texts (built, not drawn char by char: hypothesis caps drawn sizes)."""
    pieces = st.sampled_from(["a", "word ", "<&>", "**b** ", "x\n", "<@U0001> ", "é"])
    return st.tuples(st.integers(low, high), pieces).map(lambda t: (t[1] * t[0])[: t[0]])


text = st.text(max_size=120) | long_text(2900, 3300)
label = st.text(max_size=200)
ident = st.text(min_size=0, max_size=300, alphabet=st.characters(codec="ascii"))
options = st.lists(st.builds(Option, ident, label), max_size=120)
blocks = st.one_of(
    st.builds(Section, text),
    st.builds(Fields, st.lists(st.tuples(label, text), max_size=25).map(tuple)),
    st.builds(Context, text),
    st.builds(
        Buttons,
        st.lists(
            st.builds(
                Button,
                st.sampled_from(["a:b", "a:b:1", "x" * 300]) | ident,
                label,
                st.text(max_size=2100),
                st.sampled_from(list(ButtonStyle)),
            ),
            max_size=60,
        ).map(tuple),
    ),
    st.builds(Select, ident, label, options.map(tuple), st.booleans()),
    st.builds(
        Image,
        label,
        st.none() | st.binary(max_size=4),
        st.none() | st.sampled_from(["https://example.org/a.png", "https://e.org/" + "x" * 3100]),
    ),
)
outgoing = st.builds(
    Outgoing,
    st.text(max_size=200) | long_text(40_000, 41_000),
    st.lists(blocks, max_size=60).map(tuple),
    attachments=st.lists(st.builds(Attachment, label, st.binary(max_size=4)), max_size=2).map(
        tuple
    ),
)
form_fields = st.lists(
    st.builds(
        FormField,
        ident,
        label,
        st.sampled_from(list(FieldKind)),
        options.map(tuple),
        st.booleans(),
        label,
    ),
    max_size=110,
)


@settings(max_examples=150, deadline=None)
@given(outgoing, st.booleans())
def test_any_outgoing_renders_within_slack_limits(out: Outgoing, uploads_allowed: bool) -> None:
    rendered = render.message(out, uploads_allowed=uploads_allowed)
    assert message_violations(rendered) == []
    if not uploads_allowed:
        assert rendered.uploads == ()


@settings(max_examples=100, deadline=None)
@given(
    st.builds(Form, ident, label, form_fields.map(tuple), label, st.text(max_size=2000)),
    st.none() | st.just("C0001"),
)
def test_any_form_renders_within_modal_limits(form: Form, channel: str | None) -> None:
    view = render.modal(form, channel=channel)
    assert modal_violations(view) == []
    assert read_metadata(view["private_metadata"])[0] == form.context


@settings(max_examples=50, deadline=None)
@given(st.lists(blocks, max_size=120).map(tuple))
def test_any_home_renders_within_view_limits(home_blocks: tuple[object, ...]) -> None:
    view = render.home(home_blocks)  # type: ignore[arg-type]
    assert view["type"] == "home"
    assert block_violations(view["blocks"], render.VIEW_BLOCKS) == []
