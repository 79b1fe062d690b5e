"""`[features.growth]`: referrals, reward roles and the ambassador pipeline.

Defaults work without roles on the platform: `/invite` gives members a tracked link
(Discord, console) or a personal referral code (Slack), and a newcomer who stays a
week and writes five messages earns both of them kudos. Reward roles and the
pipeline's tracks name roles that must exist on Discord; Slack keeps them as perks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator, model_validator

from bot.config import AgoraConfig, FeatureConfig, Problem, Section
from bot.i18n import _
from bot.needs import Need

_TRACK = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class RoleRule(Section):
    """`[[features.growth.roles]]`: a role granted when every threshold set is reached."""

    role: str = Field(min_length=1, max_length=100)
    # Kudos points received, all time (0: not a condition).
    kudos: int = Field(0, ge=0, le=1_000_000)
    # Accepted answers to questions (0: not a condition).
    accepted_answers: int = Field(0, ge=0, le=100_000)
    # Taken back (with a polite note) after this many days without a message; 0: kept.
    inactive_days: int = Field(0, ge=0, le=3650)
    # Taken back when the member falls below a threshold again (kudos removed).
    remove_below: bool = True

    @model_validator(mode="after")
    def _some_threshold(self) -> RoleRule:
        if not (self.kudos or self.accepted_answers):
            raise ValueError(
                _(
                    "the role {role!r} has no threshold; set kudos or accepted_answers",
                    role=self.role,
                )
            )
        return self

    def describe(self) -> dict[str, int]:
        """The thresholds set, by name (for messages and the audit log)."""
        found = {"kudos": self.kudos, "accepted_answers": self.accepted_answers}
        return {k: v for k, v in found.items() if v}


class GrowthConfig(FeatureConfig):
    # --- referrals -------------------------------------------------------------------
    # Channel the invite links of /invite lead to (Discord, console).
    invite_channel: str = Field("general", min_length=1, max_length=100)
    # Days an invite link stays valid; 0: it never expires.
    invite_max_age_days: int = Field(0, ge=0, le=365)
    # Joins an invite link allows; 0: unlimited.
    invite_max_uses: int = Field(0, ge=0, le=1000)
    # Days after joining during which a newcomer may still enter a code (/referral).
    claim_days: int = Field(14, ge=1, le=365)
    # The newcomer must stay this many days …
    qualify_days: int = Field(7, ge=1, le=365)
    # … and write this many messages (fake accounts rarely do both).
    qualify_messages: int = Field(5, ge=0, le=10_000)
    # Days after which a referral that never qualified is given up.
    expire_days: int = Field(60, ge=1, le=730)
    # Kudos points each of the two earns when a referral qualifies (0: none).
    reward_kudos: int = Field(5, ge=0, le=1000)
    # A kudos badge id both earn ("" for none); must be one of [features.kudos] badges.
    reward_badge: str = Field("", max_length=40)
    # A role both earn ("" for none); a stored perk where the platform has no roles.
    reward_role: str = Field("", max_length=100)
    # Referrals a member may have waiting at once (against invite farming).
    max_pending: int = Field(20, ge=1, le=1000)

    # --- reward roles ----------------------------------------------------------------
    roles: list[RoleRule] = Field(default_factory=list)
    # When the thresholds are reviewed (cron, community time zone); only with roles.
    review_cron: str = "0 * * * *"
    # Channel where new roles are announced ("" : only a DM to the member).
    announce_channel: str = Field("general", max_length=100)

    # --- ambassador pipeline ---------------------------------------------------------
    # When the rising-contributors report goes to the admins ("" : never).
    report_cron: str = "0 9 * * MON"
    # The admins' channel for that report and the members' answers ("" : no weekly
    # post, /growth report only; answers go to the inviting admin by DM).
    report_channel: str = Field("", max_length=100)
    # Days the report looks back (and compares with the days before).
    report_days: int = Field(7, ge=1, le=90)
    # Members the report names at most.
    report_size: int = Field(5, ge=1, le=25)
    # Tracks members can be invited to: track name → role granted on accepting.
    tracks: dict[str, str] = Field(
        default_factory=lambda: {
            "helpers": "Helper",
            "moderators": "Moderator",
            "ambassadors": "Ambassador",
        }
    )

    @field_validator("tracks")
    @classmethod
    def _track_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, role in value.items():
            if not _TRACK.match(name):
                raise ValueError(
                    _(
                        "{name!r} is not a track name; use lowercase letters, digits, - or _",
                        name=name,
                    )
                )
            if not role.strip():
                raise ValueError(_("the track {name!r} names no role", name=name))
        return value

    def rule(self, role: str) -> RoleRule | None:
        wanted = role.casefold()
        return next((r for r in self.roles if r.role.casefold() == wanted), None)


def check_growth(section: GrowthConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Settings that validate alone but clash with each other or with kudos."""
    if not section.enabled:
        return
    seen: set[str] = set()
    for rule in section.roles:
        key = rule.role.casefold()
        if key in seen:
            yield Problem(
                "features.growth.roles",
                None,
                _("the role {role!r} has two rules", role=rule.role),
                _("merge them into one rule with every threshold"),
            )
        seen.add(key)
        if key in {r.casefold() for r in section.tracks.values()}:
            yield Problem(
                "features.growth.roles",
                None,
                _(
                    "{role!r} is both a reward role and a pipeline track role; the review "
                    "would take back what a member accepted",
                    role=rule.role,
                ),
                _("use different role names"),
            )
    if section.qualify_days >= section.expire_days:
        yield Problem(
            "features.growth.expire_days",
            None,
            _("referrals are given up before they can qualify"),
            _("make expire_days larger than qualify_days"),
        )
    rewards = section.reward_kudos or section.reward_badge or section.reward_role
    if not rewards:
        yield Problem(
            "features.growth.reward_kudos",
            None,
            _("a qualified referral earns nothing"),
            _("set reward_kudos, reward_badge or reward_role"),
        )
    yield from _check_kudos(section, config)


def _check_kudos(section: GrowthConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Kudos and badges are granted by the kudos feature: it must be on and know the badge."""
    if not (section.reward_kudos or section.reward_badge):
        return
    from bot.features import feature_models  # discovery at check time only, never an import

    model = feature_models().get("kudos")
    kudos: Any = config.feature("kudos", model) if model is not None else None
    if kudos is None or not kudos.enabled:
        yield Problem(
            "features.growth.reward_kudos",
            None,
            _("referral rewards in kudos or badges need the kudos feature"),
            _('enable [features.kudos], or set reward_kudos = 0 and reward_badge = ""'),
        )
        return
    badges = {badge.id for badge in getattr(kudos, "badges", ())}
    if section.reward_badge and section.reward_badge not in badges:
        yield Problem(
            "features.growth.reward_badge",
            None,
            _("there is no kudos badge {badge!r}", badge=section.reward_badge),
            _("use one of: {ids}", ids=", ".join(sorted(badges)) or "-"),
        )


def growth_needs(section: GrowthConfig) -> Iterator[Need]:
    """Reward roles are platform roles where the platform has them."""
    if section.roles or section.reward_role:
        yield Need.ROLES
