"""Where the console's lines come from: a terminal (readline, history) or a pipe.

Reading blocks, so it happens on a daemon thread that hands lines to the event loop;
a signal can then stop Agora without waiting for Enter. The two sources differ in
what such a thread may hold when the process ends:

- a terminal is read with `input()` and readline (editing, history); readline does not
  hold Python's stdin lock while it waits, and the terminal's settings and the history
  are restored and saved by `close()`, on `:quit`, end of input, Ctrl-C or SIGTERM alike;
- a pipe or file (`… | agora run`, `docker run` without `-i`) is read with `os.read`
  on the raw descriptor: a thread blocked in `sys.stdin` would hold its buffer lock at
  interpreter shutdown, and Python aborts ("could not acquire lock for <stdin>").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

HISTORY_FILE = Path.home() / ".agora_history"
HISTORY_LENGTH = 1000


class LineSource(Protocol):
    """Lines typed or piped in; None once the input has ended."""

    interactive: bool

    async def read(self, prompt: str) -> str | None: ...

    def close(self) -> None: ...


def open_lines(loop: asyncio.AbstractEventLoop) -> LineSource:
    try:
        interactive = sys.stdin.isatty()
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # no stdin at all (closed, detached)
        return PipedLines(loop, None)
    return TerminalLines(loop) if interactive else PipedLines(loop, fd)


class TerminalLines:
    """`input()` with readline on a daemon thread, one prompt at a time."""

    interactive = True

    def __init__(self, loop: asyncio.AbstractEventLoop, history: Path = HISTORY_FILE) -> None:
        self._loop = loop
        self._history = history
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._prompts: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._saved_tty = _tty_settings()
        _load_history(history)
        threading.Thread(target=self._read, name="console-input", daemon=True).start()

    def _read(self) -> None:
        while True:
            prompt = self._prompts.get()
            try:
                line: str | None = input(prompt)
            except (EOFError, KeyboardInterrupt, OSError):
                line = None
            with contextlib.suppress(RuntimeError):  # the loop closed while we waited
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return

    async def read(self, prompt: str) -> str | None:
        self._prompts.put(prompt)
        return await self._lines.get()

    def close(self) -> None:
        _save_history(self._history)
        _restore_tty(self._saved_tty)


class PipedLines:
    """Raw reads of a pipe or file, split into lines (UTF-8; bad bytes replaced)."""

    interactive = False

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int | None) -> None:
        self._loop = loop
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        if fd is None:
            self._lines.put_nowait(None)
            return
        threading.Thread(target=self._read, args=(fd,), name="console-input", daemon=True).start()

    def _read(self, fd: int) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                self._deliver(line.decode("utf-8", "replace").rstrip("\r"))
        if pending:
            self._deliver(pending.decode("utf-8", "replace"))
        self._deliver(None)

    def _deliver(self, line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: Agora is stopping
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)

    async def read(self, prompt: str) -> str | None:
        return await self._lines.get()

    def close(self) -> None:
        """Nothing to restore; the thread, blocked in `os.read`, ends with the process."""


def _load_history(path: Path) -> None:
    try:
        import readline

        readline.read_history_file(path)
    except (ImportError, OSError):
        pass


def _save_history(path: Path) -> None:
    try:
        import readline

        readline.set_history_length(HISTORY_LENGTH)
        readline.write_history_file(path)
    except (ImportError, OSError):
        pass


def _tty_settings() -> list[Any] | None:
    """The terminal's settings now, to put back if Agora stops in the middle of a line."""
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def _restore_tty(settings: list[Any] | None) -> None:
    if settings is None:
        return
    try:
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, settings)
    except (ImportError, OSError, ValueError, AttributeError):
        pass
