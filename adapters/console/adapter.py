"""The console adapter: a small simulated community in a terminal (the embedded default).

An admin tries every feature here before connecting Discord or Slack: be anyone
(`:as bob`), go anywhere (`:in #help`), react, click, submit forms and jump ahead
in virtual time (`:tick 2d`). `agora run --script FILE` replays such lines and checks
`:expect` lines, which makes end-to-end tests and demos.
"""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from adapters.console.lines import Line, LineError, parse_line
from adapters.console.transcript import render
from adapters.memory.community import Community, Posted, SimulationError
from adapters.memory.port import MemoryPort
from adapters.memory.seeding import register_channel, register_directory
from bot.args import ArgError
from bot.clock import FakeClock, SystemClock
from bot.config import ConsoleConfig
from bot.i18n import N_, _
from bot.model import Event

if TYPE_CHECKING:
    from bot.app import App

HISTORY_FILE = Path.home() / ".agora_history"


class ExpectationFailed(Exception):
    """A script's `:expect` did not hold; the run ends with a non-zero code."""


class ConsoleAdapter:
    name = "console"
    connected = True  # the terminal is in this process: there is nothing to lose

    def __init__(
        self,
        config: ConsoleConfig | None = None,
        *,
        script: str | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.config = config or ConsoleConfig()
        self.script = script
        self.out = out or sys.stdout
        self.community = Community(SystemClock(), "console", "local")
        self.port = MemoryPort(self.community)
        self.community.observers.append(self._show)
        self.current: str | None = None
        self.channel = self.config.start_in
        self._app: App | None = None
        self._buffer: list[str] = []
        self._since_expect: list[str] = []

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, app: App) -> None:
        self._app = app
        self.community.clock = app.runtime.clock
        if self.config.seed:
            for name in self.config.channels:
                self.community.add_channel(name)
            for member in self.config.members:
                self.community.add_member(member.name, tuple(member.roles), member.locale)
            self.current = self.config.start_as.lower() if self.config.members else None
            if self.channel not in self.community.channels and self.community.channels:
                self.channel = next(iter(self.community.channels))
        await register_directory(app.runtime.storage, self.community, app.runtime.clock.now())

    async def run(self) -> int:
        if self.script is not None:
            return await self.run_script(self.script)
        return await self._repl()

    async def stop(self) -> None:
        self.community.observers.clear()

    # --- output ----------------------------------------------------------------------

    def _emit(self, line: str) -> None:
        self._buffer.append(line)
        self._since_expect.append(line)
        print(line, file=self.out, flush=True)

    def _show(self, posted: Posted, edited: bool) -> None:
        for line in render(self.community, posted, edited=edited):
            self._emit(line)

    def prompt(self) -> str:
        who = self.current or "?"
        return f"{who}@#{self.channel}> "

    # --- running lines ---------------------------------------------------------------

    async def execute(self, raw: str) -> list[str]:
        """Run one line; returns what it printed. Errors are printed, never raised."""
        self._buffer = []
        try:
            line = parse_line(raw)
            if line.verb != "expect":
                self._since_expect = []
            await self._do(line)
        except (LineError, SimulationError, ArgError) as error:
            self._emit(f"! {error}")
        return self._buffer

    async def _do(self, line: Line) -> None:
        verb = line.verb
        if verb == "nothing":
            return
        if verb == "expect":
            self._check(line.text, present=not line.negate)
            return
        handler = getattr(self, f"_verb_{verb.replace('-', '_')}")
        await handler(line)

    def _check(self, wanted: str, *, present: bool) -> None:
        seen = "\n".join(self._since_expect).lower()
        if (wanted.lower() in seen) != present:
            shown = "\n".join(self._since_expect) or _("(nothing)")
            kind = _("expected") if present else _("did not expect")
            raise ExpectationFailed(
                _("{kind} {text!r}; the output was:\n{seen}", kind=kind, text=wanted, seen=shown)
            )

    def _me(self) -> str:
        if self.current is None:
            raise SimulationError(_("Nobody is here yet. Add someone with :join NAME."))
        return self.current

    async def _dispatch(self, event: Event) -> None:
        app = self._require_app()
        await app.dispatcher.handle(event)
        await app.scheduler.run_due()

    def _require_app(self) -> App:
        if self._app is None:
            raise SimulationError(_("The console is not connected to the bot yet."))
        return self._app

    async def _verb_say(self, line: Line) -> None:
        event = self.community.say(self._me(), self.channel, line.text)
        await self._dispatch(event)

    async def _verb_reply(self, line: Line) -> None:
        assert line.number is not None
        parent = self.community.post(line.number)
        channel = parent.channel.name if parent.channel else self.channel
        event = self.community.say(self._me(), channel, line.text, thread_of=line.number)
        await self._dispatch(event)

    async def _verb_command(self, line: Line) -> None:
        await self._dispatch(self.community.command(self._me(), self.channel, line.text))

    async def _verb_as(self, line: Line) -> None:
        member = self.community.member(line.name)
        self.current = member.name
        self._emit(_("(you are now {name})", name=member.name))

    async def _verb_in(self, line: Line) -> None:
        channel = self.community.channel(line.name)
        self.channel = channel.name
        self._emit(_("(you are now in #{name})", name=channel.name))

    async def _verb_channel(self, line: Line) -> None:
        app = self._require_app()
        channel = self.community.add_channel(line.name)
        await register_channel(app.runtime.storage, self.community, channel.name)
        self._emit(_("(channel #{name} created)", name=channel.name))

    async def _verb_join(self, line: Line) -> None:
        if line.name.lower() in self.community.members:
            raise SimulationError(_("{name} is already a member.", name=line.name))
        roles, via = _roles_and_invite(line.words)
        event = self.community.join(line.name, roles, invite=via)
        if via is None:
            self._emit(_("(→ {name} joined the community)", name=event.member.name))
        else:
            self._emit(
                _(
                    "(→ {name} joined the community through invite {invite})",
                    name=event.member.name,
                    invite=via,
                )
            )
        if self.current is None:
            self.current = event.member.name
        await self._dispatch(event)

    async def _verb_leave(self, line: Line) -> None:
        event = self.community.leave(line.name)
        self._emit(_("(← {name} left the community)", name=event.member.name))
        if self.current == event.member.name:
            self.current = next(iter(self.community.members), None)
        await self._dispatch(event)

    async def _verb_role(self, line: Line) -> None:
        event = self.community.set_role(line.name, line.text, added=not line.negate)
        sign = "-" if line.negate else "+"
        self._emit(f"({event.member.name} {sign}{line.text})")
        await self._dispatch(event)

    async def _verb_react(self, line: Line) -> None:
        number = line.number if line.number is not None else self._latest_in_channel()
        event = self.community.react(self._me(), number, line.text, added=not line.negate)
        arrow = "-" if line.negate else "+"
        self._emit(f"({self._me()} {arrow}{line.text} [{number}])")
        await self._dispatch(event)

    def _latest_in_channel(self) -> int:
        channel = self.community.channel(self.channel)
        for posted in reversed(self.community.posts):
            if posted.channel != channel or posted.deleted or posted.dm_to is not None:
                continue
            if posted.ephemeral_to is None:  # nobody can react to a message only one sees
                return posted.number
        raise SimulationError(_("There is no message in #{name} yet.", name=self.channel))

    async def _verb_click(self, line: Line) -> None:
        await self._dispatch(self.community.click(self._me(), line.text, line.number))

    async def _verb_select(self, line: Line) -> None:
        await self._dispatch(self.community.select(self._me(), list(line.words), line.number))

    async def _verb_submit(self, line: Line) -> None:
        await self._dispatch(self.community.submit(self._me(), dict(line.values)))

    async def _verb_tick(self, line: Line) -> None:
        app = self._require_app()
        clock = app.runtime.clock
        if not isinstance(clock, FakeClock):
            raise SimulationError(_(":tick needs the virtual clock (not with Discord/Slack on)."))
        assert line.duration is not None
        await app.scheduler.advance(line.duration)
        self._emit(_("(time is now {when})", when=clock.now().strftime("%Y-%m-%d %H:%M UTC")))

    async def _verb_who(self, line: Line) -> None:
        app = self._require_app()
        now = app.runtime.clock.now().strftime("%Y-%m-%d %H:%M UTC")
        self._emit(
            _(
                "You are {name} in #{channel}; it is {now}.",
                name=self.current or "-",
                channel=self.channel,
                now=now,
            )
        )
        for member in self.community.members.values():
            roles = ", ".join(sorted(member.roles)) or "-"
            level = app.runtime.permissions.level_of(member).value
            self._emit(f"  @{member.name} ({level}; {_('roles')}: {roles})")
        channels = " ".join(f"#{c.name}" for c in self.community.channels.values())
        self._emit(_("Channels: {names}", names=channels))

    async def _verb_help(self, line: Line) -> None:
        for text in HELP_LINES:
            self._emit(_(text))

    async def _verb_quit(self, line: Line) -> None:
        raise EOFError

    # --- scripts and the REPL --------------------------------------------------------

    async def run_script(self, script: str) -> int:
        for number, raw in enumerate(script.splitlines(), start=1):
            if raw.strip() and not raw.lstrip().startswith((":expect", "#")):
                print(f"{self.prompt()}{raw.strip()}", file=self.out, flush=True)
            try:
                await self.execute(raw)
            except EOFError:
                return 0
            except ExpectationFailed as failure:
                print(
                    _("✗ line {number}: {failure}", number=number, failure=failure),
                    file=self.out,
                    flush=True,
                )
                return 1
        return 0

    async def _repl(self) -> int:
        _load_history()
        self._emit(
            _(
                "Agora console — {community}. You are {name} in #{channel}. "
                "Type :help for console commands, /help for bot commands.",
                community=self._require_app().config.bot.name,
                name=self.current or "-",
                channel=self.channel,
            )
        )
        lines = _StdinLines(asyncio.get_running_loop())
        while True:
            raw = await lines.read(self.prompt())
            if raw is None:
                break
            try:
                await self.execute(raw)
            except EOFError:
                break
            except ExpectationFailed as failure:
                self._emit(f"✗ {failure}")
        _save_history()
        return 0


HELP_LINES = (
    N_("text                  post a message as the current member"),
    N_("/command args         run a bot command (/help lists them)"),
    N_(":as NAME              become another member"),
    N_(":in #channel          move to a channel"),
    N_(":channel NAME         create a channel"),
    N_(":reply N TEXT         answer in the thread of message N"),
    N_(":join NAME [role…]    a new member joins the community"),
    N_(":join NAME via N      … through invite link N (from /invite)"),
    N_(":leave NAME           a member leaves"),
    N_(":role NAME [-]ROLE    give (or take with -) a role"),
    N_(":react [N] EMOJI      react to message N (default: latest here)"),
    N_(":unreact [N] EMOJI    take a reaction back"),
    N_(":click [N] BUTTON     press a button by label or id"),
    N_(":select [N] OPTION…   choose in a menu"),
    N_(":submit FIELD=VALUE…  answer the form you were shown"),
    N_(":tick DURATION        move the virtual clock (90m, 2h, 3d)"),
    N_(":who                  members, roles, channels and the time"),
    N_(":expect TEXT          (scripts) the last line printed TEXT"),
    N_(":expect-not TEXT      (scripts) it did not"),
    N_(":quit                 leave the console"),
)


def _roles_and_invite(words: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """`:join dave mod via 2` → roles ("mod",) and invite "2"."""
    if "via" not in words:
        return words, None
    at = words.index("via")
    if at + 2 != len(words):
        raise SimulationError(_("Write it as :join NAME [role…] via INVITE"))
    return words[:at], words[at + 1]


class _StdinLines:
    """Reads the terminal on a daemon thread, one prompt at a time.

    A blocked `input()` in asyncio's default executor would keep the process alive on
    Ctrl-C until Enter is pressed; a daemon thread dies with the process instead.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._prompts: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._read, name="console-input", daemon=True).start()

    def _read(self) -> None:
        while True:
            prompt = self._prompts.get()
            try:
                line: str | None = input(prompt)
            except (EOFError, KeyboardInterrupt, OSError):
                line = None
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return

    async def read(self, prompt: str) -> str | None:
        self._prompts.put(prompt)
        return await self._lines.get()


def _load_history() -> None:
    try:
        import readline

        readline.read_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass


def _save_history() -> None:
    try:
        import readline

        readline.set_history_length(1000)
        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass
