"""The text of recent messages, in memory only, so the question emoji can quote them.

A reaction carries no text, and Agora stores no message content. To turn a message
into a question by reacting ❓ we need its words, so this process keeps the last few
thousand messages' text in memory for a day — never on disk — and a message becomes a
stored title only when someone actually makes it a question. Another instance (or a
restart) may not have the text; the question then opens without a title.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.model import Message, Ref

MAX_MESSAGES = 5000
KEEP_FOR = timedelta(days=1)


class RecentTexts:
    def __init__(self, limit: int = MAX_MESSAGES, keep_for: timedelta = KEEP_FOR) -> None:
        self._texts: OrderedDict[Ref, tuple[datetime, str]] = OrderedDict()
        self._limit = limit
        self._keep_for = keep_for

    def remember(self, message: Message) -> None:
        self._texts[message.ref] = (message.created_at, message.title or message.text)
        self._texts.move_to_end(message.ref)
        while len(self._texts) > self._limit:
            self._texts.popitem(last=False)

    def text_of(self, message: Ref, now: datetime) -> str:
        found = self._texts.get(message)
        if found is None or now - found[0] > self._keep_for:
            return ""
        return found[1]

    def forget(self, message: Ref) -> None:
        self._texts.pop(message, None)


recent_texts = RecentTexts()
