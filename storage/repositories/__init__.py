"""Repository implementations, found by the protocol they implement.

A feature's repository module decorates its class with `@implements(Protocol)`;
the unit of work hands out an instance bound to the event's connection. A table
whose rows of two persons must be combined when their accounts are linked (rather
than re-pointed, the default) names its combiner with `@merges(table)`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")
# Combines the rows of person `gone` into person `keep` (connection, keep, gone).
Merger = Callable[[AsyncConnection, int, int], Awaitable[None]]

_IMPLEMENTATIONS: dict[type, Callable[[Any], Any]] = {}
_MERGERS: dict[str, Merger] = {}
_loaded = False


def implements(protocol: type) -> Callable[[type[T]], type[T]]:
    def register(cls: type[T]) -> type[T]:
        if protocol in _IMPLEMENTATIONS and _IMPLEMENTATIONS[protocol] is not cls:
            raise RuntimeError(f"{protocol.__name__} has two implementations")
        _IMPLEMENTATIONS[protocol] = cls
        return cls

    return register


def merges(table: Table) -> Callable[[Merger], Merger]:
    """Declare how `table`'s rows of two linked persons become one person's."""

    def register(fn: Merger) -> Merger:
        _MERGERS[table.name] = fn
        return fn

    return register


def merger(table: Table) -> Merger | None:
    load_all()
    return _MERGERS.get(table.name)


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def implementation(protocol: type) -> Callable[[Any], Any]:
    load_all()
    try:
        return _IMPLEMENTATIONS[protocol]
    except KeyError:
        raise LookupError(f"no storage implements {protocol.__name__}") from None
