"""Surveys on SQLAlchemy Core: definitions, one response per respondent, audiences."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.polls.store import Question, Response, Survey, SurveyStore
from bot.model import Ref
from storage.repositories import implements
from storage.repositories.polls import upsert
from storage.schema import members
from storage.tables.polls import survey_responses, surveys


def _questions_json(questions: Sequence[Question]) -> str:
    return json.dumps(
        [
            {
                "id": q.id,
                "label": q.label,
                "kind": q.kind,
                "options": list(q.options),
                "required": q.required,
            }
            for q in questions
        ],
        ensure_ascii=False,
    )


def _survey(row: Row[Any]) -> Survey:
    questions = tuple(
        Question(q["id"], q["label"], q["kind"], tuple(q["options"]), bool(q["required"]))
        for q in json.loads(row.questions)
    )
    return Survey(
        id=row.id,
        name=row.name,
        title=row.title,
        questions=questions,
        anonymous=bool(row.anonymous),
        secret=row.secret,
        creator=row.creator_person_id,
        created_at=row.created_at,
        closed_at=row.closed_at,
    )


def _response(row: Row[Any]) -> Response:
    return Response(row.id, row.survey_id, row.person_id, json.loads(row.answers), row.submitted_at)


def _day(moment: datetime) -> datetime:
    """Anonymous answers keep only the day, so their time cannot be matched to activity."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@implements(SurveyStore)
class SqlSurveyStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self,
        *,
        name: str | None,
        title: str,
        questions: Sequence[Question],
        anonymous: bool,
        secret: str,
        creator: int | None,
        at: datetime,
    ) -> Survey:
        created = await self.conn.execute(
            insert(surveys)
            .values(
                name=name,
                title=title,
                questions=_questions_json(questions),
                anonymous=anonymous,
                secret=secret,
                creator_person_id=creator,
                created_at=at,
            )
            .returning(surveys.c.id)
        )
        survey_id = int(created.scalar_one())
        return Survey(
            survey_id, name, title, tuple(questions), anonymous, secret, creator, at, None
        )

    async def get(self, survey_id: int) -> Survey | None:
        row = (await self.conn.execute(select(surveys).where(surveys.c.id == survey_id))).first()
        return _survey(row) if row is not None else None

    async def by_name(self, name: str) -> Survey | None:
        row = (await self.conn.execute(select(surveys).where(surveys.c.name == name))).first()
        return _survey(row) if row is not None else None

    async def redefine(
        self, survey_id: int, title: str, questions: Sequence[Question], anonymous: bool
    ) -> None:
        await self.conn.execute(
            update(surveys)
            .where(surveys.c.id == survey_id)
            .values(title=title, questions=_questions_json(questions), anonymous=anonymous)
        )

    async def all(self) -> Sequence[tuple[Survey, int]]:
        count = (
            select(func.count())
            .where(survey_responses.c.survey_id == surveys.c.id)
            .correlate(surveys)
            .scalar_subquery()
            .label("responses")
        )
        rows = await self.conn.execute(select(surveys, count).order_by(surveys.c.id))
        return [(_survey(r), int(r.responses)) for r in rows]

    async def close(self, survey_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(surveys)
            .where(surveys.c.id == survey_id, surveys.c.closed_at.is_(None))
            .values(closed_at=at)
        )
        return result.rowcount == 1

    async def respond(
        self,
        survey_id: int,
        respondent: str,
        person_id: int | None,
        answers: Mapping[str, str],
        at: datetime,
    ) -> bool:
        mine = and_(
            survey_responses.c.survey_id == survey_id,
            survey_responses.c.respondent == respondent,
        )
        earlier = (await self.conn.execute(select(survey_responses.c.id).where(mine))).first()
        values = {
            "survey_id": survey_id,
            "respondent": respondent,
            "person_id": person_id,
            "answers": json.dumps(dict(answers), ensure_ascii=False, sort_keys=True),
            "submitted_at": at if person_id is not None else _day(at),
        }
        await self.conn.execute(
            upsert(self.conn, survey_responses, ("survey_id", "respondent"), values)
        )
        return earlier is None

    async def responses(self, survey_id: int) -> Sequence[Response]:
        rows = await self.conn.execute(
            select(survey_responses)
            .where(survey_responses.c.survey_id == survey_id)
            .order_by(survey_responses.c.submitted_at, survey_responses.c.respondent)
        )
        return [_response(r) for r in rows]

    async def of_person(self, person_id: int) -> Sequence[tuple[Survey, Response]]:
        rows = await self.conn.execute(
            select(
                surveys,
                survey_responses.c.id.label("response_id"),
                survey_responses.c.survey_id,
                survey_responses.c.person_id,
                survey_responses.c.answers,
                survey_responses.c.submitted_at,
            )
            .join(survey_responses, survey_responses.c.survey_id == surveys.c.id)
            .where(survey_responses.c.person_id == person_id)
            .order_by(surveys.c.id)
        )
        found = []
        for row in rows:
            response = Response(
                row.response_id,
                row.survey_id,
                row.person_id,
                json.loads(row.answers),
                row.submitted_at,
            )
            found.append((_survey(row), response))
        return found

    async def audience(self, platform: str, workspace: str, role: str) -> Sequence[Ref]:
        wanted = role.strip().lower()
        # Roles are a JSON list per member: narrow down in SQL, decide exactly in Python.
        holds: ColumnElement[bool] = func.lower(members.c.roles).contains(f'"{wanted}"')
        rows = await self.conn.execute(
            select(members.c.external_id, members.c.roles)
            .where(
                members.c.platform == platform,
                members.c.workspace == workspace,
                members.c.left_at.is_(None),
                members.c.is_bot.is_(False),
                holds,
            )
            .order_by(members.c.id)
        )
        return [
            Ref(platform, workspace, r.external_id)
            for r in rows
            if wanted in {str(x).lower() for x in json.loads(r.roles or "[]")}
        ]

    async def release_person(self, person_id: int) -> None:
        await self.conn.execute(
            update(surveys)
            .where(surveys.c.creator_person_id == person_id)
            .values(creator_person_id=None)
        )
