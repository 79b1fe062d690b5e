"""Workaround: slack-bolt 1.30 drops slash commands whose text contains "payload".

`slack_bolt.request.internals.parse_body` treats any urlencoded body containing the
substring "payload" as an interactivity request and parses `/kudos thanks for the
payload docs` to `{}`; bolt then answers 404 and the command never runs. Members
will type that word, so HTTP-mode requests are built with `FormSafeRequest`, which
re-parses such bodies as the plain form they are and rebuilds bolt's context from
them. Signature checks still run on the untouched raw body.

Only bolt's public request class is used: the context is built by parsing the fixed
fields as a Socket Mode request would be (a dict body), so a refactor of bolt's
internals cannot break this quietly.

To drop this once bolt is fixed: use `AsyncBoltRequest` in `receiver.py` and delete
this module; `tests/adapters/slack/test_slack_bolt_fix.py` fails as soon as that is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request.async_request import AsyncBoltRequest


def misparsed_form(raw_body: str, content_type: str | None) -> dict[str, str] | None:
    """The fields bolt should have parsed, or None when bolt parses `raw_body` right."""
    if not raw_body or raw_body.startswith("{") or content_type == "application/json":
        return None
    if "payload" not in raw_body:
        return None
    fields = dict(parse_qsl(raw_body, keep_blank_values=True))
    return None if "payload" in fields else fields


class FormSafeRequest(AsyncBoltRequest):
    """An `AsyncBoltRequest` that parses a slash command mentioning "payload" correctly."""

    def __init__(
        self,
        *,
        body: str | dict[str, Any],
        query: str | dict[str, str] | dict[str, Sequence[str]] | None = None,
        headers: dict[str, str | Sequence[str]] | None = None,
        context: dict[str, Any] | None = None,
        mode: str = "http",
    ) -> None:
        super().__init__(body=body, query=query, headers=headers, context=context, mode=mode)
        if mode == "http" and isinstance(body, str):
            fixed = misparsed_form(self.raw_body, self.content_type)
            if fixed is not None:
                parsed = AsyncBoltRequest(body=fixed, context=context, mode="socket_mode")
                self.body = parsed.body
                self.context = parsed.context

    def to_copyable(self) -> FormSafeRequest:
        """Lazy listeners copy the request; the copy must be parsed the same way."""
        return FormSafeRequest(
            body=self.raw_body if self.mode == "http" else self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
            mode=self.mode,
        )
