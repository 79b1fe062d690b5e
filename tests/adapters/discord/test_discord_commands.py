"""Registry → application command JSON, and invocations back (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest
from babel.support import NullTranslations

from adapters.discord import commands
from bot import i18n
from bot.args import ChoiceArg, IntArg, MemberArg, TextArg, WordArg
from bot.model import Level
from bot.registry import DEFAULT_VERB, CommandSpec


async def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


def spec(
    name: str, help: str = "Help", args: tuple[Any, ...] = (), *, verb: str = ""
) -> CommandSpec:
    return CommandSpec(name, help, args, Level.MEMBER, "test", _noop, verb=verb)


def test_roots_subcommands_and_groups() -> None:
    built = commands.build(
        [
            spec("kudos", "Give kudos", (MemberArg("to"), TextArg("why"))),
            spec("kudos top", "Leaderboard", (IntArg("count", min=1, max=25, required=False),)),
            spec("poll admin close", "Close a poll"),
            spec("poll vote", "Vote"),
        ]
    )
    by_name = {p["name"]: p for p in built.payloads}
    kudos = {o["name"]: o for o in by_name["kudos"]["options"]}
    assert set(kudos) == {DEFAULT_VERB, "top"}, "a root without a verb gets `run`"
    assert [o["name"] for o in kudos["run"]["options"]] == ["to", "why"]
    assert kudos["top"]["options"][0]["min_value"] == 1
    poll = {o["name"]: o for o in by_name["poll"]["options"]}
    assert poll["admin"]["type"] == commands.SUB_COMMAND_GROUP
    assert poll["admin"]["options"][0]["name"] == "close"
    assert built.routes == {
        ("kudos", "run"): "kudos",
        ("kudos", "top"): "kudos top",
        ("poll", "admin", "close"): "poll admin close",
        ("poll", "vote"): "poll vote",
    }


def test_a_roots_own_form_is_named_by_its_verb_or_is_the_subcommand_it_names() -> None:
    built = commands.build(
        [
            spec("kudos", "Give kudos", (MemberArg("to"),), verb="give"),
            spec("kudos me", "Mine"),
            spec("referrals", "Yours", verb="me"),
            CommandSpec("referrals me", "Yours", (), Level.MEMBER, "test", _noop),
        ]
    )
    by_name = {p["name"]: p for p in built.payloads}
    assert [o["name"] for o in by_name["kudos"]["options"]] == ["give", "me"]
    assert [o["name"] for o in by_name["referrals"]["options"]] == ["me"]
    assert built.routes[("kudos", "give")] == "kudos"
    assert built.routes[("referrals", "me")] == "referrals me"
    assert built.skipped == ()


def test_required_options_come_first() -> None:
    built = commands.build([spec("x", args=(WordArg("a", required=False), TextArg("b")))])
    assert [o["name"] for o in built.payloads[0]["options"]] == ["b", "a"]


def test_names_discord_refuses_are_skipped_not_sent() -> None:
    built = commands.build([spec("Bad Name"), spec("ok", args=(WordArg("Oops"),)), spec("fine")])
    assert [p["name"] for p in built.payloads] == ["fine"]
    assert set(built.skipped) == {"Bad Name", "ok"}


def test_descriptions_are_clipped_and_never_empty() -> None:
    built = commands.build([spec("a", "x" * 300), spec("b", "")])
    a, b = built.payloads
    assert len(a["description"]) == 100 and a["description"].endswith("…")
    assert b["description"] == "…"


def test_localized_descriptions_use_discord_locale_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Catalog(NullTranslations):
        def __init__(self, words: dict[str, str]) -> None:
            super().__init__()
            self.words = words

        def gettext(self, message: str) -> str:
            return self.words.get(message, message)

    catalogs = {
        "nb": Catalog({"Give kudos": "Gi kudos"}),
        "fi": Catalog({"Give kudos": "Anna kiitos"}),
        "lv": Catalog({"Give kudos": "Dot paldies"}),
        "uk": Catalog({}),
    }
    monkeypatch.setattr(
        i18n, "translations", lambda locale: catalogs.get(locale, NullTranslations())
    )
    [payload] = commands.build([spec("kudos", "Give kudos")]).payloads
    assert payload["description"] == "Give kudos"
    assert payload["description_localizations"] == {"no": "Gi kudos", "fi": "Anna kiitos"}
    [finnish] = commands.build([spec("kudos", "Give kudos")], language="fi").payloads
    assert finnish["description"] == "Anna kiitos"
    assert finnish["description_localizations"]["en-US"] == "Give kudos"


def test_invocation_reads_subcommands_and_option_types() -> None:
    routes = {("kudos", "run"): "kudos"}
    data = {
        "name": "kudos",
        "options": [
            {
                "type": 1,
                "name": "run",
                "options": [
                    {"type": 6, "name": "to", "value": "42"},
                    {"type": 7, "name": "where", "value": "7"},
                    {"type": 4, "name": "n", "value": 3},
                    {"type": 5, "name": "flag", "value": False},
                    {"type": 8, "name": "role", "value": "9"},
                    {"type": 3, "name": "why", "value": "thanks"},
                    {"type": 3, "name": "focused-without-value"},
                ],
            }
        ],
    }
    name, options = commands.invocation(data, routes)
    assert name == "kudos"
    assert options == {
        "to": "<@42>",
        "where": "<#7>",
        "n": "3",
        "flag": "false",
        "role": "<@&9>",
        "why": "thanks",
    }
    assert commands.invocation({"name": "help"}, {}) == ("help", {})
    assert commands.invocation({"name": "x", "options": [{"type": 1, "name": "y"}]}, {}) == (
        "x y",
        {},
    )


def test_choices_are_named_in_each_language_and_keep_their_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Catalog(NullTranslations):
        def gettext(self, message: str) -> str:
            return {"going": "kommer", "not going": "kommer ikke"}.get(message, message)

    monkeypatch.setattr(
        i18n, "translations", lambda locale: Catalog() if locale == "nb" else NullTranslations()
    )
    rsvp = ChoiceArg("answer", ["going", "no"], "Answer", labels=["going", "not going"])
    plain = ChoiceArg("kind", ["poll", "quiz"], "Kind")
    [payload] = commands.build([spec("rsvp", args=(rsvp, plain))]).payloads
    answer, kind = payload["options"]
    assert answer["choices"] == [
        {"name": "going", "name_localizations": {"no": "kommer"}, "value": "going"},
        {"name": "not going", "name_localizations": {"no": "kommer ikke"}, "value": "no"},
    ]
    assert kind["choices"] == [{"name": "poll", "value": "poll"}, {"name": "quiz", "value": "quiz"}]


def test_a_completed_argument_asks_discord_for_autocomplete() -> None:
    zone = WordArg("zone", "Zone", complete=lambda typed: ["Europe/Oslo"])
    [payload] = commands.build([spec("timezone", args=(zone,))]).payloads
    assert payload["options"][0]["autocomplete"] is True
    data = {
        "name": "timezone",
        "options": [{"type": 3, "name": "zone", "value": "os", "focused": True}],
    }
    assert commands.focused(data, {}) == ("timezone", "zone", "os")
    assert commands.focused({"name": "timezone", "options": []}, {}) is None


def test_staff_only_commands_are_hidden_from_members_menus() -> None:
    def staff(name: str, level: Level) -> CommandSpec:
        return CommandSpec(name, "x", (), level, "test", _noop)

    built = commands.build(
        [
            staff("warn", Level.MODERATOR),
            staff("segments", Level.ADMIN),
            staff("stats", Level.MODERATOR),
            staff("stats slipping", Level.ADMIN),
            staff("checkin create", Level.ADMIN),
            staff("checkin join", Level.MEMBER),
            staff("question stats", Level.HELPER),
        ]
    )
    seen = {p["name"]: p.get("default_member_permissions") for p in built.payloads}
    manage_messages, manage_server = str(1 << 13), str(1 << 5)
    assert seen == {
        "warn": manage_messages,
        "segments": manage_server,
        "stats": manage_messages,  # the lowest level of the root decides
        "checkin": None,  # members use /checkin join: Discord cannot hide one subcommand
        "question": None,
    }


def test_every_shipped_option_has_a_translatable_description() -> None:
    from babel.messages.pofile import read_po

    from bot.app import enabled_features
    from bot.config import AgoraConfig
    from bot.registry import Registry

    with (i18n.LOCALE_DIR / "agora.pot").open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    registry = Registry(enabled_features(AgoraConfig()))
    for command in registry.commands:
        for arg in command.args:
            assert arg.help, f"/{command.name} {arg.name} has no description"
            assert arg.help in extracted, f"/{command.name} {arg.name}: wrap its help in N_()"
            for label in arg.labels:
                assert label in extracted, f"/{command.name} {arg.name}: label {label!r}"
