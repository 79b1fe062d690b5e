"""Onboarding: newcomers' progress, questionnaire answers, mentors and their pairings."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from storage.schema import metadata, person_fk, personal
from storage.types import REF, UTCDateTime

# One row per person who joined while onboarding was on: the rules gate, how far the
# questionnaire got, whether a mentor was found. Kept after onboarding as history.
onboarding_newcomers = personal(
    Table(
        "onboarding_newcomers",
        metadata,
        person_fk(),
        Column("account_ref", REF, nullable=False),
        Column("joined_at", UTCDateTime, nullable=False),
        Column("gated", Boolean, nullable=False),
        Column("agreed_at", UTCDateTime),
        Column("progress", String(16), nullable=False),
        Column("mentor", String(16), nullable=False),
        Column("left_at", UTCDateTime),
        PrimaryKeyConstraint("person_id"),
        Index("ix_onboarding_newcomers_joined_at", "joined_at"),
        Index("ix_onboarding_newcomers_mentor", "mentor"),
    ),
    "person_id",
    "account_ref",
)

# Questionnaire answers: one row per chosen option, or one row holding a free-text
# answer. Free text is member-typed content, stored because collecting it is the
# questionnaire's purpose (shown on /profile); it goes with the person on forget.
onboarding_answers = personal(
    Table(
        "onboarding_answers",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("question_id", String(32), nullable=False),
        Column("value", Text, nullable=False),
        Column("position", Integer, nullable=False, server_default="0"),
        Column("answered_at", UTCDateTime, nullable=False),
        Index("ix_onboarding_answers_person_id", "person_id", "question_id"),
        Index("ix_onboarding_answers_question_id", "question_id"),
    ),
    "person_id",
)

# Mentors on duty (`/mentor on [topics]`); topic "" means any topic.
onboarding_mentors = personal(
    Table(
        "onboarding_mentors",
        metadata,
        person_fk(),
        Column("topic", String(32), nullable=False),
        Column("since", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id", "topic"),
    ),
    "person_id",
)

# Mentor ↔ newcomer pairings, with the accounts that were introduced.
onboarding_pairings = personal(
    Table(
        "onboarding_pairings",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk("newcomer_person_id"),
        person_fk("mentor_person_id"),
        Column("newcomer_ref", REF, nullable=False),
        Column("mentor_ref", REF, nullable=False),
        Column("topic", String(32)),
        Column("status", String(16), nullable=False),
        Column("paired_at", UTCDateTime, nullable=False),
        Column("ended_at", UTCDateTime),
        Column("nudges", Integer, nullable=False, server_default="0"),
        Column("thread_ref", REF),
        Index("ix_onboarding_pairings_mentor_person_id", "mentor_person_id", "status"),
        Index("ix_onboarding_pairings_newcomer_person_id", "newcomer_person_id", "status"),
        sqlite_autoincrement=True,
    ),
    "newcomer_person_id",
    "mentor_person_id",
    "newcomer_ref",
    "mentor_ref",
)
