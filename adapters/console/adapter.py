"""The console adapter: a small simulated community in a terminal (the embedded default).

An admin tries every feature here before connecting Discord or Slack: be anyone
(`:as bob`), go anywhere (`:in #help`), react, click, submit forms and jump ahead
in virtual time (`:tick 2d`). `agora run --script FILE` replays such lines and checks
`:expect` lines, which makes end-to-end tests and demos.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from adapters.console.lines import Line, LineError, parse_line
from adapters.console.terminal import LineSource, open_lines
from adapters.console.transcript import render, render_actions
from adapters.memory.community import Community, Posted, SimulationError
from adapters.memory.port import MemoryPort
from adapters.memory.seeding import register_channel, register_directory
from bot.args import ArgError
from bot.clock import FakeClock, SystemClock
from bot.config import ConsoleConfig, Hinted, check_channel_name, check_member_name
from bot.i18n import N_, _
from bot.model import Event
from bot.permissions import level_name

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# The exit code when the reader of the transcript went away (`agora run … | head`):
# 128 + SIGPIPE, what a shell reports for a pipeline cut short.
OUTPUT_CLOSED = 141


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
        lines: Callable[[asyncio.AbstractEventLoop], LineSource] = open_lines,
    ) -> None:
        self.config = config or ConsoleConfig()
        self.script = script
        self.out = out or sys.stdout
        self._open_lines = lines
        # The REPL's input ended (EOF): with a platform beside it, Agora goes on.
        self.input_closed = False
        # Whoever read the transcript has gone (a closed pipe): stop at the next line.
        self.output_closed = False
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
        await register_directory(
            app.runtime.storage, self.community, app.runtime.clock.now(), app.config.bot.name
        )

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
        self._print(line)

    def _print(self, line: str) -> None:
        if self.output_closed:
            return
        try:
            print(line, file=self.out, flush=True)
        except BrokenPipeError:
            self.output_closed = True
            # Python flushes stdout once more at exit; into a closed pipe that prints
            # an "Exception ignored" traceback, so the descriptor now goes nowhere.
            with contextlib.suppress(OSError, ValueError):  # not a file (a test's buffer)
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())

    def _show(self, posted: Posted, edited: bool) -> None:
        for line in render(self.community, posted, edited=edited):
            self._emit(line)

    def prompt(self) -> str:
        who = self.current or "?"
        return f"{who}@#{self.channel}> "

    # --- running lines ---------------------------------------------------------------

    async def execute(self, raw: str) -> list[str]:
        """Run one line; returns what it printed. Errors are printed, never raised.

        Only `:quit` (EOFError) and a failed `:expect` leave: they end a script.
        """
        self._buffer = []
        try:
            line = parse_line(raw)
            # `:expect` looks at what the last line that did something printed, so
            # comments and blank lines between the two do not count as lines.
            if line.verb not in ("expect", "nothing"):
                self._since_expect = []
            await self._do(line)
        except (LineError, SimulationError, ArgError) as error:
            self._emit(f"! {error}")
        except (EOFError, ExpectationFailed):
            raise
        except Exception as error:  # the storage, a bug: the console must go on
            # The admin reads the sentence below; the traceback is for `log_level = "debug"`.
            log.debug("console line %r failed", raw, exc_info=True)
            self._emit(_("! That did not work ({error}); the console goes on.", error=error))
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
        name = _valid(check_channel_name, line.name)
        if name in self.community.channels:
            raise SimulationError(_("There is already a channel #{name}.", name=name))
        channel = self.community.add_channel(name)
        try:
            await register_channel(app.runtime.storage, self.community, channel.name)
        except BaseException:
            del self.community.channels[channel.name]
            raise
        self._emit(_("(channel #{name} created)", name=channel.name))

    async def _verb_join(self, line: Line) -> None:
        _valid(check_member_name, line.name)
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
            if self.current is None:
                self._emit(_("(nobody is left; add someone with :join NAME)"))
            else:
                self._emit(_("(you are now {name})", name=self.current))
        await self._dispatch(event)

    async def _verb_role(self, line: Line) -> None:
        held = self.community.held_role(line.name, line.text)
        name = self.community.member(line.name).name
        _unchanged(
            held is not None,
            adding=not line.negate,
            already=_("{name} already has the role {role}.", name=name, role=held),
            absent=_("{name} does not have the role {role}.", name=name, role=line.text),
        )
        event = self.community.set_role(line.name, line.text, added=not line.negate)
        sign = "-" if line.negate else "+"
        self._emit(f"({event.member.name} {sign}{line.text})")
        await self._dispatch(event)

    async def _verb_react(self, line: Line) -> None:
        me = self._me()
        number = line.number if line.number is not None else self._latest_in_channel()
        self.community.visible(me, number)
        said = {"name": me, "emoji": line.text, "number": number}
        _unchanged(
            self.community.reacted(me, number, line.text),
            adding=not line.negate,
            already=_("{name} has already reacted {emoji} to [{number}].", **said),
            absent=_("{name} has no {emoji} on [{number}] to take back.", **said),
        )
        event = self.community.react(me, number, line.text, added=not line.negate)
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

    async def _verb_buttons(self, line: Line) -> None:
        me = self._me()
        if line.number is not None:
            posted = self.community.visible(me, line.number)
        else:
            posted = self._latest_with_actions(me)
        if not (posted.buttons or posted.selects):
            raise SimulationError(
                _("Message [{number}] has no buttons or menus.", number=posted.number)
            )
        for text in render_actions(posted):
            self._emit(text)

    def _latest_with_actions(self, name: str) -> Posted:
        ref = self.community.member(name).ref
        for posted in reversed(self.community.posts):
            if not posted.deleted and posted.visible_to(ref) and (posted.buttons or posted.selects):
                return posted
        raise SimulationError(_("{name} sees no message with buttons or menus.", name=name))

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
            level = level_name(app.runtime.permissions.level_of(member))
            roles = ", ".join(sorted(member.roles)) or "-"
            self._emit(
                _("  @{name} ({level}; roles: {roles})", name=member.name, level=level, roles=roles)
            )
        channels = " ".join(f"#{c.name}" for c in self.community.channels.values())
        self._emit(_("Channels: {names}", names=channels))

    async def _verb_help(self, line: Line) -> None:
        for text in HELP_LINES:
            self._emit(_(text))

    async def _verb_quit(self, line: Line) -> None:
        raise EOFError

    # --- scripts and the REPL --------------------------------------------------------

    def _echo(self, raw: str) -> None:
        """Show a line read from a file or pipe as if typed (comments and checks aside)."""
        if raw.strip() and not raw.lstrip().startswith((":expect", "#")):
            self._print(f"{self.prompt()}{raw.strip()}")

    async def run_script(self, script: str) -> int:
        for number, raw in enumerate(script.splitlines(), start=1):
            self._echo(raw)
            try:
                await self.execute(raw)
            except EOFError:
                return 0
            except ExpectationFailed as failure:
                self._print(_("✗ line {number}: {failure}", number=number, failure=failure))
                return 1
            if self.output_closed:
                return OUTPUT_CLOSED
        return 0

    async def _repl(self) -> int:
        lines = self._open_lines(asyncio.get_running_loop())
        try:
            self._emit(
                _(
                    "Agora console — {community}. You are {name} in #{channel}. "
                    "Type :help for console commands, /help for bot commands.",
                    community=self._require_app().config.bot.name,
                    name=self.current or "-",
                    channel=self.channel,
                )
            )
            return await self._read_eval(lines)
        finally:
            lines.close()

    async def _read_eval(self, lines: LineSource) -> int:
        while not self.output_closed:
            raw = await lines.read(self.prompt())
            if raw is None:
                self.input_closed = True
                return 0
            if not lines.interactive:
                self._echo(raw)
            try:
                await self.execute(raw)
            except EOFError:
                return 0
            except ExpectationFailed as failure:
                self._emit(f"✗ {failure}")
        return OUTPUT_CLOSED


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
    N_(":buttons [N]          the ids of a message's buttons and menus"),
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


def _unchanged(present: bool, *, adding: bool, already: str, absent: str) -> None:
    """Platforms send nothing when nothing would change; neither does the console."""
    if present and adding:
        raise SimulationError(already)
    if not present and not adding:
        raise SimulationError(absent)


def _valid(check: Callable[[str], str], name: str) -> str:
    """A name the console community can hold (see `bot.config`), or why not."""
    try:
        return check(name)
    except Hinted as error:
        raise SimulationError(f"{error.message}: {error.hint}.") from None
