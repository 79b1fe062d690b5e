"""The polls feature object, apart from its handlers so every module can name it.

Handlers for polls, ideas and surveys live in their own modules and all register on
this one `Feature`; `handlers.py` imports them so discovery finds everything.
"""

from __future__ import annotations

from bot.features.polls.config import PollsConfig
from bot.i18n import N_
from bot.needs import Need
from bot.registry import Feature

feature = Feature(
    "polls",
    config=PollsConfig,
    description=N_("Polls, quizzes, surveys, an ideas board and exit surveys"),
    needs=frozenset({Need.FILES}),  # result charts
)


@feature.requires
def needs(section: PollsConfig) -> set[Need]:
    """The exit survey goes to members as they leave."""
    return {Need.MEMBER_EVENTS} if section.exit_survey else set()
