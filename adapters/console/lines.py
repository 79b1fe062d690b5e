"""What one console line means, decided without touching the community.

Kept pure so it can be fuzzed: any string either becomes a `Line` or raises
`LineError` with a sentence for the admin — never anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.args import QUOTES, ArgError, parse_duration, tokenize, unclosed_quote
from bot.i18n import _


class LineError(ValueError):
    """A console line that cannot be run; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Line:
    """A parsed line: `verb` plus the pieces that verb needs.

    Verbs: say, command, as, in, join, leave, role, react, unreact, click, select,
    buttons, submit, tick, who, help, quit, expect, expect-not, reply, channel, nothing.
    """

    verb: str
    text: str = ""
    name: str = ""
    number: int | None = None
    words: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    duration: timedelta | None = None
    negate: bool = False


USAGE = {
    "as": ":as NAME",
    "in": ":in #channel",
    "join": ":join NAME [role…] [via INVITE]",
    "leave": ":leave NAME",
    "role": ":role NAME [-]ROLE",
    "react": ":react [N] EMOJI",
    "unreact": ":unreact [N] EMOJI",
    "click": ":click [N] BUTTON",
    "select": ":select [N] OPTION…",
    "buttons": ":buttons [N]",
    "submit": ":submit FIELD=VALUE…",
    "tick": ":tick DURATION",
    "reply": ":reply N TEXT",
    "channel": ":channel NAME",
    "expect": ":expect TEXT",
    "expect-not": ":expect-not TEXT",
}

SIMPLE = {"who", "help", "quit", "exit"}


def _usage(verb: str) -> LineError:
    return LineError(_("Write it as {usage}", usage=USAGE[verb]))


def _split(rest: str) -> list[str]:
    try:
        return tokenize(rest)
    except ArgError as error:
        raise LineError(str(error)) from None


def _numbered(words: list[str]) -> tuple[int | None, list[str]]:
    """Split an optional leading message number (`5` or `[5]`) off the words."""
    if words:
        head = words[0].strip("[]")
        if head.isascii() and head.isdigit() and len(head) < 10:
            return int(head), words[1:]
    return None, words


def parse_line(raw: str) -> Line:
    line = raw.strip()
    if not line or line.startswith("#"):
        return Line("nothing")
    if line.startswith("/"):
        if len(line) == 1 or line[1].isspace():
            raise LineError(_("Type a command name after the slash, e.g. /help."))
        return Line("command", text=line)
    if not line.startswith(":"):
        return Line("say", text=line)
    verb, _sep, rest = line[1:].partition(" ")
    verb = verb.lower()
    rest = rest.strip()
    if verb in SIMPLE:
        return Line("quit" if verb == "exit" else verb)
    if verb in ("expect", "expect-not"):
        if not rest:
            raise _usage(verb)
        return Line("expect", text=rest, negate=verb == "expect-not")
    if verb not in USAGE:
        raise LineError(_("Unknown console command :{verb}. Type :help for the list.", verb=verb))
    return _parse_verb(verb, rest)


def _parse_verb(verb: str, rest: str) -> Line:
    words = _split(rest)
    if verb in ("as", "leave", "channel"):
        if len(words) != 1:
            raise _usage(verb)
        return Line(verb, name=words[0].lstrip("@#"))
    if verb == "in":
        if len(words) != 1:
            raise _usage(verb)
        return Line(verb, name=words[0].lstrip("#"))
    if verb == "join":
        if not words:
            raise _usage(verb)
        return Line(verb, name=words[0].lstrip("@"), words=tuple(words[1:]))
    if verb == "role":
        if len(words) != 2:
            raise _usage(verb)
        role = words[1]
        return Line(verb, name=words[0].lstrip("@"), text=role.lstrip("-+"), negate=role[0] == "-")
    if verb in ("react", "unreact"):
        number, words = _numbered(words)
        if len(words) != 1:
            raise _usage(verb)
        return Line("react", number=number, text=words[0], negate=verb == "unreact")
    if verb == "click":
        number, words = _numbered(words)
        if not words:
            raise _usage(verb)
        return Line(verb, number=number, text=" ".join(words))
    if verb == "select":
        number, words = _numbered(words)
        if not words:
            raise _usage(verb)
        return Line(verb, number=number, words=tuple(words))
    if verb == "buttons":
        number, words = _numbered(words)
        if words:
            raise _usage(verb)
        return Line(verb, number=number)
    if verb == "submit":
        return Line(verb, values=_pairs(rest))
    if verb == "reply":
        number, words = _numbered(words)
        if number is None or not words:
            raise _usage(verb)
        return Line(verb, number=number, text=rest.split(None, 1)[1] if " " in rest else "")
    # tick
    if len(words) != 1:
        raise _usage(verb)
    try:
        return Line(verb, duration=parse_duration(words[0]))
    except ArgError as error:
        raise LineError(str(error)) from None


_FIELD = re.compile(r"\s*([^\s=]+)=")


def _pairs(rest: str) -> tuple[tuple[str, str], ...]:
    """`a=1 why="I like it" topics=x,y` → pairs; quotes may wrap a value with spaces."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    while rest[pos:].strip():
        match = _FIELD.match(rest, pos)
        if match is None:
            word = rest[pos:].split()[0]
            raise LineError(
                _(
                    "{word!r} is not FIELD=VALUE. Quote values with spaces: "
                    ':submit why="I like it"',
                    word=word,
                )
            )
        value, pos = _value(rest, match.end())
        pairs.append((match.group(1), value))
    return tuple(pairs)


def _value(rest: str, start: int) -> tuple[str, int]:
    """The value at `start` (quoted, or up to the next space) and where it ends."""
    if start < len(rest) and rest[start] in QUOTES:
        close = QUOTES[rest[start]]
        end = rest.find(close, start + 1)
        if end < 0:
            raise LineError(str(unclosed_quote(close)))
        return rest[start + 1 : end], end + 1
    end = start
    while end < len(rest) and not rest[end].isspace():
        end += 1
    return rest[start:end], end
