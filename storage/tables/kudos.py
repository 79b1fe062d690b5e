"""Kudos: every kudos given, running totals, badges, the facts badges count, spotlights.

Everything is keyed by person, so a member linked across Discord and Slack has one
balance. When a giver is forgotten their kudos stay counted for the receivers
(`giver_person_id` becomes NULL, their reason is erased); when a receiver is
forgotten, what they received goes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from storage.schema import metadata, person_fk, personal
from storage.types import REF, UTCDateTime

kudos = personal(
    Table(
        "kudos",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk("giver_person_id", ondelete="SET NULL"),
        person_fk("receiver_person_id"),
        Column("points", Integer, nullable=False),
        Column("source", String(16), nullable=False),
        Column("platform", String(16), nullable=False),
        Column("emoji", String(64)),
        # The thanked message (reactions, "thanks @…" messages): a reaction's kudos is
        # found again by it when the reaction is removed. A reference, never content.
        Column("message_ref", REF),
        Column("topic", String(64)),
        # The giver's own words for why (`/kudos @bob for the review`). Stored although
        # Agora keeps no message content otherwise: a reason is what the kudos is, it is
        # shown again in /kudos history and spotlight citations. Erased when the giver
        # is forgotten (the kudos itself stays counted for the receiver).
        Column("reason", Text),
        Column("given_at", UTCDateTime, nullable=False),
        # The giver's account was new (joined less than `new_account_days` before):
        # kudos from new accounts to one receiver are capped (sock-puppet clusters).
        Column("from_new_account", Boolean, nullable=False, server_default=false()),
        # Allowance and cooldown: a giver's kudos since a moment; with the source, the
        # count of kudos a person chose to give (badges, after every kudos) reads only it.
        Index("ix_kudos_giver_given_at_source", "giver_person_id", "given_at", "source"),
        # /kudos me, /kudos history, badges.
        Index("ix_kudos_receiver_person_id_given_at", "receiver_person_id", "given_at"),
        # Week and month leaderboards read only this index (covering).
        Index("ix_kudos_given_at_receiver", "given_at", "receiver_person_id", "points"),
        # Topic leaderboards, likewise covering.
        Index("ix_kudos_topic_given_at", "topic", "given_at", "receiver_person_id", "points"),
        # One kudos per giver, receiver and message: a replayed reaction or a second
        # kudos emoji on the same message gives nothing more. NULLs (commands) never clash.
        UniqueConstraint(
            "message_ref", "giver_person_id", "receiver_person_id", name="uq_kudos_message_ref"
        ),
        # Ids are shown to moderators (/kudos remove ID): never hand one out twice.
        sqlite_autoincrement=True,
    ),
    "giver_person_id",
    "receiver_person_id",
)

# Kudos a moderator removed (`/kudos remove ID [reason]`): the kudos as it was, who
# removed it, when and why — the audit `/kudos history` shows moderators. The kudos'
# id is kept (it was shown to moderators) but is no key: the row itself is gone.
# A forgotten giver or moderator becomes NULL here as in `kudos` (their words too);
# a forgotten receiver's removals go with them.
kudos_removals = personal(
    Table(
        "kudos_removals",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kudos_id", Integer, nullable=False),
        person_fk("giver_person_id", ondelete="SET NULL"),
        person_fk("receiver_person_id"),
        Column("points", Integer, nullable=False),
        Column("source", String(16), nullable=False),
        Column("platform", String(16), nullable=False),
        Column("emoji", String(64)),
        Column("topic", String(64)),
        Column("reason", Text),
        Column("given_at", UTCDateTime, nullable=False),
        person_fk("removed_by_person_id", ondelete="SET NULL"),
        Column("removed_at", UTCDateTime, nullable=False),
        Column("removal_reason", Text),
        Index("ix_kudos_removals_giver", "giver_person_id", "given_at"),
        Index("ix_kudos_removals_receiver", "receiver_person_id", "given_at"),
    ),
    "giver_person_id",
    "receiver_person_id",
    "removed_by_person_id",
)

# Members who keep their kudos off public boards (`/kudos privacy on`): they keep
# their kudos and badges, but leaderboards and spotlights do not show them.
kudos_privacy = personal(
    Table(
        "kudos_privacy",
        metadata,
        person_fk(),
        Column("hidden_since", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id"),
    ),
    "person_id",
)

# Kudos farming reported to the moderators: one row per reported member and kind
# (`ring`: the lowest person id of the circle; `newcomers`: the receiver), so each is
# reported once per `trade_days` however many kudos the pause refuses meanwhile.
kudos_alerts = personal(
    Table(
        "kudos_alerts",
        metadata,
        person_fk(),
        Column("kind", String(16), nullable=False),
        Column("reported_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id", "kind"),
    ),
    "person_id",
)

# Points received, all time — in total (topic "") and per topic — so all-time boards
# never sum a million rows. Deliberately not unique per person: linking two accounts
# moves both persons' rows to one (nothing is dropped), and readers always SUM.
kudos_totals = personal(
    Table(
        "kudos_totals",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("topic", String(64), nullable=False),
        Column("points", Integer, nullable=False),
        Index("ix_kudos_totals_topic_person_id", "topic", "person_id", "points"),
    ),
    "person_id",
)

kudos_badges = personal(
    Table(
        "kudos_badges",
        metadata,
        person_fk(),
        Column("badge", String(40), nullable=False),
        Column("awarded_at", UTCDateTime, nullable=False),
        # The key is what makes a badge awarded once, however many events race.
        PrimaryKeyConstraint("person_id", "badge"),
    ),
    "person_id",
)

# What badges and the spotlight count besides kudos: accepted answers, quizzes
# answered right and accurate flags (`subject` is the question, poll or case), and
# newcomers welcomed and mentored (`subject` names the newcomer as `person:ID`,
# rewritten to an anonymous token when the newcomer is forgotten).
kudos_facts = personal(
    Table(
        "kudos_facts",
        metadata,
        person_fk(),
        Column("kind", String(16), nullable=False),
        Column("subject", String(64), nullable=False),
        Column("at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id", "kind", "subject"),
        Index("ix_kudos_facts_kind_at", "kind", "at"),
    ),
    "person_id",
)

# Days in a row a member posted, in their own time zone.
kudos_streaks = personal(
    Table(
        "kudos_streaks",
        metadata,
        person_fk(),
        Column("last_day", Date, nullable=False),
        Column("length", Integer, nullable=False),
        Column("best", Integer, nullable=False),
        PrimaryKeyConstraint("person_id"),
    ),
    "person_id",
)

# One spotlight per period ("2026-01" or "2026-W02"), picked by the job or an admin.
# An admin's pick for the running period waits unposted (`posted_at` NULL) with the
# admin's `citation`, and the job posts it when the period ends.
kudos_spotlights = personal(
    Table(
        "kudos_spotlights",
        metadata,
        Column("period", String(16), nullable=False),
        person_fk(),
        Column("score", Float, nullable=False),
        Column("source", String(8), nullable=False),
        Column("posted_at", UTCDateTime),
        Column("citation", Text),
        PrimaryKeyConstraint("period"),
        Index("ix_kudos_spotlights_posted_at", "posted_at"),
    ),
    "person_id",
)
