"""Console input: piped lines, the end of input, clean stops, history kept on any exit."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import select
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.adapter import OUTPUT_CLOSED, ConsoleAdapter
from adapters.console.terminal import PipedLines
from bot.app import App, build_app, open_storage, run_console
from bot.clock import FakeClock
from bot.config import load_config

AGORA = Path(sys.executable).with_name("agora")


async def _read_all(lines: PipedLines) -> list[str | None]:
    got: list[str | None] = []
    while not got or got[-1] is not None:
        got.append(await lines.read("> "))
    return got


async def test_piped_lines_are_split_decoded_and_end_with_none() -> None:
    read, write = os.pipe()
    os.write(write, "/help\r\nhei, Bjørn\n".encode() + b"caf\xe9\n:quit")
    os.close(write)
    lines = PipedLines(asyncio.get_running_loop(), read)
    try:
        assert await _read_all(lines) == ["/help", "hei, Bjørn", "caf\ufffd", ":quit", None]
    finally:
        os.close(read)


async def test_no_stdin_at_all_is_the_end_of_input() -> None:
    assert await PipedLines(asyncio.get_running_loop(), None).read("> ") is None


class FakeLines:
    """A line source that gives `lines`, then ends, or waits forever (`wait=True`)."""

    interactive = True

    def __init__(self, *lines: str, wait: bool = False) -> None:
        self.lines = list(lines)
        self.wait = wait
        self.closed = False

    async def read(self, prompt: str) -> str | None:
        if self.lines:
            return self.lines.pop(0)
        if self.wait:
            await asyncio.Event().wait()
        return None

    def close(self) -> None:
        self.closed = True


class Elsewhere:
    """Another platform's adapter: it connects at start and runs until Agora stops."""

    name = "elsewhere"

    async def start(self, app: App) -> None:
        pass

    async def stop(self) -> None:
        pass


@pytest.fixture
async def app() -> AsyncIterator[App]:
    config = load_config(None)
    config = config.model_copy(
        update={
            "storage": config.storage.model_copy(update={"url": "sqlite+aiosqlite:///:memory:"})
        }
    )
    storage = await open_storage(config, create_schema=True)
    built = await build_app(config, clock=FakeClock(), storage=storage)
    yield built
    await built.stop()


def _console(app: App, source: FakeLines) -> ConsoleAdapter:
    console = ConsoleAdapter(app.config.console, out=io.StringIO(), lines=lambda loop: source)
    app.attach(console)
    return console


async def test_the_end_of_input_stops_agora_when_the_console_runs_alone(app: App) -> None:
    source = FakeLines("/help")
    console = _console(app, source)
    await app.start()
    assert await run_console(app, console, asyncio.Event()) == 0
    assert console.input_closed and source.closed


class Warned(logging.Handler):
    """Wakes a test when a warning is logged."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said = asyncio.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.said.set()


async def test_beside_a_platform_the_end_of_input_ends_only_the_console(app: App) -> None:
    source = FakeLines("/help")
    console = _console(app, source)
    app.adapters.append(Elsewhere())  # type: ignore[arg-type]
    await app.start()
    warned = Warned()
    logging.getLogger("bot.app").addHandler(warned)
    try:
        stop = asyncio.Event()
        running = asyncio.create_task(run_console(app, console, stop))
        await warned.said.wait()
        assert not running.done()  # Agora goes on for the other platform
        assert console.input_closed and source.closed
        assert "its input ended (no terminal); elsewhere go on" in warned.messages[0]
        stop.set()
        assert await running == 0
    finally:
        logging.getLogger("bot.app").removeHandler(warned)


async def test_quit_stops_agora_even_beside_a_platform(app: App) -> None:
    console = _console(app, FakeLines(":quit", wait=True))
    app.adapters.append(Elsewhere())  # type: ignore[arg-type]
    await app.start()
    assert await run_console(app, console, asyncio.Event()) == 0
    assert not console.input_closed


async def test_a_signal_closes_the_terminal_cleanly(app: App) -> None:
    source = FakeLines(wait=True)
    console = _console(app, source)
    await app.start()
    stop = asyncio.Event()
    running = asyncio.create_task(run_console(app, console, stop))
    await asyncio.sleep(0)
    stop.set()
    assert await running == 0
    assert source.closed  # history saved, terminal settings restored


def _agora(cwd: Path, *args: str, stdin: int) -> subprocess.Popen[str]:
    """The real CLI, in `cwd` (its home too: the history file lands there)."""
    env = {k: v for k, v in os.environ.items() if k != "AGORA_CONFIG"}
    return subprocess.Popen(
        [str(AGORA), *args],
        cwd=cwd,
        env={**env, "HOME": str(cwd)},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_with_piped_input_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    """`sleep 30 | agora run`, then a signal: no abort on a thread holding stdin."""
    process = _agora(tmp_path, "run", stdin=subprocess.PIPE)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("Agora console")
        process.send_signal(sig)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Fatal Python error" not in err and "Traceback" not in err


def test_a_transcript_cut_short_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    """`agora run --script x.txt | head`: no BrokenPipeError traceback."""
    script = tmp_path / "x.txt"
    script.write_text("/help\n" * 50, encoding="utf-8")
    process = _agora(tmp_path, "run", "--script", str(script), stdin=subprocess.DEVNULL)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith("alice@#general> /help")
    process.stdout.close()  # what `head -1` does after its line
    err = process.stderr.read()
    assert process.wait(timeout=60) == OUTPUT_CLOSED
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def _read_until(fd: int, token: bytes, seen: bytearray) -> None:
    """Read the terminal until `token` shows, it closes, or a minute passes in silence."""
    while token not in seen:
        ready, _w, _x = select.select([fd], [], [], 60)
        if not ready:
            return
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            return
        if not chunk:
            return
        seen += chunk


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_sigterm_at_the_prompt_saves_the_history(tmp_path: Path) -> None:
    """On a real terminal (readline), history is written however the console ends."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: Agora on a terminal, at home in tmp_path
        os.chdir(tmp_path)
        os.environ["HOME"] = str(tmp_path)
        os.environ.pop("AGORA_CONFIG", None)
        os.execv(str(AGORA), [str(AGORA), "run"])
    seen = bytearray()
    try:
        _read_until(fd, b"alice@#general> ", seen)
        os.write(fd, b"/help\r")
        _read_until(fd, b"/welcome", seen)
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert (tmp_path / ".agora_history").read_text(encoding="utf-8").splitlines() == ["/help"]
