"""Repository implementations, found by the protocol they implement.

A feature's repository module decorates its class with `@implements(Protocol)`;
the unit of work hands out an instance bound to the event's connection.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_IMPLEMENTATIONS: dict[type, Callable[[Any], Any]] = {}
_loaded = False


def implements(protocol: type) -> Callable[[type[T]], type[T]]:
    def register(cls: type[T]) -> type[T]:
        if protocol in _IMPLEMENTATIONS and _IMPLEMENTATIONS[protocol] is not cls:
            raise RuntimeError(f"{protocol.__name__} has two implementations")
        _IMPLEMENTATIONS[protocol] = cls
        return cls

    return register


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
