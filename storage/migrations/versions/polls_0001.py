"""polls: polls, options, votes, anonymous ballots, posts, schedules, ideas, surveys

Revision ID: polls_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

from storage.types import UTCDateTime

revision: str = "polls_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("polls",)
depends_on: str | Sequence[str] | None = None


def _creator(table: str, column: str = "creator_person_id") -> list[SchemaItem]:
    return [
        sa.Column(column, sa.Integer()),
        sa.ForeignKeyConstraint(
            [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete="SET NULL"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("multi", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("correct", sa.Integer()),
        *_creator("polls"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("voters", sa.Integer()),
        sa.Column("secret", sa.String(64)),
        sa.Column("schedule_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_polls"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_polls_creator_person_id", "polls", ["creator_person_id"])
    op.create_index("ix_polls_place", "polls", ["platform", "workspace", "closed_at"])
    op.create_table(
        "poll_options",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("final_count", sa.Integer()),
        sa.PrimaryKeyConstraint("poll_id", "position", name="pk_poll_options"),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name="fk_poll_options_poll_id_polls", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "person_id", "slot", name="pk_poll_votes"),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name="fk_poll_votes_poll_id_polls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_poll_votes_person_id_persons",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_poll_votes_person_id", "poll_votes", ["person_id"])
    op.create_table(
        "poll_ballots",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "voter", "slot", name="pk_poll_ballots"),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name="fk_poll_ballots_poll_id_polls", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "poll_posts",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "item_id", "platform", "workspace", "message_id", name="pk_poll_posts"
        ),
    )
    op.create_table(
        "poll_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("cron", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("duration_seconds", sa.Integer()),
        *_creator("poll_schedules"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_poll_schedules"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_poll_schedules_creator_person_id", "poll_schedules", ["creator_person_id"])
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        *_creator("ideas", "author_person_id"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status_at", UTCDateTime()),
        sa.Column("released_votes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ideas"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ideas_author_person_id", "ideas", ["author_person_id"])
    op.create_index("ix_ideas_place", "ideas", ["platform", "workspace", "status"])
    op.create_table(
        "idea_votes",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("idea_id", "person_id", name="pk_idea_votes"),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name="fk_idea_votes_idea_id_ideas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_idea_votes_person_id_persons",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_idea_votes_person_id", "idea_votes", ["person_id"])
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        *_creator("surveys"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_surveys"),
        sa.UniqueConstraint("name", name="uq_surveys_name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_surveys_creator_person_id", "surveys", ["creator_person_id"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer()),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_survey_responses"),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name="fk_survey_responses_survey_id_surveys",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_survey_responses_person_id_persons",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("survey_id", "respondent", name="uq_survey_responses_respondent"),
    )
    op.create_index("ix_survey_responses_person_id", "survey_responses", ["person_id"])


def downgrade() -> None:
    op.drop_table("survey_responses")
    op.drop_table("surveys")
    op.drop_table("idea_votes")
    op.drop_table("ideas")
    op.drop_table("poll_schedules")
    op.drop_table("poll_posts")
    op.drop_table("poll_ballots")
    op.drop_table("poll_votes")
    op.drop_table("poll_options")
    op.drop_table("polls")
