"""Slack payloads → core events, without any I/O (plus a fuzz test: nothing raises)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from fake_slack import CHANNELS, TEAM, USERS, load
from hypothesis import given, settings
from hypothesis import strategies as st
from payload_mutations import mutate

from adapters.slack import emoji, translate
from adapters.slack.refs import ReplyToken, split
from adapters.slack.translate import ChannelInfo, Lookup, member_from_user
from bot.model import (
    ButtonPressed,
    ChannelKind,
    CommandInvoked,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionChanged,
    Ref,
)

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
LOOKUP = Lookup(TEAM)
SAMPLES = [
    "http/block_actions.json",
    "http/event_app_mention.json",
    "http/event_member_joined_channel.json",
    "http/event_message.json",
    "http/event_reaction_added.json",
    "http/event_reaction_removed.json",
    "http/event_team_join.json",
    "http/event_url_verification.json",
    "http/slash_command.json",
    "http/view_submission.json",
]


def ref(id: str) -> Ref:
    return Ref("slack", TEAM, id)


def test_slash_command() -> None:
    [event] = translate.to_events(load("http/slash_command.json"), LOOKUP, NOW)
    assert isinstance(event, CommandInvoked)
    assert (
        event.event_id
        == "slack:T0001:cmd:7200476562897.1657863013.939d59d1285efa522f3964451c00cbfe"
    )
    assert (event.name, event.channel.name, event.channel.kind) == (
        "kudos",
        "general",
        ChannelKind.TEXT,
    )
    assert event.actor.name == "alice"
    token = ReplyToken.decode(event.reply_token)
    assert token.trigger_id and token.response_url and token.channel == CHANNELS["general"]


def test_command_text_is_unescaped() -> None:
    body = {**load("http/slash_command.json"), "text": "a &lt;b&gt; &amp; c"}
    [event] = translate.to_events(body, LOOKUP, NOW)
    assert isinstance(event, CommandInvoked)
    assert event.text == "a <b> & c"


def test_command_in_a_dm() -> None:
    body = {
        **load("http/slash_command.json"),
        "channel_id": "D0001",
        "channel_name": "directmessage",
    }
    [event] = translate.to_events(body, LOOKUP, NOW)
    assert isinstance(event, CommandInvoked)
    assert event.channel.kind is ChannelKind.DM
    assert event.channel.name == "D0001"


def test_needs_names_the_actor_and_the_mentioned() -> None:
    needs = translate.needs(load("http/slash_command.json"))
    assert needs == translate.Needs(TEAM, (USERS["alice"], USERS["carol"]), ())
    needs = translate.needs(load("http/event_reaction_added.json"))
    assert needs == translate.Needs(TEAM, (USERS["bob"],), (CHANNELS["help"],))


def test_block_actions_value_and_message() -> None:
    [event] = translate.to_events(load("http/block_actions.json"), LOOKUP, NOW)
    assert isinstance(event, ButtonPressed)
    assert (event.action_id, event.value, event.values) == (
        "agora:onboarding:start",
        "start",
        ("start",),
    )
    assert event.message == ref("C0001/1748858465.000100")
    assert event.occurred_at == datetime.fromtimestamp(1748858520.512345, UTC)


def test_select_menus_report_their_choices() -> None:
    body = load("http/block_actions.json")
    body["actions"] = [
        {"action_id": "polls:vote:1", "type": "static_select", "selected_option": {"value": "b"}},
        {
            "action_id": "polls:multi:1",
            "type": "multi_static_select",
            "selected_options": [{"value": "a"}, {"value": "c"}],
        },
        {"action_id": "prefs:topics", "type": "checkboxes", "selected_options": []},
        {"action_id": "mod:assign", "type": "users_select", "selected_user": "U0002"},
    ]
    events = translate.to_events(body, LOOKUP, NOW)
    assert [(e.value, e.values) for e in events if isinstance(e, ButtonPressed)] == [
        ("b", ("b",)),
        ("a", ("a", "c")),
        ("", ()),
        ("U0002", ("U0002",)),
    ]
    assert len({e.event_id for e in events}) == 4


def test_adapter_buttons_never_reach_the_core() -> None:
    body = load("http/block_actions.json")
    body["actions"][0]["action_id"] = translate.OPEN_FORM_ACTION
    assert translate.to_events(body, LOOKUP, NOW) == []


def test_view_submission() -> None:
    [event] = translate.to_events(load("http/view_submission.json"), LOOKUP, NOW)
    assert isinstance(event, FormSubmitted)
    assert event.form_id == "agora:onboarding:intro"
    assert event.values["interests"] == "python, documentation"
    assert event.context == '{"channel":"C0001","message_ts":"1748858465.000100"}'


def test_view_state_of_every_input_kind() -> None:
    view = {
        "state": {
            "values": {
                "name": {"name": {"type": "plain_text_input", "value": None}},
                "level": {"level": {"type": "static_select", "selected_option": {"value": "pro"}}},
                "langs": {
                    "langs": {
                        "type": "multi_static_select",
                        "selected_options": [{"value": "py"}, {"value": "rs"}],
                    }
                },
                "when": {"when": {"type": "datepicker", "selected_date": "2026-01-05"}},
            }
        }
    }
    assert translate.state_values(view) == {
        "name": "",
        "level": "pro",
        "langs": "py,rs",
        "when": "2026-01-05",
    }


def test_our_private_metadata_carries_context_and_channel() -> None:
    assert translate.read_metadata('{"agora":1,"context":"poll:7","channel":"C0003"}') == (
        "poll:7",
        "C0003",
    )
    assert translate.read_metadata("plain words") == ("plain words", None)
    assert translate.read_metadata("[1, 2]") == ("[1, 2]", None)


def test_message_with_mentions() -> None:
    [event] = translate.to_events(load("http/event_message.json"), LOOKUP, NOW)
    assert isinstance(event, MessagePosted)
    message = event.message
    assert message.ref == ref("C0002/1748858700.000200")
    assert message.created_at == datetime.fromtimestamp(1748858700.0002, UTC)
    assert message.mentions == (ref(USERS["bob"]),)
    assert message.thread_of is None
    assert event.event_id == "slack:T0001:msg:C0002/1748858700.000200"


def test_messages_in_dms_and_threads() -> None:
    body = load("http/event_message.json")
    body["event"].update(channel="D0001", channel_type="im")
    [dm] = translate.to_events(body, LOOKUP, NOW)
    assert isinstance(dm, MessagePosted) and dm.message.channel.kind is ChannelKind.DM
    lookup = Lookup(TEAM, channels={"C0002": ChannelInfo("help")})
    body = load("http/event_message.json")
    body["event"].update(ts="1748858800.000300", thread_ts="1748858700.000200")
    [reply] = translate.to_events(body, lookup, NOW)
    assert isinstance(reply, MessagePosted)
    channel = reply.message.channel
    assert channel.kind is ChannelKind.THREAD
    assert split(channel.ref) == ("C0002", "1748858700.000200")
    assert channel.parent == ref("C0002") and channel.name == "help/1748858700.000200"
    assert reply.message.thread_of == ref("C0002/1748858700.000200")


def test_thread_broadcasts_and_file_shares_are_messages() -> None:
    for subtype in ("thread_broadcast", "file_share"):
        body = load("http/event_message.json")
        body["event"]["subtype"] = subtype
        assert len(translate.to_events(body, LOOKUP, NOW)) == 1


def test_reactions() -> None:
    [added] = translate.to_events(load("http/event_reaction_added.json"), LOOKUP, NOW)
    [removed] = translate.to_events(load("http/event_reaction_removed.json"), LOOKUP, NOW)
    assert isinstance(added, ReactionChanged) and isinstance(removed, ReactionChanged)
    assert (added.emoji, added.added, removed.added) == ("✅", True, False)
    assert added.event_id == "slack:T0001:ev:Ev0005"
    assert added.event_id != removed.event_id
    body = load("http/event_reaction_added.json")
    body["event"]["item"] = {"type": "file", "file": "F0001"}
    assert translate.to_events(body, LOOKUP, NOW) == []


def test_team_join_and_deactivation() -> None:
    [joined] = translate.to_events(load("http/event_team_join.json"), LOOKUP, NOW)
    assert isinstance(joined, MemberJoined)
    assert (
        joined.member.display_name == "carol" and joined.member.email == "carol@agora-test.example"
    )
    body = load("http/event_team_join.json")
    body["event"]["type"] = "user_change"
    assert translate.to_events(body, LOOKUP, NOW) == []  # a profile edit is no event
    body["event"]["user"]["deleted"] = True
    [left] = translate.to_events(body, LOOKUP, NOW)
    assert isinstance(left, MemberLeft)


def test_channel_joins_count_only_in_join_channels() -> None:
    body = load("http/event_member_joined_channel.json")
    assert translate.to_events(body, LOOKUP, NOW) == []
    lookup = Lookup(TEAM, join_channels=frozenset({CHANNELS["general"]}))
    [joined] = translate.to_events(body, lookup, NOW)
    assert isinstance(joined, MemberJoined) and joined.member.ref == ref(USERS["carol"])


def test_roles_from_admin_flags_and_user_groups() -> None:
    user = load("web_api/users_info.json")["user"]
    assert member_from_user(user, TEAM).roles == frozenset()
    boss = {**user, "is_admin": True, "is_owner": True}
    assert member_from_user(boss, TEAM, ["moderators"]).roles == {"admin", "owner", "moderators"}
    guest = {**user, "is_restricted": True}
    assert member_from_user(guest, TEAM).roles == {"guest"}
    assert member_from_user({**user, "is_bot": True}, TEAM).is_bot
    assert member_from_user({**user, "locale": "nb-NO"}, TEAM).locale == "nb-NO"


def test_missing_event_id_still_gives_a_stable_id() -> None:
    body = load("http/event_reaction_added.json")
    del body["event_id"]
    first = translate.to_events(body, LOOKUP, NOW)
    again = translate.to_events(copy.deepcopy(body), LOOKUP, NOW)
    assert first[0].event_id == again[0].event_id


def test_home_opened() -> None:
    body = {
        "team_id": TEAM,
        "type": "event_callback",
        "event": {"type": "app_home_opened", "user": "U0002", "tab": "home"},
    }
    assert translate.home_opened(body) == (TEAM, "U0002")
    body["event"]["tab"] = "messages"
    assert translate.home_opened(body) is None


def test_emoji_names() -> None:
    assert emoji.to_core("white_check_mark") == "✅"
    assert emoji.to_core("+1::skin-tone-3") == "👍"
    assert emoji.to_core("thumbsup") == "👍"
    assert emoji.to_core("party_parrot") == ":party_parrot:"
    assert emoji.to_slack("✅") == "white_check_mark"
    assert emoji.to_slack("❤") == "heart"
    assert emoji.to_slack(":party_parrot:") == "party_parrot"
    assert emoji.to_slack(emoji.to_core("triangular_flag_on_post")) == "triangular_flag_on_post"
    assert emoji.to_slack("👍") == "+1" and emoji.to_slack("👎") == "-1"


@pytest.mark.parametrize(
    ("name", "char"),
    [
        ("hugging_face", "🤗"),
        ("hugs", "🤗"),
        ("sparkling_heart", "💖"),
        ("pray", "🙏"),
        ("taco", "🌮"),
        ("star", "⭐"),
        ("rocket", "🚀"),
        ("sunflower", "🌻"),
        ("heart::skin-tone-2", "❤️"),
    ],
)
def test_every_standard_emoji_has_its_slack_name(name: str, char: str) -> None:
    assert emoji.to_core(name) == char
    assert emoji.to_core(emoji.to_slack(char)) == char


def test_what_slack_cannot_show_is_told_apart() -> None:
    assert emoji.expressible("🤗") and emoji.expressible("❤") and emoji.expressible(":blob:")
    assert not emoji.expressible("thanks") and not emoji.expressible("🙂🙂")
    assert not emoji.expressible(": no :")
    sections = {
        "kudos": {"emojis": {"🙏": 1, "ty": 2}, "badge_channel": "general"},
        "moderation": {"flag_emoji": "🚩", "rules": ["be kind"]},
        "questions": {"question_emoji": "", "accept_emoji": "✅"},
    }
    assert list(emoji.configured(sections)) == [
        ("features.kudos.emojis", "🙏"),
        ("features.kudos.emojis", "ty"),
        ("features.moderation.flag_emoji", "🚩"),
        ("features.questions.accept_emoji", "✅"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.data())
def test_damaged_payloads_never_raise(sample: str, data: st.DataObject) -> None:
    """Missing fields, wrong types, huge strings and control characters, anywhere."""
    body = mutate(load(sample), data)
    translate.needs(body)
    translate.home_opened(body)
    translate.user_object(body)
    for event in translate.to_events(body, LOOKUP, NOW):
        assert event.event_id.startswith("slack:")
        json.dumps(event.event_id)
