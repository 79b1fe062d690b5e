"""`agora export survey ID`: every answer of a survey as CSV, for the admin's spreadsheet.

Run from the command line (the CLI calls `export_survey`), so the answers leave the
server only when an admin asks. Anonymous surveys have no member column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from bot.config import AgoraConfig
from bot.context import Context, UserError, Work
from bot.features.polls import surveys
from bot.features.polls.feature import feature
from bot.features.polls.store import Response, Survey
from bot.i18n import _
from bot.model import Level


def survey_csv(survey: Survey, responses: Sequence[Response], names: Mapping[int, str]) -> str:
    """One row per response: when, who (unless anonymous), then one column per question."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    head = [_("submitted")]
    if not survey.anonymous:
        head.append(_("member"))
    writer.writerow(head + [q.label for q in survey.questions])
    for response in responses:
        row = [response.submitted_at.isoformat()]
        if not survey.anonymous:
            row.append(names.get(response.person_id or 0, ""))
        for question in survey.questions:
            answer = response.answers.get(question.id, "")
            row.append(answer.replace(surveys.MULTI_SEPARATOR, "; "))
        writer.writerow(row)
    return buffer.getvalue()


async def export_survey(config: AgoraConfig, handle: str) -> str:
    """The CSV of survey `handle` (a name such as "exit", or a number)."""
    from bot.app import build_app

    app = await build_app(config)
    try:
        if feature.name not in app.runtime.registry.features:
            raise UserError(_("The polls feature is turned off in this configuration."))
        async with app.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(app.runtime, uow), feature, None, level=Level.ADMIN)
            survey = await surveys.find(ctx, handle)
            responses = await surveys.store(ctx).responses(survey.id)
            names: dict[int, str] = {}
            for response in responses:
                person = response.person_id
                if person is not None and person not in names:
                    accounts = await ctx.directory.accounts_of(person)
                    names[person] = accounts[0].label if accounts else ""
            return survey_csv(survey, responses, names)
    finally:
        await app.stop()
