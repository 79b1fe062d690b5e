"""The last few thousand messages' text, in memory only, for auto-hide.

Agora stores no message content. When `auto_hide` deletes a message pending review,
its text must survive in the mod record (so moderators can judge it and a dismissal
can restore it), and a reaction event carries no text: so, only while auto-hide is
on, recent messages are remembered here — bounded in number and age, never written
to disk, gone on restart (a message older than that is then not hidden).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.model import Message, Ref

MAX_MESSAGES = 5000
MAX_AGE = timedelta(days=1)


class RecentMessages:
    def __init__(self, limit: int = MAX_MESSAGES, max_age: timedelta = MAX_AGE) -> None:
        self.limit = limit
        self.max_age = max_age
        self._texts: OrderedDict[Ref, tuple[datetime, str]] = OrderedDict()

    def remember(self, message: Message) -> None:
        self._texts[message.ref] = (message.created_at, message.text)
        self._texts.move_to_end(message.ref)
        while len(self._texts) > self.limit:
            self._texts.popitem(last=False)

    def text(self, ref: Ref, now: datetime) -> str | None:
        found = self._texts.get(ref)
        if found is None or now - found[0] > self.max_age:
            return None
        return found[1]

    def drop(self, ref: Ref) -> None:
        self._texts.pop(ref, None)


RECENT = RecentMessages()
