"""The polls feature: `feature` and every declaration, gathered for discovery.

The declarations live by topic — `poll_handlers` (polls, quizzes, recurring polls),
`idea_handlers` (the ideas board), `survey_handlers` (surveys, exit surveys) — and
register on the one `Feature` from `feature.py`; importing them here is what makes
the feature complete when `bot.features` discovers it.
"""

from __future__ import annotations

from bot.context import Context
from bot.features.polls import idea_handlers, poll_handlers, privacy, survey_handlers
from bot.features.polls.feature import feature
from bot.features.polls.store import PollStore
from bot.i18n import _
from bot.stats import Figure, Window

DECLARATIONS = (poll_handlers, idea_handlers, survey_handlers)


feature.forget(privacy.forget_person)
feature.export(privacy.export_person)


@feature.stats
async def stats(ctx: Context, window: Window) -> list[Figure]:
    """Poll participation for community metrics: how much the community answers."""
    found = await ctx.repo(PollStore).participation(window.start, window.end, window.platform)  # type: ignore[type-abstract]
    group = _("Polls")
    average = found.responses / found.polls if found.polls else None
    return [
        Figure("polls_asked", _("Polls and quizzes asked"), found.polls, group=group),
        Figure("poll_responses", _("Poll answers"), found.responses, group=group),
        Figure("poll_responses_avg", _("Answers per poll"), average, group=group),
        Figure("poll_members", _("Members who voted"), found.members, group=group),
    ]


__all__ = ["DECLARATIONS", "feature"]
