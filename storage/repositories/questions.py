"""Questions, replies, volunteers, drafts and the FAQ index, on SQLite and PostgreSQL.

State changes are conditional UPDATEs (`… WHERE state IN (…)`), so a double click, a
reaction and a button racing, or two instances firing one job change a question once.
Full-text search is the one place the dialects differ: FTS5 on SQLite, a tsvector
built from the same normalised words on PostgreSQL (`array_to_tsvector`, so neither
the server's locale nor its text-search parser can split words differently).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.questions.search import SearchTerm
from bot.features.questions.store import (
    CloseReason,
    Draft,
    Drafts,
    Faq,
    FaqCandidate,
    Helpers,
    Listing,
    NewQuestion,
    Question,
    QuestionFacts,
    Questions,
    Replies,
    Reply,
    Solution,
    Source,
    State,
)
from bot.model import MemberRecord, Ref
from storage.repositories import implements
from storage.repositories.core import _JOINED, _MEMBER_COLUMNS, _record
from storage.schema import members
from storage.sql import insert_ignore
from storage.tables.questions import (
    FTS_TABLE,
    question_deflections,
    question_drafts,
    question_helpers,
    question_replies,
    questions,
)

_UNSOLVED = (State.OPEN.value, State.ANSWERED.value)


def _ref(value: str | None) -> Ref | None:
    return Ref.parse(value) if value else None


def _text(ref: Ref | None) -> str | None:
    return str(ref) if ref is not None else None


def _question(row: Row[Any]) -> Question:
    channel = Ref.parse(row.channel_ref)
    return Question(
        id=row.id,
        channel=channel,
        message=_ref(row.message_ref),
        thread=_ref(row.thread_ref),
        asker=_ref(row.asker_ref),
        asker_person_id=row.asker_person_id,
        title=row.title,
        topic=row.topic,
        source=Source(row.source),
        state=State(row.state),
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
        first_response_at=row.first_response_at,
        solved_at=row.solved_at,
        closed_at=row.closed_at,
        close_reason=CloseReason(row.close_reason) if row.close_reason else None,
        duplicate_of=row.duplicate_of,
        answerer=_ref(row.answerer_ref),
        answerer_person_id=row.answerer_person_id,
        accepted_by_person_id=row.accepted_by_person_id,
        escalation=row.escalation,
        locale=row.locale,
    )


_QUESTION_COLUMNS = [c for c in questions.c if c.name != "search_vector"]


@implements(Questions)
class SqlQuestions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(self, new: NewQuestion) -> Question:
        result = await self.conn.execute(
            insert(questions)
            .values(
                platform=new.channel.platform,
                channel_ref=str(new.channel),
                message_ref=_text(new.message),
                asker_person_id=new.asker_person_id,
                asker_ref=str(new.asker),
                title=new.title,
                topic=new.topic,
                source=new.source.value,
                state=State.OPEN.value,
                created_at=new.created_at,
                last_activity_at=new.created_at,
                locale=new.locale,
            )
            .returning(questions.c.id)
        )
        found = await self.get(int(result.scalar_one()))
        assert found is not None
        return found

    async def get(self, question_id: int) -> Question | None:
        row = (
            await self.conn.execute(select(*_QUESTION_COLUMNS).where(questions.c.id == question_id))
        ).first()
        return _question(row) if row is not None else None

    async def at_place(self, refs: Sequence[Ref]) -> Question | None:
        wanted = [str(r) for r in refs]
        if not wanted:
            return None
        query = (
            select(*_QUESTION_COLUMNS)
            .where(or_(questions.c.thread_ref.in_(wanted), questions.c.message_ref.in_(wanted)))
            .order_by(questions.c.id.desc())
        )
        row = (await self.conn.execute(query)).first()
        return _question(row) if row is not None else None

    async def set_post(self, question_id: int, message: Ref | None, thread: Ref | None) -> None:
        await self.conn.execute(
            update(questions)
            .where(questions.c.id == question_id)
            .values(message_ref=_text(message), thread_ref=_text(thread))
        )

    async def _change(self, question_id: int, states: Sequence[str], **values: Any) -> bool:
        result = await self.conn.execute(
            update(questions)
            .where(questions.c.id == question_id, questions.c.state.in_(states))
            .values(**values)
        )
        return result.rowcount == 1

    async def answered(self, question_id: int, at: datetime) -> bool:
        return await self._change(
            question_id,
            [State.OPEN.value],
            state=State.ANSWERED.value,
            first_response_at=at,
            last_activity_at=at,
        )

    async def touch(self, question_id: int, at: datetime) -> None:
        await self.conn.execute(
            update(questions).where(questions.c.id == question_id).values(last_activity_at=at)
        )

    async def solve(self, question_id: int, at: datetime, solution: Solution) -> bool:
        return await self._change(
            question_id,
            _UNSOLVED,
            state=State.SOLVED.value,
            solved_at=at,
            last_activity_at=at,
            answerer_person_id=solution.answerer_person_id,
            answerer_ref=_text(solution.answerer),
            answer_message_ref=_text(solution.answer_message),
            accepted_by_person_id=solution.accepted_by_person_id,
        )

    async def close(
        self,
        question_id: int,
        at: datetime,
        reason: CloseReason,
        by_person_id: int | None,
        duplicate_of: int | None = None,
    ) -> bool:
        return await self._change(
            question_id,
            _UNSOLVED,
            state=State.CLOSED.value,
            closed_at=at,
            last_activity_at=at,
            close_reason=reason.value,
            closed_by_person_id=by_person_id,
            duplicate_of=duplicate_of,
        )

    async def reopen(self, question_id: int, at: datetime) -> State | None:
        found = await self.get(question_id)
        if found is None or found.state.unsolved:
            return None
        state = State.ANSWERED if found.first_response_at is not None else State.OPEN
        changed = await self._change(
            question_id,
            [State.SOLVED.value, State.CLOSED.value],
            state=state.value,
            last_activity_at=at,
            solved_at=None,
            closed_at=None,
            close_reason=None,
            duplicate_of=None,
            answerer_person_id=None,
            answerer_ref=None,
            answer_message_ref=None,
            accepted_by_person_id=None,
            closed_by_person_id=None,
            escalation=0,
        )
        return state if changed else None

    async def escalate(self, question_id: int, level: int) -> bool:
        result = await self.conn.execute(
            update(questions)
            .where(questions.c.id == question_id, questions.c.escalation < level)
            .values(escalation=level)
        )
        return result.rowcount == 1

    async def listing(
        self,
        kind: Listing,
        *,
        person_id: int | None = None,
        topic: str | None = None,
        limit: int = 20,
    ) -> list[Question]:
        query = select(*_QUESTION_COLUMNS)
        newest_first = False
        if kind is Listing.MINE:
            query = query.where(questions.c.asker_person_id == person_id)
            newest_first = True
        elif kind is Listing.UNANSWERED:
            query = query.where(questions.c.state == State.OPEN.value)
        else:
            query = query.where(questions.c.state.in_(_UNSOLVED))
            if kind is Listing.TOPIC:
                query = query.where(questions.c.topic == topic)
        order = questions.c.created_at.desc() if newest_first else questions.c.created_at
        rows = await self.conn.execute(query.order_by(order, questions.c.id).limit(limit))
        return [_question(r) for r in rows]

    async def facts(
        self, since: datetime, until: datetime, platform: str | None = None
    ) -> list[QuestionFacts]:
        query = select(
            questions.c.topic,
            questions.c.state,
            questions.c.created_at,
            questions.c.first_response_at,
            questions.c.solved_at,
        ).where(questions.c.created_at >= since, questions.c.created_at < until)
        if platform is not None:
            query = query.where(questions.c.platform == platform)
        rows = await self.conn.execute(query.order_by(questions.c.created_at))
        return [
            QuestionFacts(r.topic, State(r.state), r.created_at, r.first_response_at, r.solved_at)
            for r in rows
        ]

    async def unanswered_now(self, platform: str | None = None) -> int:
        query = (
            select(func.count()).select_from(questions).where(questions.c.state == State.OPEN.value)
        )
        if platform is not None:
            query = query.where(questions.c.platform == platform)
        return int((await self.conn.execute(query)).scalar_one())

    async def of_person(self, person_id: int) -> list[Question]:
        rows = await self.conn.execute(
            select(*_QUESTION_COLUMNS)
            .where(questions.c.asker_person_id == person_id)
            .order_by(questions.c.id)
        )
        return [_question(r) for r in rows]

    async def anonymize(self, person_id: int) -> list[int]:
        asked = [
            int(r.id)
            for r in await self.conn.execute(
                select(questions.c.id).where(questions.c.asker_person_id == person_id)
            )
        ]
        await SqlFaq(self.conn).unindex(asked)
        await self.conn.execute(
            update(questions)
            .where(questions.c.asker_person_id == person_id)
            .values(asker_person_id=None, asker_ref=None, title="", search_vector=None)
        )
        await self.conn.execute(
            update(questions)
            .where(questions.c.answerer_person_id == person_id)
            .values(answerer_person_id=None, answerer_ref=None)
        )
        for column in ("accepted_by_person_id", "closed_by_person_id"):
            await self.conn.execute(
                update(questions).where(questions.c[column] == person_id).values({column: None})
            )
        return asked


def _reply(row: Row[Any]) -> Reply:
    return Reply(
        Ref.parse(row.message_ref),
        row.question_id,
        row.person_id,
        Ref.parse(row.account_ref),
        row.at,
    )


@implements(Replies)
class SqlReplies:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, reply: Reply) -> bool:
        before = (
            await self.conn.execute(
                select(question_replies.c.message_ref)
                .where(
                    question_replies.c.question_id == reply.question_id,
                    question_replies.c.person_id == reply.person_id,
                )
                .limit(1)
            )
        ).first()
        await self.conn.execute(
            insert_ignore(self.conn, question_replies, "message_ref").values(
                message_ref=str(reply.message),
                question_id=reply.question_id,
                person_id=reply.person_id,
                account_ref=str(reply.account),
                at=reply.at,
            )
        )
        return before is None

    async def get(self, message: Ref) -> Reply | None:
        row = (
            await self.conn.execute(
                select(question_replies).where(question_replies.c.message_ref == str(message))
            )
        ).first()
        return _reply(row) if row is not None else None

    async def latest(self, question_id: int, excluding_person: int | None) -> Reply | None:
        query = select(question_replies).where(question_replies.c.question_id == question_id)
        if excluding_person is not None:
            query = query.where(question_replies.c.person_id != excluding_person)
        order = (question_replies.c.at.desc(), question_replies.c.message_ref.desc())
        row = (await self.conn.execute(query.order_by(*order).limit(1))).first()
        return _reply(row) if row is not None else None

    async def count_by(self, person_id: int) -> int:
        query = (
            select(func.count())
            .select_from(question_replies)
            .where(question_replies.c.person_id == person_id)
        )
        return int((await self.conn.execute(query)).scalar_one())


@implements(Helpers)
class SqlHelpers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def volunteer(self, person_id: int, topics: Sequence[str], at: datetime) -> None:
        rows = [{"person_id": person_id, "topic": t, "since": at} for t in topics or [""]]
        await self.conn.execute(
            insert_ignore(self.conn, question_helpers, "person_id", "topic"), rows
        )

    async def retire(self, person_id: int, topics: Sequence[str]) -> int:
        query = delete(question_helpers).where(question_helpers.c.person_id == person_id)
        if topics:
            query = query.where(question_helpers.c.topic.in_(list(topics)))
        return int((await self.conn.execute(query)).rowcount)

    async def topics_of(self, person_id: int) -> list[str]:
        rows = await self.conn.execute(
            select(question_helpers.c.topic)
            .where(question_helpers.c.person_id == person_id)
            .order_by(question_helpers.c.topic)
        )
        return [r.topic for r in rows]

    async def volunteers(self, topic: str | None) -> list[int]:
        wanted = ["", topic] if topic else [""]
        rows = await self.conn.execute(
            select(question_helpers.c.person_id)
            .where(question_helpers.c.topic.in_(wanted))
            .distinct()
            .order_by(question_helpers.c.person_id)
        )
        return [int(r.person_id) for r in rows]

    async def members_with(
        self, roles: Sequence[str], names: Sequence[str], platforms: Sequence[str]
    ) -> list[MemberRecord]:
        if not (roles or names) or not platforms:
            return []
        lowered = [n.lower() for n in names]
        conditions = [func.lower(members.c.roles).contains(f'"{r.lower()}"') for r in roles]
        if lowered:
            conditions.append(func.lower(members.c.name).in_(lowered))
            conditions.append(members.c.external_id.in_(list(names)))
        query = (
            select(*_MEMBER_COLUMNS)
            .select_from(_JOINED)
            .where(
                members.c.platform.in_(list(platforms)),
                members.c.left_at.is_(None),
                members.c.is_bot.is_(False),
                or_(*conditions),
            )
            .order_by(members.c.id)
        )
        return [_record(r) for r in await self.conn.execute(query)]


@implements(Drafts)
class SqlDrafts:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def save(
        self,
        person_id: int,
        asker: Ref,
        channel: Ref,
        title: str,
        topic: str | None,
        at: datetime,
    ) -> int:
        result = await self.conn.execute(
            insert(question_drafts)
            .values(
                person_id=person_id,
                asker_ref=str(asker),
                channel_ref=str(channel),
                title=title,
                topic=topic,
                created_at=at,
            )
            .returning(question_drafts.c.id)
        )
        return int(result.scalar_one())

    async def take(self, draft_id: int, person_id: int) -> Draft | None:
        mine = and_(question_drafts.c.id == draft_id, question_drafts.c.person_id == person_id)
        row = (await self.conn.execute(select(question_drafts).where(mine))).first()
        if row is None:
            return None
        result = await self.conn.execute(delete(question_drafts).where(mine))
        if result.rowcount != 1:
            return None
        return Draft(
            row.id,
            row.person_id,
            Ref.parse(row.asker_ref),
            Ref.parse(row.channel_ref),
            row.title,
            row.topic,
            row.created_at,
        )

    async def prune(self, before: datetime) -> int:
        result = await self.conn.execute(
            delete(question_drafts).where(question_drafts.c.created_at < before)
        )
        return int(result.rowcount)


_FTS_DELETE = text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_FTS_INSERT = text(f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (:id, :terms)")
# The index holds only solved questions, so ranking runs over FTS5 alone (bm25, best
# first) and the join merely re-checks the state and fetches the columns.
# Up to `cap` matches with their bm25 score (lower is better); scoring is per row.
_FTS_TIER = text(
    f"SELECT rowid AS id, rank AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match LIMIT :cap"
).columns(id=Integer(), score=Float())
# Too many matches to rank cheaply: the newest of them (streamed, nothing scored).
_FTS_NEWEST = text(
    f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
    "ORDER BY rowid DESC LIMIT :limit"
).columns(id=Integer())
# Ranking (bm25 / ts_rank) scores every match: a tier with more matches than this is
# returned newest first instead, unranked (coverage re-ranking still orders it).
RANK_AT_MOST = 500


@dataclass(frozen=True, slots=True)
class _Syntax:
    """How one full-text dialect writes a word, a prefix, AND and OR."""

    exact: str
    prefix: str
    all_of: str
    any_of: str


_FTS5 = _Syntax(exact='"{w}"', prefix='"{s}"*', all_of=" AND ", any_of=" OR ")
_TSQUERY = _Syntax(exact="'{w}'", prefix="'{s}':*", all_of=" & ", any_of=" | ")


def _term(term: SearchTerm, syntax: _Syntax) -> str:
    """The word, its prefix stem or one of its roots (indexed beside the words)."""
    exact = [term.word] if term.stem != term.word else []  # else the prefix covers it
    words = [syntax.exact.format(w=w) for w in dict.fromkeys([*exact, *term.roots])]
    prefix = syntax.prefix.format(s=term.stem)
    return "(" + syntax.any_of.join([*words, prefix]) + ")" if words else prefix


def _tier(terms: Sequence[SearchTerm], size: int, syntax: _Syntax) -> str:
    """Match documents having at least `size` of `terms`: OR of every AND of `size`."""
    written = [_term(t, syntax) for t in terms]
    return syntax.any_of.join(
        "(" + syntax.all_of.join(group) + ")" for group in combinations(written, size)
    )


def _candidate(row: Row[Any]) -> FaqCandidate:
    return FaqCandidate(
        row.id,
        row.title,
        _ref(row.message_ref),
        _ref(row.thread_ref),
        Ref.parse(row.channel_ref),
    )


_CANDIDATE_COLUMNS = (
    questions.c.id,
    questions.c.title,
    questions.c.message_ref,
    questions.c.thread_ref,
    questions.c.channel_ref,
)


@implements(Faq)
class SqlFaq:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @property
    def postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    async def index(self, question_id: int, terms: Sequence[str]) -> None:
        await self.unindex([question_id])
        if not terms:
            return
        if self.postgres:
            vector = func.array_to_tsvector(bindparam("terms", list(terms), type_=ARRAY(Text)))
            await self.conn.execute(
                update(questions).where(questions.c.id == question_id).values(search_vector=vector)
            )
        else:
            await self.conn.execute(_FTS_INSERT, {"id": question_id, "terms": " ".join(terms)})

    async def unindex(self, question_ids: Sequence[int]) -> None:
        if not question_ids:
            return
        if self.postgres:
            await self.conn.execute(
                update(questions)
                .where(questions.c.id.in_(list(question_ids)))
                .values(search_vector=None)
            )
        else:
            await self.conn.execute(_FTS_DELETE, {"ids": list(question_ids)})

    async def candidates(
        self, terms: Sequence[SearchTerm], needed: int, limit: int
    ) -> list[FaqCandidate]:
        if not terms:
            return []
        lowest = min(max(needed, 1), len(terms))
        for size in range(len(terms), lowest - 1, -1):
            if self.postgres:
                found = await self._postgres_tier(_tier(terms, size, _TSQUERY), limit)
            else:
                found = await self._sqlite_tier(_tier(terms, size, _FTS5), limit)
            if found is not None:
                return found
        return []

    async def _sqlite_tier(self, match: str, limit: int) -> list[FaqCandidate] | None:
        params = {"match": match, "cap": RANK_AT_MOST, "limit": limit}
        scored = (await self.conn.execute(_FTS_TIER, params)).all()
        if not scored:
            return None
        if len(scored) < RANK_AT_MOST:
            ids = [r.id for r in sorted(scored, key=lambda r: (r.score, -r.id))[:limit]]
        else:
            ids = [r.id for r in await self.conn.execute(_FTS_NEWEST, params)]
        return await self._in_order(ids)

    async def _postgres_tier(self, match: str, limit: int) -> list[FaqCandidate] | None:
        tsquery = cast(bindparam("q", match, type_=Text), TSQUERY)
        where = (
            questions.c.state == State.SOLVED.value,
            questions.c.search_vector.op("@@")(tsquery),
        )
        score = func.ts_rank(questions.c.search_vector, tsquery).label("score")
        query = select(questions.c.id, score).where(*where).limit(RANK_AT_MOST)
        scored = (await self.conn.execute(query)).all()
        if not scored:
            return None
        if len(scored) < RANK_AT_MOST:
            ids = [r.id for r in sorted(scored, key=lambda r: (-r.score, -r.id))[:limit]]
        else:
            newest = select(questions.c.id).where(*where).order_by(questions.c.id.desc())
            ids = [r.id for r in await self.conn.execute(newest.limit(limit))]
        return await self._in_order(ids)

    async def _in_order(self, ids: list[int]) -> list[FaqCandidate]:
        """The solved questions `ids`, in that order."""
        query = select(*_CANDIDATE_COLUMNS).where(
            questions.c.id.in_(ids), questions.c.state == State.SOLVED.value
        )
        found = {r.id: _candidate(r) for r in await self.conn.execute(query)}
        return [found[i] for i in ids if i in found]

    async def deflected(self, at: datetime, platform: str, topic: str | None) -> None:
        await self.conn.execute(
            insert(question_deflections).values(at=at, platform=platform, topic=topic)
        )

    async def deflections(self, since: datetime, until: datetime, platform: str | None) -> int:
        query = (
            select(func.count())
            .select_from(question_deflections)
            .where(question_deflections.c.at >= since, question_deflections.c.at < until)
        )
        if platform is not None:
            query = query.where(question_deflections.c.platform == platform)
        return int((await self.conn.execute(query)).scalar_one())
