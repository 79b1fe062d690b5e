"""The adapters' expiring caches: bounded, expiring, and emptied by time alone."""

from __future__ import annotations

from adapters.ttl import TtlCache


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_oldest_put_goes_first_when_full() -> None:
    cache: TtlCache[str, int] = TtlCache(2, 10, clock=Ticks())
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert "a" not in cache and cache.get("b") == 2 and len(cache) == 2


def test_lru_keeps_what_was_asked_for() -> None:
    ticks = Ticks()
    cache: TtlCache[str, int] = TtlCache(2, 10, clock=ticks, lru=True)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and len(cache) == 2
    ticks.now = 11
    assert cache.get("a") is None


def test_entries_expire_ttl_after_they_were_put() -> None:
    ticks = Ticks()
    cache: TtlCache[str, int] = TtlCache(10, 10, clock=ticks)
    cache.put("a", 1)
    ticks.now = 10
    assert cache.get("a") == 1
    ticks.now = 10.5
    assert cache.get("a") is None and len(cache) == 0
    cache.put("b", 2)
    assert cache.pop("b") == 2 and cache.pop("b") is None


def test_expired_entries_go_as_new_ones_come_without_being_asked_for() -> None:
    """Steady traffic keeps a ttl's worth of entries, not the bound's."""
    ticks = Ticks()
    cache: TtlCache[int, int] = TtlCache(10_000, 60, clock=ticks)
    for second in range(600):
        ticks.now = second
        cache.put(second, second)
    assert len(cache) == 61  # the last minute, puts of seconds 539…599
    assert 538 not in cache and 539 in cache


def test_drop_where_forgets_matching_keys() -> None:
    cache: TtlCache[str, int] = TtlCache(10, 10, clock=Ticks())
    for key in ("t1:a", "t1:b", "t2:a"):
        cache.put(key, 0)
    cache.drop_where(lambda key: key.startswith("t1:"))
    cache.drop("nothing")
    assert len(cache) == 1 and "t2:a" in cache
