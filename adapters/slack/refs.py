"""Slack identities as core `Ref`s, event ids for dedup, and the reply token.

Slack ids are unique inside one workspace, and a message `ts` only inside its
channel, so a message ref carries both: `Ref("slack", "T0001", "C0002/1748858700.000200")`.
A Slack thread *is* its root message (replies carry `thread_ts`), so the ref of a
thread is the ref of its root message, and sending to it posts in the thread.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bot.model import Platform, Ref

PLATFORM = Platform.SLACK.value
EPHEMERAL_TS = "eph-"


def member_ref(team: str, user: str) -> Ref:
    return Ref(PLATFORM, team, user)


def channel_ref(team: str, channel: str) -> Ref:
    return Ref(PLATFORM, team, channel)


def message_ref(team: str, channel: str, ts: str) -> Ref:
    return Ref(PLATFORM, team, f"{channel}/{ts}")


def split(ref: Ref) -> tuple[str, str | None]:
    """(channel id, ts or None) of a channel, thread or message ref."""
    channel, _sep, ts = ref.id.partition("/")
    return channel, ts or None


def is_ephemeral(ts: str | None) -> bool:
    """Ephemeral replies have no real ts: Slack cannot edit, delete or link them."""
    return ts is not None and ts.startswith(EPHEMERAL_TS)


def event_id(team: str, kind: str, *parts: str) -> str:
    """A dedup key that is the same for every delivery of one thing Slack sent.

    Events use Slack's `event_id`; slash commands and interactions have none, so they
    use `trigger_id`, which is the same in a retried delivery and new for every click.
    """
    return ":".join([PLATFORM, team, kind, *parts])


def fingerprint(payload: Any) -> str:
    """A stable id for a payload that lacks every natural id (malformed but signed)."""
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class ReplyToken:
    """What the core carries back to the port in `reply_token`, opaque to the core.

    - `trigger_id` lets `open_form` call `views.open` (valid ~3 s after the click);
    - `response_url` reaches the member where they acted, even in channels the bot
      is not in (valid 30 minutes, 5 uses);
    - `channel` remembers where a form was opened, so its answer lands there.
    """

    trigger_id: str | None = None
    response_url: str | None = None
    channel: str | None = None

    def encode(self) -> str | None:
        data = {
            k: v
            for k, v in (("t", self.trigger_id), ("r", self.response_url), ("c", self.channel))
            if v
        }
        return json.dumps(data, separators=(",", ":")) if data else None

    @classmethod
    def decode(cls, token: str | None) -> ReplyToken:
        if not token:
            return cls()
        try:
            data = json.loads(token)
        except ValueError:
            return cls(trigger_id=token)
        if not isinstance(data, dict):
            return cls()
        return cls(
            trigger_id=_text(data.get("t")),
            response_url=_text(data.get("r")),
            channel=_text(data.get("c")),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
