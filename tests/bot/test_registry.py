"""The registry is the one source of truth for commands: no clashes, subcommands first."""

from __future__ import annotations

import pytest

from bot.args import TextArg
from bot.context import Context
from bot.features import all_features
from bot.registry import Feature, Registry, RegistryError


async def _noop(ctx: Context, **_: object) -> None:
    return None


def _feature(name: str, *commands: str) -> Feature:
    feature = Feature(name)
    for command in commands:
        feature.command(command, help="x")(_noop)
    return feature


def test_no_two_shipped_features_claim_one_command() -> None:
    registry = Registry(all_features())
    names = [c.name for c in registry.commands]
    assert len(names) == len(set(names))
    assert "help" in names


def test_every_shipped_command_has_help_and_a_known_feature() -> None:
    registry = Registry(all_features())
    for spec in registry.commands:
        assert spec.help.strip(), spec.name
        assert spec.feature in registry.features


def test_clash_is_found_at_start_up() -> None:
    with pytest.raises(RegistryError, match="/kudos is declared by both 'a' and 'b'"):
        Registry([_feature("a", "kudos"), _feature("b", "kudos")])


def test_feature_registered_twice() -> None:
    with pytest.raises(RegistryError, match="registered twice"):
        Registry([_feature("a", "x"), _feature("a", "y")])


def test_subcommand_is_preferred_over_root_text() -> None:
    feature = _feature("kudos", "kudos", "kudos me")
    feature.commands[0] = feature.commands[0].__class__(
        "kudos", "x", (TextArg("why", required=False),), feature.commands[0].level, "kudos", _noop
    )
    registry = Registry([feature])
    spec, rest = registry.resolve("/kudos", "me please")
    assert spec is not None and spec.name == "kudos me" and rest == "please"
    spec, rest = registry.resolve("kudos", "@bob thanks")
    assert spec is not None and spec.name == "kudos" and rest == "@bob thanks"
    assert registry.resolve("nothing", "")[0] is None


def test_longest_action_prefix_wins() -> None:
    feature = Feature("polls")
    feature.button("vote")(_noop)
    feature.button("vote:close")(_noop)
    registry = Registry([feature])
    found = registry.action("polls:vote:close:7", "button")
    assert found is not None and found.prefix == "polls:vote:close"
    found = registry.action("polls:vote:7:2", "button")
    assert found is not None and found.prefix == "polls:vote"
    assert registry.action("polls:voter", "button") is None
    assert registry.action("polls:vote", "form") is None


def test_action_ids_carry_their_parts() -> None:
    assert Feature("questions").action_id("accept", 12, "x") == "questions:accept:12:x"


def test_needs_come_from_enabled_features_and_their_settings() -> None:
    from bot.app import enabled_features
    from bot.config import config_from_dict
    from bot.features import feature_models
    from bot.needs import Need

    plain = config_from_dict({}, feature_models())
    needs = Registry(enabled_features(plain)).needs(plain)
    assert "onboarding" in needs[Need.MEMBER_EVENTS]
    assert needs[Need.INVITES] == ("growth",)
    assert "questions" in needs[Need.MESSAGE_TEXT], "the ❓ emoji makes a message a question"
    assert Need.ROLES not in needs, "no role is configured by default"
    configured = config_from_dict(
        {
            "features": {
                "onboarding": {"newcomer_role": "Newcomer"},
                "questions": {"question_emoji": ""},
                "kudos": {"detect_welcomes": False},
                "growth": {"enabled": False},
            }
        },
        feature_models(),
    )
    needs = Registry(enabled_features(configured)).needs(configured)
    assert needs[Need.ROLES] == ("onboarding",)
    assert Need.MESSAGE_TEXT not in needs
    assert Need.INVITES not in needs, "growth is off"
    assert list(needs) == [n for n in Need if n in needs], "in the declared order"


def test_a_roots_verb_names_its_own_form_where_a_platform_needs_one() -> None:
    registry = Registry(all_features())
    assert registry.path("kudos", verbs=True) == "kudos give"
    assert registry.path("kudos", verbs=False) == "kudos"
    assert registry.path("kudos me", verbs=True) == "kudos me"
    assert registry.path("help", verbs=True) == "help", "no subcommands, no verb"
    assert registry.path("referrals", verbs=True) == "referrals me", "a verb may be an alias"
    mixed = {c.root for c in registry.commands if c.sub} & {
        c.root for c in registry.commands if not c.sub
    }
    undeclared = [r for r in mixed if not registry.command(r).verb]  # type: ignore[union-attr]
    assert undeclared == [], "every shipped root with subcommands names its own form"


def test_a_verb_that_is_another_subcommand_or_not_a_word_is_refused() -> None:
    clash = Feature("x")
    clash.command("top", help="x", verb="list")(_noop)

    async def other(ctx: Context) -> None:
        return None

    clash.command("top list", help="x")(other)
    with pytest.raises(RegistryError, match="verb 'list'"):
        Registry([clash])
    spaced = Feature("y")
    spaced.command("top", help="x", verb="Give It")(_noop)
    with pytest.raises(RegistryError, match="one lower-case word"):
        Registry([spaced])


def test_the_readme_shows_each_discord_verb() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    registry = Registry(all_features())
    for root in {c.root for c in registry.commands if c.sub}:
        if registry.command(root) is not None:
            assert f"`/{registry.path(root, verbs=True)}" in readme, root
