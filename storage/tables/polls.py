"""Polls, quizzes, recurring polls, surveys and the ideas board.

Content is stored only where the feature cannot work without it, each time because
members must see it again later: a poll's question and options (re-rendered on every
vote and in results), an idea's title and details (the board lists them), a
survey's questions and its answers (what a survey is for). A forgotten member's
answers go; their votes stay counted without their name.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.schema import impersonal, metadata, person_fk, personal
from storage.types import UTCDateTime

# One row per poll or quiz. `secret` keys anonymous ballots while the poll is open
# and is erased at close (see bot/features/polls/anonymity.py).
polls = personal(
    Table(
        "polls",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("question", Text, nullable=False),
        Column("multi", Boolean, nullable=False),
        Column("anonymous", Boolean, nullable=False),
        Column("hidden", Boolean, nullable=False),
        Column("correct", Integer),
        person_fk("creator_person_id", ondelete="SET NULL", index=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("closes_at", UTCDateTime),
        Column("closed_at", UTCDateTime),
        Column("voters", Integer),
        Column("secret", String(64)),
        Column("schedule_id", Integer),
        Index("ix_polls_place", "platform", "workspace", "closed_at"),
        sqlite_autoincrement=True,
    ),
    "creator_person_id",
)

# Options in order; `final_count` is frozen at close (totals survive a member's forget).
poll_options = impersonal(
    Table(
        "poll_options",
        metadata,
        Column("poll_id", ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("label", String(200), nullable=False),
        Column("final_count", Integer),
        PrimaryKeyConstraint("poll_id", "position"),
    )
)

# Open-ballot votes. `slot` is 0 for single-choice polls and the option for multi, so
# the primary key (poll, person, slot) is the database's guarantee of one vote per
# member in a single-choice poll and one per option in a multi-choice one.
poll_votes = personal(
    Table(
        "poll_votes",
        metadata,
        Column("poll_id", ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
        person_fk(),
        Column("slot", Integer, nullable=False),
        Column("option", Integer, nullable=False),
        PrimaryKeyConstraint("poll_id", "person_id", "slot"),
        Index("ix_poll_votes_person_id", "person_id"),
    ),
    "person_id",
)

# Anonymous ballots: an HMAC token instead of a person, no time, no surrogate key.
# Deleted at close, once the counts are frozen.
poll_ballots = impersonal(
    Table(
        "poll_ballots",
        metadata,
        Column("poll_id", ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
        Column("voter", String(64), nullable=False),
        Column("slot", Integer, nullable=False),
        Column("option", Integer, nullable=False),
        PrimaryKeyConstraint("poll_id", "voter", "slot"),
    )
)

# Messages that show a poll or an idea (one per bridged channel), to edit on votes.
poll_posts = impersonal(
    Table(
        "poll_posts",
        metadata,
        Column("kind", String(8), nullable=False),
        Column("item_id", Integer, nullable=False),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("message_id", String(200), nullable=False),
        PrimaryKeyConstraint("kind", "item_id", "platform", "workspace", "message_id"),
    )
)

# Recurring polls: the poll to post (`spec` as JSON) at every fire of `cron`.
poll_schedules = personal(
    Table(
        "poll_schedules",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("spec", Text, nullable=False),
        Column("cron", String(100), nullable=False),
        Column("timezone", String(64), nullable=False),
        Column("duration_seconds", Integer),
        person_fk("creator_person_id", ondelete="SET NULL", index=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("active", Boolean, nullable=False),
        sqlite_autoincrement=True,
    ),
    "creator_person_id",
)

ideas = personal(
    Table(
        "ideas",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("title", String(200), nullable=False),
        Column("details", Text, nullable=False),
        person_fk("author_person_id", ondelete="SET NULL", index=True),
        Column("status", String(16), nullable=False),
        Column("note", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("status_at", UTCDateTime),
        # Support from members who were forgotten since: still counted, nobody named.
        Column("released_votes", Integer, nullable=False),
        Index("ix_ideas_place", "platform", "workspace", "status"),
        sqlite_autoincrement=True,
    ),
    "author_person_id",
)

idea_votes = personal(
    Table(
        "idea_votes",
        metadata,
        Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False),
        person_fk(),
        PrimaryKeyConstraint("idea_id", "person_id"),
        Index("ix_idea_votes_person_id", "person_id"),
    ),
    "person_id",
)

# Surveys from the config file (`name`) or made in chat (numbered). `questions` is
# JSON; `secret` keys respondents so each answers once (kept unlinkable when anonymous).
surveys = personal(
    Table(
        "surveys",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(40)),
        Column("title", String(200), nullable=False),
        Column("questions", Text, nullable=False),
        Column("anonymous", Boolean, nullable=False),
        Column("secret", String(64), nullable=False),
        person_fk("creator_person_id", ondelete="SET NULL", index=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("closed_at", UTCDateTime),
        UniqueConstraint("name", name="uq_surveys_name"),
        sqlite_autoincrement=True,
    ),
    "creator_person_id",
)

# One row per respondent: `answers` is JSON {question id: text}. Anonymous surveys
# leave person_id empty; `respondent` (an HMAC token) still stops double answers.
survey_responses = personal(
    Table(
        "survey_responses",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        Column("respondent", String(64), nullable=False),
        person_fk(nullable=True, index=True),
        Column("answers", Text, nullable=False),
        Column("submitted_at", UTCDateTime, nullable=False),
        UniqueConstraint("survey_id", "respondent", name="uq_survey_responses_respondent"),
    ),
    "person_id",
)
