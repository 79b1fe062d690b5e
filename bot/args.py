"""Typed command arguments and the parser that turns a command line into values.

Text platforms (Slack, console) send one line; Discord sends typed options. Both end
here so a command behaves the same everywhere. Parsing is pure and synchronous (so
it can be fuzzed); resolving members and channels against the directory is a second,
async step done by the dispatcher.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.i18n import _
from bot.text import defuse


class ArgError(ValueError):
    """A command line that does not fit the command; the message is for the member."""


class ArgKind(StrEnum):
    MEMBER = "member"
    CHANNEL = "channel"
    WORD = "word"
    TEXT = "text"
    INT = "int"
    CHOICE = "choice"
    DURATION = "duration"
    LIST = "list"
    FLAG = "flag"
    DATETIME = "datetime"


# Values a member might mean by what they typed so far (for platforms that suggest as
# members type, like Discord's autocomplete); pure and quick, at most `SUGGESTIONS`.
Completer = Callable[[str], Sequence[str]]
SUGGESTIONS = 25


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A value to offer, and what the picker shows for it (`#3 Which day?` for `3`)."""

    value: str
    label: str = ""


# Suggestions read from the community's data (open polls, upcoming events): called
# with a `bot.context.Context` of the member typing and what they typed so far
# (`bot.suggestions`).
Lookup = Callable[[Any, str], Awaitable[Sequence[Suggestion]]]


def matching(typed: str, candidates: Sequence[Suggestion]) -> list[Suggestion]:
    """The candidates a member means by `typed`: a number (`3`, `#3`) by the start of
    the value, words by every word somewhere in the label; in the order given."""
    wanted = typed.strip().lstrip("#").casefold()
    if not wanted:
        return list(candidates[:SUGGESTIONS])
    words = wanted.split()
    found = [
        c
        for c in candidates
        if c.value.casefold().startswith(wanted)
        or all(w in (c.label or c.value).casefold() for w in words)
    ]
    return found[:SUGGESTIONS]


@dataclass(frozen=True, slots=True)
class Arg:
    """One declared argument. `option=True` makes it a `--name value` (or `--flag`).

    `labels` name the `choices` (msgids, in the same order) where a platform shows a
    picker; members still type the choices themselves. `complete` suggests values from
    what was typed alone, `lookup` from the community's data.
    """

    name: str
    kind: ArgKind
    help: str = ""
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    option: bool = False
    # An optional positional argument that lets a word it does not accept pass to the
    # next one: `/leaderboard support` is the default period with the topic "support".
    passes: bool = False
    # A WORD must match this (whole word) when set: `\d{4}-\d{2}` for a month.
    pattern: str = ""
    labels: tuple[str, ...] = ()
    complete: Completer | None = None
    lookup: Lookup | None = None

    def __post_init__(self) -> None:
        if self.labels and len(self.labels) != len(self.choices):
            raise ValueError(f"argument {self.name}: one label per choice")

    def label(self, choice: str) -> str:
        """The msgid naming `choice` (the choice itself when it has no label)."""
        if self.labels and choice in self.choices:
            return self.labels[self.choices.index(choice)]
        return choice

    @property
    def key(self) -> str:
        """The handler's parameter name: `--all-platforms` arrives as `all_platforms`."""
        return self.name.replace("-", "_")

    @property
    def greedy(self) -> bool:
        return self.kind in (ArgKind.TEXT, ArgKind.LIST)

    def usage(self) -> str:
        if self.kind is ArgKind.FLAG:
            return f"[--{self.name}]"
        shown = f"--{self.name} {self.name.upper()}" if self.option else self._shape()
        return shown if self.required else f"[{shown}]"

    def _shape(self) -> str:
        if self.kind is ArgKind.MEMBER:
            return f"@{self.name}"
        if self.kind is ArgKind.CHANNEL:
            return f"#{self.name}"
        if self.kind is ArgKind.CHOICE:
            return "|".join(self.choices)
        if self.kind is ArgKind.LIST:
            return f"{self.name}…"
        return f"<{self.name}>"


def MemberArg(name: str, help: str = "", *, required: bool = True) -> Arg:
    return Arg(name, ArgKind.MEMBER, help, required)


def ChannelArg(name: str, help: str = "", *, required: bool = True, option: bool = False) -> Arg:
    return Arg(name, ArgKind.CHANNEL, help, required, option=option)


def WordArg(
    name: str,
    help: str = "",
    *,
    required: bool = True,
    default: str | None = None,
    complete: Completer | None = None,
    lookup: Lookup | None = None,
    pattern: str = "",
    passes: bool = False,
) -> Arg:
    return Arg(
        name,
        ArgKind.WORD,
        help,
        required,
        default,
        complete=complete,
        lookup=lookup,
        pattern=pattern,
        passes=passes,
    )


def TextArg(name: str, help: str = "", *, required: bool = True, default: str = "") -> Arg:
    return Arg(name, ArgKind.TEXT, help, required, default)


def IntArg(
    name: str,
    help: str = "",
    *,
    required: bool = True,
    default: int | None = None,
    min: int | None = None,
    max: int | None = None,
    option: bool = False,
    lookup: Lookup | None = None,
) -> Arg:
    return Arg(
        name, ArgKind.INT, help, required, default, min=min, max=max, option=option, lookup=lookup
    )


def ChoiceArg(
    name: str,
    choices: Sequence[str],
    help: str = "",
    *,
    required: bool = True,
    default: str | None = None,
    labels: Sequence[str] = (),
    passes: bool = False,
) -> Arg:
    return Arg(
        name,
        ArgKind.CHOICE,
        help,
        required,
        default,
        tuple(choices),
        labels=tuple(labels),
        passes=passes,
    )


def DurationArg(name: str, help: str = "", *, required: bool = True, option: bool = False) -> Arg:
    return Arg(name, ArgKind.DURATION, help, required, option=option)


def DateTimeArg(name: str, help: str = "", *, required: bool = True, option: bool = False) -> Arg:
    return Arg(name, ArgKind.DATETIME, help, required, option=option)


def ListArg(name: str, help: str = "", *, min: int | None = None, max: int | None = None) -> Arg:
    return Arg(name, ArgKind.LIST, help, True, min=min, max=max)


def FlagArg(name: str, help: str = "") -> Arg:
    return Arg(name, ArgKind.FLAG, help, False, False, option=True)


# --- tokenizing ---------------------------------------------------------------------

# Opening quote → its closing quote.
QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "”": "”"}


def unclosed_quote(close: str) -> ArgError:
    return ArgError(_("A quote is not closed. Add the closing {quote} and try again.", quote=close))


def tokenize(text: str) -> list[str]:
    """Split like a shell, but friendlier: smart quotes work, apostrophes in words too.

    A quote only opens a quoted token at the start of a token, so `don't` stays one
    word. An unclosed quote is an error the member can fix.
    """
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in QUOTES:
            close = QUOTES[ch]
            end = text.find(close, i + 1)
            if end < 0:
                raise unclosed_quote(close)
            tokens.append(text[i + 1 : end])
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        tokens.append(text[i:j])
        i = j
    return tokens


# --- value conversion ---------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|min|s)", re.IGNORECASE | re.ASCII)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}
MAX_DURATION = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """`90m`, `2h`, `1h30m`, `2d`, `1w` → timedelta. Bare numbers mean minutes."""
    raw = text.strip().lower()
    if raw.isascii() and raw.isdigit():
        seconds = int(raw) * 60
    else:
        pos, seconds = 0, 0
        for match in _DURATION_PART.finditer(raw):
            if raw[pos : match.start()].strip():
                break
            seconds += int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
            pos = match.end()
        if pos == 0 or raw[pos:].strip():
            raise ArgError(
                _("{value!r} is not a duration. Try 30m, 2h, 1h30m, 2d or 1w.", value=text)
            )
    if seconds <= 0:
        raise ArgError(_("A duration must be longer than zero."))
    if seconds > MAX_DURATION.total_seconds():
        raise ArgError(_("That duration is too long (ten years at most)."))
    return timedelta(seconds=seconds)


def parse_datetime(text: str) -> datetime:
    """ISO date or date-time (`2026-12-01`, `2026-12-01T18:00`, `2026-12-01 18:00`)."""
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise ArgError(
            _("{value!r} is not a date. Use 2026-12-01 or 2026-12-01T18:00.", value=text)
        ) from None


_MENTION = re.compile(r"^<@!?&?([A-Za-z0-9_.\-]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([A-Za-z0-9_.\-]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True, slots=True)
class MemberToken:
    """A member as typed: an id (from a mention) or a name; resolved later."""

    text: str
    is_id: bool


@dataclass(frozen=True, slots=True)
class ChannelToken:
    text: str
    is_id: bool


def member_token(raw: str) -> MemberToken:
    match = _MENTION.match(raw)
    if match:
        return MemberToken(match.group(1), True)
    name = raw.lstrip("@").strip()
    if not name:
        raise ArgError(_("Name a member, for example @carol."))
    return MemberToken(name, False)


def channel_token(raw: str) -> ChannelToken:
    match = _CHANNEL.match(raw)
    if match:
        return ChannelToken(match.group(1), True)
    name = raw.lstrip("#").strip()
    if not name:
        raise ArgError(_("Name a channel, for example #general."))
    return ChannelToken(name, False)


def convert(arg: Arg, raw: str) -> Any:
    """Turn one raw string into the argument's value (members stay tokens)."""
    if arg.kind is ArgKind.MEMBER:
        return member_token(raw)
    if arg.kind is ArgKind.CHANNEL:
        return channel_token(raw)
    if arg.kind is ArgKind.INT:
        try:
            value = int(raw)
        except ValueError:
            raise ArgError(
                _("{name} must be a whole number, not {value!r}.", name=arg.name, value=raw)
            ) from None
        if arg.min is not None and value < arg.min:
            raise ArgError(_("{name} must be at least {min}.", name=arg.name, min=arg.min))
        if arg.max is not None and value > arg.max:
            raise ArgError(_("{name} must be at most {max}.", name=arg.name, max=arg.max))
        return value
    if arg.kind is ArgKind.CHOICE:
        lowered = raw.lower()
        for choice in arg.choices:
            if choice.lower() == lowered:
                return choice
        raise ArgError(
            _("{value!r} is not one of: {choices}.", value=raw, choices=", ".join(arg.choices))
        )
    if arg.kind is ArgKind.DURATION:
        return parse_duration(raw)
    if arg.kind is ArgKind.DATETIME:
        return parse_datetime(raw)
    if arg.kind is ArgKind.FLAG:
        return raw.lower() in ("1", "true", "yes", "on", "")
    if arg.pattern and not re.fullmatch(arg.pattern, raw):
        raise ArgError(
            _("{value!r} is not a valid {name} ({help}).", value=raw, name=arg.name, help=arg.help)
        )
    return raw


def accepts(arg: Arg, raw: str) -> bool:
    """Whether `raw` is a value `arg` takes (for an argument that `passes` the others on)."""
    if arg.kind is ArgKind.CHOICE:
        return raw.lower() in (c.lower() for c in arg.choices)
    if arg.kind is ArgKind.WORD and arg.pattern:
        return re.fullmatch(arg.pattern, raw) is not None
    return True


def _passes_on(arg: Arg, rest: Sequence[str], later: Sequence[Arg]) -> bool:
    """An optional argument leaves a word it does not accept to the arguments after it,
    when they can take every word left (else the word is an error of this argument)."""
    if not arg.passes or arg.required or accepts(arg, rest[0]):
        return False
    return any(a.greedy for a in later) or len(rest) <= len(later)


def _check_list(arg: Arg, values: list[str]) -> list[str]:
    if arg.min is not None and len(values) < arg.min:
        raise ArgError(_("Give at least {min} {name}.", min=arg.min, name=arg.name))
    if arg.max is not None and len(values) > arg.max:
        raise ArgError(_("Give at most {max} {name}.", max=arg.max, name=arg.name))
    return values


def parse_args(
    args: Sequence[Arg], text: str = "", options: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse a command line (or typed options) into `{name: value}`.

    Raises `ArgError` with a sentence the member can act on; never anything else.
    """
    if options is not None:
        return _from_options(args, options)
    tokens = tokenize(text)
    by_option = {a.name: a for a in args if a.option}
    positional = [a for a in args if not a.option]
    values: dict[str, Any] = {}
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--") and len(token) > 2:
            name, eq, inline = token[2:].partition("=")
            arg = by_option.get(name)
            if arg is None:
                known = ", ".join(f"--{n}" for n in by_option) or _("none")
                raise ArgError(
                    _("Unknown option --{name}. Options here: {known}.", name=name, known=known)
                )
            if arg.kind is ArgKind.FLAG:
                if eq:
                    raise ArgError(_("--{name} is a switch: write it without a value.", name=name))
                values[arg.key] = True
            elif eq:
                if not inline:
                    raise ArgError(_("--{name} needs a value.", name=name))
                values[arg.key] = convert(arg, inline)
            else:
                if i + 1 >= len(tokens):
                    raise ArgError(_("--{name} needs a value.", name=name))
                i += 1
                values[arg.key] = convert(arg, tokens[i])
        else:
            rest.append(token)
        i += 1
    for index, arg in enumerate(positional):
        if rest and _passes_on(arg, rest, positional[index + 1 :]):
            values[arg.key] = arg.default
            continue
        if arg.greedy:
            taken, rest = rest, []
            if arg.kind is ArgKind.LIST:
                values[arg.key] = _check_list(arg, taken)
            elif taken:
                values[arg.key] = " ".join(taken)
            continue
        if rest:
            values[arg.key] = convert(arg, rest.pop(0))
        elif not arg.required:
            values[arg.key] = arg.default
        else:
            raise ArgError(_("Missing {arg}.", arg=arg.usage()))
    if rest:
        raise ArgError(_("Too many words: {extra}.", extra=" ".join(rest)))
    return _fill_defaults(args, values)


def echo_safe(args: Sequence[Arg], values: dict[str, Any]) -> dict[str, Any]:
    """The free text a member typed (text, words, lists) `defuse`d: features may echo
    it however they like without pinging anyone or hiding a link."""
    for arg in args:
        value = values.get(arg.key)
        if arg.kind in (ArgKind.TEXT, ArgKind.WORD) and isinstance(value, str):
            values[arg.key] = defuse(value)
        elif arg.kind is ArgKind.LIST and isinstance(value, list):
            values[arg.key] = [defuse(item) for item in value]
    return values


def _from_options(args: Sequence[Arg], options: Mapping[str, str]) -> dict[str, Any]:
    names = {a.name for a in args}
    unknown = [k for k in options if k not in names]
    if unknown:
        raise ArgError(_("Unknown option {name}.", name=unknown[0]))
    values: dict[str, Any] = {}
    for arg in args:
        if arg.name not in options:
            continue
        raw = options[arg.name]
        if arg.kind is ArgKind.LIST:
            values[arg.key] = _check_list(arg, tokenize(raw))
        else:
            values[arg.key] = convert(arg, raw)
    return _fill_defaults(args, values)


def _fill_defaults(args: Sequence[Arg], values: dict[str, Any]) -> dict[str, Any]:
    for arg in args:
        if arg.key in values:
            continue
        if arg.required and arg.kind is not ArgKind.TEXT and not arg.option:
            raise ArgError(_("Missing {arg}.", arg=arg.usage()))
        if arg.kind is ArgKind.TEXT and arg.required:
            raise ArgError(_("Missing {arg}.", arg=arg.usage()))
        values[arg.key] = arg.default
    return values


def usage(name: str, args: Sequence[Arg]) -> str:
    return " ".join([f"/{name}", *(a.usage() for a in args)])
