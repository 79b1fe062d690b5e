"""Rendering `Outgoing` and `Form` for Discord: always within Discord's limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import limits, render
from adapters.discord.custom_ids import CustomIds
from adapters.discord.render import ButtonRow, SelectSpec
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
from bot.text import neutral

text = st.text(max_size=300)
long_text = st.one_of(text, st.text(min_size=1900, max_size=9000))
ids_ = st.text(min_size=1, max_size=130)
buttons = st.builds(
    Button,
    action_id=ids_,
    label=st.text(max_size=120),
    value=st.text(max_size=60),
    style=st.sampled_from(list(ButtonStyle)),
)
options = st.builds(Option, value=st.text(max_size=120), label=st.text(max_size=120))
blocks = st.one_of(
    st.builds(Section, long_text),
    st.builds(Fields, st.lists(st.tuples(text, long_text), max_size=30).map(tuple)),
    st.builds(Context, long_text),
    st.builds(Buttons, st.lists(buttons, max_size=30).map(tuple)),
    st.builds(
        Select,
        action_id=ids_,
        placeholder=st.text(max_size=200),
        options=st.lists(options, max_size=40).map(tuple),
        multi=st.booleans(),
    ),
    st.builds(
        Image,
        alt=text,
        data=st.one_of(st.none(), st.binary(max_size=8)),
        url=st.one_of(st.none(), st.just("https://example.org/chart.png")),
        filename=st.text(max_size=30),
    ),
)
outgoing = st.builds(
    Outgoing,
    text=long_text,
    blocks=st.lists(blocks, max_size=14).map(tuple),
    attachments=st.lists(
        st.builds(Attachment, filename=st.text(max_size=20), data=st.binary(max_size=4)),
        max_size=12,
    ).map(tuple),
)


def embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", ()))


def check_limits(rendered: render.Rendered) -> None:
    assert 1 <= len(rendered.parts) <= limits.MESSAGE_PARTS
    assert all(len(part) <= limits.CONTENT for part in rendered.parts)
    assert rendered.content.strip() or rendered.embeds or rendered.rows or rendered.files
    assert len(rendered.embeds) <= limits.EMBEDS
    assert sum(embed_size(e) for e in rendered.embeds) <= limits.EMBED_TOTAL
    for embed in rendered.embeds:
        assert embed, "no empty embeds"
        assert len(embed.get("description", "")) <= limits.EMBED_DESCRIPTION
        assert len(embed.get("fields", ())) <= limits.EMBED_FIELDS
        for item in embed.get("fields", ()):
            assert 1 <= len(item["name"]) <= limits.FIELD_NAME
            assert 1 <= len(item["value"]) <= limits.FIELD_VALUE
        assert len(embed.get("footer", {}).get("text", "")) <= limits.FOOTER
    assert len(rendered.rows) <= limits.ROWS
    custom_ids: list[str] = []
    for row in rendered.rows:
        if isinstance(row, ButtonRow):
            assert 1 <= len(row.buttons) <= limits.BUTTONS_PER_ROW
            for button in row.buttons:
                assert 1 <= len(button.label) <= limits.BUTTON_LABEL
                custom_ids.append(button.custom_id)
        else:
            assert isinstance(row, SelectSpec)
            assert 1 <= len(row.options) <= limits.SELECT_OPTIONS
            assert len(row.placeholder) <= limits.SELECT_PLACEHOLDER
            values = [value for _label, value in row.options]
            assert len(values) == len(set(values))
            for label, value in row.options:
                assert 1 <= len(label) <= limits.OPTION_LABEL
                assert 1 <= len(value) <= limits.OPTION_VALUE
            custom_ids.append(row.custom_id)
    assert all(1 <= len(c) <= limits.CUSTOM_ID for c in custom_ids)
    assert len(custom_ids) == len(set(custom_ids)), "custom ids are unique in a message"
    assert len(rendered.files) <= limits.FILES
    names = [f.filename for f in rendered.files]
    assert len(names) == len(set(names))


@settings(max_examples=300, deadline=None)
@given(outgoing)
def test_any_outgoing_renders_within_discords_limits(out: Outgoing) -> None:
    ids = CustomIds()
    check_limits(render.message(out, ids))
    edit = render.message(out, ids, split=False)
    check_limits(edit)
    assert len(edit.parts) == 1


@settings(max_examples=200, deadline=None)
@given(outgoing)
def test_every_custom_id_reads_back_as_the_core_ids(out: Outgoing) -> None:
    ids = CustomIds()
    rendered = render.message(out, ids)
    wanted = {
        (b.action_id, b.value)
        for block in out.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    }
    for row in rendered.rows:
        if isinstance(row, ButtonRow):
            for button in row.buttons:
                assert ids.decode(button.custom_id) in wanted


def test_a_plain_message() -> None:
    rendered = render.message(Outgoing("hello"), CustomIds())
    assert rendered.parts == ("hello",) and not rendered.embeds and not rendered.rows


def test_an_empty_message_still_says_something() -> None:
    assert render.message(Outgoing(""), CustomIds()).content == render.EMPTY


def test_long_text_splits_at_line_breaks() -> None:
    text = "\n".join("x" * 999 for _ in range(4))
    rendered = render.message(Outgoing(text), CustomIds())
    assert [len(p) for p in rendered.parts] == [1999, 1999]


def test_mentions_are_never_cut_in_half() -> None:
    text = "a" * 1990 + " <@1378081780531772425> tail"
    first, second = render.message(Outgoing(text), CustomIds()).parts
    assert "<@1378081780531772425>" in second and "<@" not in first


def test_buttons_wrap_five_to_a_row_and_duplicates_go() -> None:
    many = tuple(Button(f"agora:b{i}", f"B{i}") for i in range(7))
    out = Outgoing("x", (Buttons((*many, many[0])),))
    rows = render.message(out, CustomIds()).rows
    assert [len(r.buttons) for r in rows if isinstance(r, ButtonRow)] == [5, 2]


def test_custom_id_too_long_is_kept_in_memory() -> None:
    ids = CustomIds()
    long_value = "v" * 200
    encoded = ids.encode("agora:vote", long_value)
    assert len(encoded) <= limits.CUSTOM_ID and encoded.startswith("agora/stored/")
    assert ids.decode(encoded) == ("agora:vote", long_value)
    assert CustomIds().decode(encoded) is None, "another process does not know it"
    assert ids.decode("agora:vote|a|b") == ("agora:vote", "a|b")


def test_form_becomes_a_modal_with_labels_and_selects() -> None:
    form = Form(
        "agora:onboarding:intro",
        "Introduce yourself to the community please",
        (
            FormField(
                "intro", "Tell us about yourself and what brought you here", FieldKind.PARAGRAPH
            ),
            FormField(
                "topic", "Topic", FieldKind.CHOICE, (Option("py", "Python"), Option("rs", "Rust"))
            ),
            FormField(
                "langs", "Languages", FieldKind.MULTI, (Option("en", "English"),), required=False
            ),
            FormField(
                "many", "Many", FieldKind.CHOICE, tuple(Option(str(i), str(i)) for i in range(30))
            ),
        ),
        context="ctx-1",
    )
    spec = render.modal(form, CustomIds())
    assert spec.custom_id == "agora:onboarding:intro|ctx-1"
    assert len(spec.title) <= limits.MODAL_TITLE
    intro, topic, langs, many = spec.fields
    assert intro.style == "paragraph" and len(intro.label) <= limits.LABEL_TEXT
    assert intro.description and intro.description.startswith("Tell us about yourself")
    assert topic.style == "select" and topic.options == (("Python", "py"), ("Rust", "rs"))
    assert langs.multi and not langs.required
    assert (
        many.style == "short" and many.description and many.description.startswith("One of: 0, 1")
    )


def test_a_form_discord_cannot_show_is_refused() -> None:
    fields = tuple(FormField(f"f{i}", f"F{i}") for i in range(6))
    with pytest.raises(render.FormTooLarge, match="at most 5"):
        render.modal(Form("agora:x", "X", fields), CustomIds())


async def test_discord_objects_are_built_and_views_are_not_kept() -> None:
    out = Outgoing(
        "x",
        (
            Section("s"),
            Buttons((Button("agora:a", "A", style=ButtonStyle.DANGER),)),
            Select("agora:s", "pick", (Option("1", "one"),), multi=True),
        ),
        attachments=(Attachment("a.txt", b"a"),),
    )
    rendered = render.message(out, CustomIds())
    view = render.to_view(rendered)
    assert view is not None and view.is_finished(), "stopped: discord.py will not store it"
    components = view.to_components()
    assert components[0]["components"][0]["style"] == 4
    assert components[1]["components"][0]["max_values"] == 1
    assert render.to_embeds(rendered)[0].description == "s"
    assert render.to_files(rendered)[0].filename == "a.txt"
    form = Form("agora:f", "F", (FormField("a", "A"),))
    modal = render.to_modal(render.modal(form, CustomIds()))
    assert modal.is_finished()
    assert modal.to_dict()["components"][0]["type"] == 18


def test_a_members_masked_link_is_shown_not_followed() -> None:
    """Discord renders `[text](url)` as a link whose text hides the address; member text
    passed through `neutral` must reach Discord as plain text showing the address."""
    typed = neutral("[Claim your prize](https://evil.example) or [x](<https://evil.example>)")
    rendered = render.message(Outgoing(typed, (Section(typed),)), CustomIds())
    shown = [*rendered.parts, *(e.get("description", "") for e in rendered.embeds)]
    for text in shown:
        assert not re.search(r"\]\(\s*<?https?:", text), text
        assert "evil.example" in text and "Claim your prize" in text
