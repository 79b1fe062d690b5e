"""A small bounded map whose entries expire: pending interactions, offered forms,
looked-up people and channels, installations.

Interaction tokens live 15 minutes and offered forms an hour; nothing here may
outlive that or grow without bound while a big community clicks away. Expired
entries are dropped as new ones come in (oldest first), not only when asked for: a
cache that forgets only on lookup fills up to its bound under steady traffic and
stays there, holding what nobody will ask for again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Entries expire `ttl` seconds after they were put; at most `size` are kept.

    `lru`: a lookup makes an entry the last to be evicted when the cache is full
    (people and channels asked for often); otherwise the oldest put goes first.
    """

    def __init__(
        self,
        size: int,
        ttl: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        lru: bool = False,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self.lru = lru
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        now = self.clock()
        self._items[key] = (now + self.ttl, value)
        self._items.move_to_end(key)
        self._sweep(now)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def _sweep(self, now: float) -> None:
        """Drop expired entries from the oldest end (with `lru`, up to the first live one)."""
        items = self._items
        while items:
            expires, _value = next(iter(items.values()))
            if expires >= now:
                return
            items.popitem(last=False)

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is None:
            return None
        expires, value = found
        if expires < self.clock():
            del self._items[key]
            return None
        if self.lru:
            self._items.move_to_end(key)
        return value

    def pop(self, key: K) -> V | None:
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def drop(self, key: K) -> None:
        self._items.pop(key, None)

    def drop_where(self, test: Callable[[K], bool]) -> None:
        for key in [k for k in self._items if test(k)]:
            del self._items[key]

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._items)
