"""Command names per platform: a root the platform keeps for itself gets another name.

Slack refuses apps that register its built-in commands (`/invite`, `/remind`…), and
a member typing one gets Slack's own command. So a core command whose root a
platform reserves is offered there under another name: an alias the feature declares
with the same handler (`/referrals invite` stands for `/invite`), else the root
prefixed with its feature (`/growth-status` for a `/status`). The manifest, the
routing of what members type, `/help` and the App Home all use this one mapping, so
they always agree. A port names its reserved roots in `reserved_commands`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import ChatPort
from bot.registry import CommandSpec, Registry


def reserved_commands(port: ChatPort | None) -> frozenset[str]:
    """The command roots `port`'s platform keeps for itself (none for most platforms)."""
    found = getattr(port, "reserved_commands", None)
    return frozenset(found) if found else frozenset()


@dataclass(frozen=True, slots=True)
class Offered:
    """A command as members type it on one platform."""

    name: str
    spec: CommandSpec

    @property
    def root(self) -> str:
        return self.name.split(" ", 1)[0]


def _renamed_root(registry: Registry, root: str) -> str:
    owner = next(c.feature for c in registry.commands if c.root == root)
    return f"{owner}-{root}"


def _alias(registry: Registry, reserved: frozenset[str], spec: CommandSpec) -> str | None:
    """Another command with the same handler whose root the platform leaves free."""
    return next(
        (
            other.name
            for other in registry.commands
            if other.handler is spec.handler and other.root not in reserved
        ),
        None,
    )


def name_on(registry: Registry, reserved: frozenset[str], spec: CommandSpec) -> str:
    """What a member types for `spec` on that platform (its alias, or its new root)."""
    if spec.root not in reserved:
        return spec.name
    alias = _alias(registry, reserved, spec)
    if alias is not None:
        return alias
    root = _renamed_root(registry, spec.root)
    return f"{root} {spec.sub}" if spec.sub else root


def offered(registry: Registry, reserved: frozenset[str]) -> list[Offered]:
    """Every command once, under the name members type on a platform with `reserved` roots.

    A reserved command that has an alias is left out: the alias is listed already.
    """
    return [
        Offered(name_on(registry, reserved, spec), spec)
        for spec in registry.commands
        if spec.root not in reserved or _alias(registry, reserved, spec) is None
    ]


def core_root(registry: Registry, reserved: frozenset[str], typed: str) -> str:
    """The registry's root for a root a member typed (`growth-status` → `status`)."""
    for root in reserved:
        used = any(c.root == root for c in registry.commands)
        if used and _renamed_root(registry, root) == typed:
            return root
    return typed
