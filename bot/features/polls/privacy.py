"""What the polls feature does for data requests: forget and export a person.

Forgetting keeps what others see honest: votes in running polls stay counted (as
anonymous ballots), idea support stays counted, closed results were frozen at close.
What goes: the person's name on polls, ideas and surveys they made, their survey
answers and every vote that names them (the schema-wide erase removes those rows).
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.features.polls.store import IdeaStore, PollStore, ScheduleStore, SurveyStore
from bot.i18n import _


async def forget_person(ctx: Context, person_id: int) -> None:
    await ctx.repo(PollStore).release_person(person_id)  # type: ignore[type-abstract]
    await ctx.repo(ScheduleStore).release_person(person_id)  # type: ignore[type-abstract]
    await ctx.repo(IdeaStore).release_person(person_id)  # type: ignore[type-abstract]
    await ctx.repo(SurveyStore).release_person(person_id)  # type: ignore[type-abstract]


async def export_person(ctx: Context, person_id: int) -> dict[str, Any]:
    votes = await ctx.repo(PollStore).votes_of(person_id)  # type: ignore[type-abstract]
    proposed, supported = await ctx.repo(IdeaStore).of_person(person_id)  # type: ignore[type-abstract]
    answered = await ctx.repo(SurveyStore).of_person(person_id)  # type: ignore[type-abstract]
    return {
        "poll_votes": [
            {
                "poll": poll.id,
                "question": poll.spec.question,
                "choices": [poll.spec.options[i] for i in chosen if i < len(poll.spec.options)],
            }
            for poll, chosen in votes
        ],
        "ideas_proposed": [
            {"idea": i.id, "title": i.title, "details": i.details, "status": i.status.value}
            for i in proposed
        ],
        "ideas_supported": [{"idea": i.id, "title": i.title} for i in supported],
        "survey_answers": [
            {
                "survey": survey.handle,
                "title": survey.title,
                "submitted_at": response.submitted_at.isoformat(),
                "answers": {
                    q.label: response.answers[q.id]
                    for q in survey.questions
                    if q.id in response.answers
                },
            }
            for survey, response in answered
        ],
        "not_included": _(
            "Votes in anonymous polls and answers to anonymous surveys are stored without "
            "any link to you, so nobody (Agora included) can find them to export."
        ),
    }
