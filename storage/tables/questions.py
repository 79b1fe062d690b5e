"""Question tracking: questions, the replies they got, volunteers, drafts, deflections.

Full-text search uses each database's own engine: an FTS5 virtual table on SQLite
(`questions_fts`, created by raw DDL next to `questions`, holding only the words of
solved questions' titles) and a `tsvector` column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from storage.schema import external, impersonal, metadata, person_fk, personal
from storage.types import REF, UTCDateTime

# Only PostgreSQL has a tsvector; on SQLite the column exists but stays empty.
SearchVector = Text().with_variant(TSVECTOR(), "postgresql")


questions = personal(
    Table(
        "questions",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("channel_ref", REF, nullable=False),
        Column("message_ref", REF),
        Column("thread_ref", REF),
        person_fk("asker_person_id", ondelete="SET NULL"),
        Column("asker_ref", REF),
        # The question as asked. Stored although Agora keeps no message content
        # otherwise, because the feature cannot work without it: FAQ search matches
        # new questions against solved ones' titles, and /questions lists them. It is
        # erased (set to "") when the asker is forgotten (GDPR), with its index entry.
        Column("title", Text, nullable=False, server_default=""),
        Column("topic", String(32)),
        Column("source", String(16), nullable=False),
        Column("state", String(16), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("last_activity_at", UTCDateTime, nullable=False),
        Column("first_response_at", UTCDateTime),
        Column("solved_at", UTCDateTime),
        Column("closed_at", UTCDateTime),
        Column("close_reason", String(16)),
        Column("duplicate_of", Integer),
        person_fk("answerer_person_id", ondelete="SET NULL"),
        Column("answerer_ref", REF),
        Column("answer_message_ref", REF),
        person_fk("accepted_by_person_id", ondelete="SET NULL"),
        person_fk("closed_by_person_id", ondelete="SET NULL"),
        Column("escalation", Integer, nullable=False, server_default="0"),
        Column("locale", String(16)),
        Column("search_vector", SearchVector),
        Index("ix_questions_state_created_at", "state", "created_at"),
        Index("ix_questions_created_at", "created_at"),
        Index("ix_questions_thread_ref", "thread_ref"),
        Index("ix_questions_message_ref", "message_ref"),
        Index("ix_questions_asker_person_id", "asker_person_id"),
        # GIN on PostgreSQL; on SQLite a plain index over an always-empty column.
        # fastupdate off: questions are solved a few times an hour, searched far more
        # often, and a search must not scan a pending list of unmerged entries.
        Index(
            "ix_questions_search_vector",
            "search_vector",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        # Question numbers are shown to members: never hand out a number twice.
        sqlite_autoincrement=True,
    ),
    "asker_person_id",
    "answerer_person_id",
    "accepted_by_person_id",
    "closed_by_person_id",
    "asker_ref",
    "answerer_ref",
)

# Facts about replies in a question's thread (never their text): who answered, so an
# answer can be accepted by reacting to it and its author credited.
question_replies = personal(
    Table(
        "question_replies",
        metadata,
        Column("message_ref", REF, nullable=False),
        Column(
            "question_id",
            ForeignKey("questions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        person_fk(),
        Column("account_ref", REF, nullable=False),
        Column("at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("message_ref"),
        Index("ix_question_replies_question_id_at", "question_id", "at"),
        Index("ix_question_replies_person_id", "person_id"),
    ),
    "person_id",
    "account_ref",
)

# Members who volunteered with `/helper on [topics]`; topic "" means every topic.
question_helpers = personal(
    Table(
        "question_helpers",
        metadata,
        person_fk(),
        Column("topic", String(32), nullable=False),
        Column("since", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id", "topic"),
        Index("ix_question_helpers_topic", "topic"),
    ),
    "person_id",
)

# A question between /ask and "post anyway" (FAQ suggestions shown). The title is kept
# only until the member decides; stale drafts are pruned daily.
question_drafts = personal(
    Table(
        "question_drafts",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("asker_ref", REF, nullable=False),
        Column("channel_ref", REF, nullable=False),
        Column("title", Text, nullable=False),
        Column("topic", String(32)),
        Column("created_at", UTCDateTime, nullable=False, index=True),
    ),
    "person_id",
    "asker_ref",
)

# "That solved it": a question the FAQ answered before it was posted. No person.
question_deflections = impersonal(
    Table(
        "question_deflections",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime, nullable=False, index=True),
        Column("platform", String(16), nullable=False),
        Column("topic", String(32)),
    )
)

# SQLite's full-text index of solved questions: rowid = questions.id, `terms` = the
# normalised words of the title (see bot/features/questions/search.py).
FTS_TABLE = "questions_fts"
FTS_CREATE = f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(terms, prefix='4 5 6')"
FTS_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"
external(FTS_TABLE, shadows=("data", "idx", "content", "docsize", "config"))

event.listen(questions, "after_create", DDL(FTS_CREATE).execute_if(dialect="sqlite"))
event.listen(questions, "before_drop", DDL(FTS_DROP).execute_if(dialect="sqlite"))
