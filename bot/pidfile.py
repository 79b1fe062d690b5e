"""The pid file: how `agora reload` and `agora health` find the running Agora — and
know that it is Agora.

A pid in a file proves nothing: after a crash or `kill -9` the file stays, and the
number may by now belong to any process (`agora reload` once sent SIGHUP to whatever
held it). So `agora run` keeps an exclusive `flock` on the file for as long as it
runs; the kernel drops the lock when the process ends, however it ends. A pid file
whose lock nobody holds is stale, whatever it says.

Beside it, the running Agora writes the outcome of each hot reload
(`agora.reload.json` next to `agora.pid`), so `agora reload` can say whether the new
config was taken or why not.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What the running Agora made of its latest reload request."""

    pid: int
    attempt: int  # counts this process's reloads, so a caller can tell a new answer
    ok: bool
    source: str | None
    problems: tuple[str, ...] = ()


def outcome_path(pid_file: str | Path) -> Path:
    return Path(pid_file).with_suffix(".reload.json")


class PidFile:
    """This process's claim on the pid file, held until `release()` (or exit)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd
        self._attempts = 0

    @classmethod
    def claim(cls, path: str | Path) -> PidFile | None:
        """Write our pid and lock the file; None (logged) if another Agora holds it."""
        file = Path(path)
        try:
            fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            log.warning("cannot write %s: %s", file, error)
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            log.warning(
                "%s is held by another running Agora (pid %s); `agora reload` and "
                "`agora health` will find that one, not this",
                file,
                _read_pid(file),
            )
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        outcome_path(file).unlink(missing_ok=True)  # a previous run's answers
        return cls(file, fd)

    def report_reload(self, ok: bool, source: str | None, problems: list[str]) -> None:
        """Tell `agora reload` how the latest reload went (replaced atomically)."""
        self._attempts += 1
        outcome = ReloadOutcome(os.getpid(), self._attempts, ok, source, tuple(problems))
        target = outcome_path(self.path)
        partial = target.with_name(target.name + ".tmp")
        try:
            partial.write_text(json.dumps(asdict(outcome), ensure_ascii=False), encoding="utf-8")
            os.replace(partial, target)
        except OSError as error:
            log.warning("cannot write %s: %s", target, error)

    def release(self) -> None:
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        outcome_path(self.path).unlink(missing_ok=True)
        os.close(self._fd)  # drops the lock
        self._fd = None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def running_pid(path: str | Path) -> int | None:
    """The pid of the Agora that holds `path`, or None when no Agora does."""
    file = Path(path)
    try:
        fd = os.open(file, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_pid(file)  # locked: the Agora that wrote it is alive
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # nobody holds it: stale, whatever pid it names
    finally:
        os.close(fd)


def read_outcome(pid_file: str | Path) -> ReloadOutcome | None:
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(outcome_path(pid_file).read_text(encoding="utf-8"))
        return ReloadOutcome(
            int(data["pid"]),
            int(data["attempt"]),
            bool(data["ok"]),
            data["source"] if isinstance(data["source"], str) else None,
            tuple(str(p) for p in data["problems"]),
        )
    return None
