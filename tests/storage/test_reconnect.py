"""The shared reconnect backoff: refuse at once while down, one probe now and then."""

from __future__ import annotations

import pytest

from bot.ports import StorageUnavailable
from storage.reconnect import ReconnectBackoff


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_up_means_every_attempt_goes_through() -> None:
    backoff = ReconnectBackoff(clock=Ticks())
    for _ in range(3):
        backoff.admit()
    assert not backoff.down and backoff.refused == 0


def test_down_refuses_until_the_delay_passed_then_lets_one_probe_through() -> None:
    ticks = Ticks()
    backoff = ReconnectBackoff(first=0.5, longest=4.0, clock=ticks)
    backoff.failed()
    assert backoff.down
    with pytest.raises(StorageUnavailable, match=r"next attempt in 0\.5 s"):
        backoff.admit()
    ticks.now += 0.5
    backoff.admit()  # the probe
    with pytest.raises(StorageUnavailable):
        backoff.admit()  # the others wait for what the probe finds
    assert backoff.refused == 2


def test_each_failed_probe_doubles_the_delay_up_to_the_longest() -> None:
    ticks = Ticks()
    backoff = ReconnectBackoff(first=0.5, longest=4.0, clock=ticks)
    backoff.failed()
    waits = []
    for _ in range(6):
        start = ticks.now
        while True:
            try:
                backoff.admit()
                break
            except StorageUnavailable:
                ticks.now += 0.25
        waits.append(ticks.now - start)
        backoff.failed()
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_successful_probe_brings_it_back_up() -> None:
    ticks = Ticks()
    backoff = ReconnectBackoff(first=0.5, clock=ticks)
    backoff.failed()
    ticks.now += 1
    backoff.admit()
    backoff.succeeded()
    assert not backoff.down
    backoff.admit()
    backoff.failed()  # a new outage starts from the first delay again
    with pytest.raises(StorageUnavailable, match=r"next attempt in 0\.5 s"):
        backoff.admit()
