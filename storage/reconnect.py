"""While the database is known to be down, fail at once and probe now and then.

Without this, every event during an outage waits for its own connection attempt
(up to `connect_timeout`, and `command_timeout` more when the network swallows
packets), members stare at "thinking…", and the pool fills with doomed attempts.
So the first failure marks the database down; from then on a unit of work is
refused at once with `StorageUnavailable`, except that one attempt is let through
after a delay that doubles up to `LONGEST_DELAY` — that attempt is the probe. The
first one that succeeds marks the database up again. One object per `SqlStorage`,
shared by events, jobs and the health check alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.ports import StorageUnavailable

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
LONGEST_DELAY = 10.0


class ReconnectBackoff:
    def __init__(
        self,
        first: float = FIRST_DELAY,
        longest: float = LONGEST_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.first = first
        self.longest = longest
        self._clock = clock
        self.down_since: float | None = None
        self._delay = 0.0
        self._next_attempt = 0.0
        self.refused = 0  # attempts answered at once while down (for tests and logs)

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def admit(self) -> None:
        """Return if an attempt may go to the database now; else raise at once."""
        if self.down_since is None:
            return
        now = self._clock()
        if now >= self._next_attempt:
            # This caller is the probe; until it reports back (or the next delay has
            # passed, should it hang), the others are refused.
            self._next_attempt = now + self._delay
            return
        self.refused += 1
        raise StorageUnavailable(
            f"database down for {now - self.down_since:.0f} s; "
            f"next attempt in {self._next_attempt - now:.1f} s"
        )

    def failed(self) -> None:
        """An attempt found the database unreachable."""
        now = self._clock()
        if self.down_since is None:
            self.down_since = now
            self._delay = self.first
            log.warning("database unreachable; retrying with backoff (first in %.1f s)", self.first)
        else:
            self._delay = min(self._delay * 2, self.longest)
        self._next_attempt = now + self._delay

    def succeeded(self) -> None:
        """An attempt reached the database."""
        if self.down_since is None:
            return
        log.info(
            "database reachable again after %.1f s (%d attempt(s) refused meanwhile)",
            self._clock() - self.down_since,
            self.refused,
        )
        self.down_since = None
        self.refused = 0
