"""Whatever members type, what the bot says back neither pings, nor hides a link, nor
carries control characters — for every command of every feature, through the real
dispatcher (Harness), not feature by feature.

On the memory platform the bot's own mentions read `@name`; platform markup such as
`<@123>` or `<!channel>` in a reply can therefore only be a member's text echoed live.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.community import Posted
from bot.context import Context
from bot.model import Context as SmallPrint
from bot.model import Fields, FormSubmitted, Section
from bot.registry import Feature, Registry
from bot.testing import Harness

INJECTIONS = (
    "@everyone",
    "@Here",
    "@channel",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&987654321>",
    "<@U0001>",
    "<#C0001>",
    "[Claim your prize](https://evil.example)",
    "[Claim](<https://evil.example>)",
    "<https://evil.example|Claim your prize>",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r",
    "\u202e",
    "\u2066",
    "\ufeff",
)
PLAIN = ("bob", "@bob", "carol", "#general", "1", "5", "2026-12-24", "18:00", "yes", "--limit")
_MASKED_LINK = re.compile(r"\[[^\[\]]*\]\(\s*<?\s*(?:https?|mailto):|<(?:https?|mailto):[^>]*\|")
_LIVE_MARKUP = re.compile(r"<[@#!]|@(?:everyone|here|channel)\b", re.IGNORECASE)
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")

words = st.one_of(st.sampled_from(INJECTIONS), st.sampled_from(PLAIN), st.text(max_size=12))
texts = st.lists(words, min_size=1, max_size=6).map(" ".join)


def problems(text: str) -> list[str]:
    """What is unsafe in one piece of text the bot sent."""
    found = []
    if _LIVE_MARKUP.search(text):
        found.append(f"live mention {_LIVE_MARKUP.search(text)!r}")
    if _MASKED_LINK.search(text):
        found.append("masked link")
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI:
            found.append(f"control character {ch!r}")
            break
    return found


def pieces(post: Posted) -> Iterator[str]:
    yield post.text
    for block in post.blocks:
        if isinstance(block, Section | SmallPrint):
            yield block.text
        elif isinstance(block, Fields):
            for label, value in block.pairs:
                yield label
                yield value
    yield from (button.label for button in post.buttons)


def unsafe_posts(posts: list[Posted]) -> list[tuple[str, list[str]]]:
    return [
        (text, found)
        for post in posts
        if post.by_bot
        for text in pieces(post)
        if (found := problems(text))
    ]


def _command_names() -> list[str]:
    from bot.features import all_features

    return sorted({spec.name for spec in Registry(all_features()).commands})


class Session:
    """One Harness for many examples: each example costs a dispatch, not a database."""

    def __init__(self, runner: asyncio.Runner, harness: Harness) -> None:
        self.runner = runner
        self.h = harness

    def run(self, coro: Any) -> list[Posted]:
        before = len(self.h.community.posts)
        self.runner.run(coro)
        return self.h.community.posts[before:] + [p for p in self.h.sent if p.edited]


def _session(runner: asyncio.Runner, **kwargs: Any) -> Session:
    harness = Harness(**kwargs)
    runner.run(harness.__aenter__())
    return Session(runner, harness)


def test_no_command_echoes_anything_live() -> None:
    names = _command_names()
    with asyncio.Runner() as runner:
        session = _session(runner)

        @settings(
            max_examples=250,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        )
        @given(
            name=st.sampled_from(names),
            text=texts,
            who=st.sampled_from(("alice", "carol")),
            channel=st.sampled_from(("general", "help")),
        )
        def check(name: str, text: str, who: str, channel: str) -> None:
            sent = session.run(session.h.command(who, f"/{name} {text}", channel=channel))
            assert not unsafe_posts(sent), (name, text)

        try:
            check()
        finally:
            runner.run(session.h.__aexit__(None, None, None))


def test_no_posted_message_is_echoed_live() -> None:
    with asyncio.Runner() as runner:
        session = _session(runner)

        @settings(max_examples=120, deadline=None, database=None)
        @given(
            text=texts,
            who=st.sampled_from(("alice", "bob", "carol")),
            channel=st.sampled_from(("general", "help")),
        )
        def check(text: str, who: str, channel: str) -> None:
            sent = session.run(session.h.say(who, f"thanks @bob {text}", channel=channel))
            assert not unsafe_posts(sent), text

        try:
            check()
        finally:
            runner.run(session.h.__aexit__(None, None, None))


def _echo() -> Feature:
    """A careless feature that repeats what it gets, raw, by concatenation."""
    feature = Feature("echo")

    @feature.form("note")
    async def note(ctx: Context, event: FormSubmitted) -> None:
        await ctx.reply("You wrote: " + event.values["text"], ephemeral=False)

    return feature


async def test_form_answers_are_defused_before_any_feature_sees_them() -> None:
    async with Harness(features=[_echo()]) as h:
        event = FormSubmitted(
            event_id="memory:form:1",
            occurred_at=h.clock.now(),
            actor=h.community.member("carol"),
            form_id="echo:note",
            values={"text": "hi @everyone <@123> [prize](https://evil.example)\x1b[2J"},
            channel=h.community.channel("general"),
        )
        await h.dispatch(event)
        (reply,) = [p for p in h.sent if p.text.startswith("You wrote")]
        assert not problems(reply.text), reply.text
        assert "prize" in reply.text and "evil.example" in reply.text  # still readable


async def test_kudos_from_the_issue() -> None:
    """`/kudos @bob thanks @everyone <!channel> <@123>` once echoed all three live."""
    async with Harness() as h:
        out = await h.command("carol", "/kudos @bob thanks @everyone <!channel> <@123>")
        public = [p for p in out if p.ephemeral_to is None]
        assert public and "@bob" in public[0].text  # the intended mention stays
        assert not unsafe_posts(out), [p.text for p in out]


async def test_an_error_does_not_echo_control_characters() -> None:
    async with Harness() as h:
        out = await h.command("carol", "/profile \x00\x1b[2J\u202eevil")
        assert out and not unsafe_posts(out), [p.text for p in out]
