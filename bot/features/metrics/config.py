"""`[features.metrics]`: `/stats`, the weekly digest, slipping-away members, sentiment.

Everything works with no section at all: `/stats` for moderators, `/stats slipping`
for admins, `agora report` and `agora export metrics` at the command line. The
digest, the nudge DMs, sentiment scores and the Prometheus endpoint are off until
configured, because each one posts, writes or exposes something new.
"""

from __future__ import annotations

from collections.abc import Iterator
from string import Formatter

from pydantic import Field, field_validator, model_validator

from bot.config import AgoraConfig, FeatureConfig, Problem
from bot.features.metrics.periods import PeriodError, parse_period
from bot.i18n import _
from bot.localized import check_codes
from bot.needs import Need


class MetricsConfig(FeatureConfig):
    # The period /stats shows when none is given: day, week, month, quarter, year or
    # a number of days such as 14d.
    default_period: str = "week"
    # Attach a small PNG chart (daily active members and posts) to /stats, for
    # periods of 2 to 92 days.
    chart: bool = True
    # Busiest channels listed by /stats (the report lists up to 20).
    top_channels: int = Field(3, ge=0, le=20)
    # Where the weekly digest (last week's numbers and the change from the week
    # before) is posted, by channel name; "" = no digest.
    digest_channel: str = ""
    # When the digest is posted (the community's time zone, [bot] timezone).
    digest_cron: str = "0 9 * * MON"
    # Slipping away: active in at least `slipping_active_weeks` of the
    # `slipping_lookback_weeks` weeks before the last `slipping_silent_weeks`, and
    # silent since.
    slipping_lookback_weeks: int = Field(4, ge=1, le=26)
    slipping_active_weeks: int = Field(3, ge=1, le=26)
    slipping_silent_weeks: int = Field(2, ge=1, le=26)
    # Members /stats slipping lists at most.
    slipping_limit: int = Field(25, ge=1, le=200)
    # Send slipping-away members a friendly nudge DM (weekly job).
    nudge_dm: bool = False
    # When the nudge job runs.
    nudge_cron: str = "0 10 * * TUE"
    # The DM; "" = the built-in text in the member's language. Placeholders:
    # {name} (the member) and {community} ([bot] name).
    nudge_text: str = Field("", max_length=1500)
    # A member is not checked on again for this many weeks.
    nudge_every_weeks: int = Field(8, ge=1, le=104)
    # Score the tone of each message with an offline lexicon (VADER, English only):
    # a number between -1 and 1 is stored with the activity fact, never the text.
    sentiment: bool = False
    # Messages are scored only from members whose language is one of these
    # (their chosen language, else their platform's, else [bot] language).
    sentiment_languages: list[str] = Field(default_factory=lambda: ["en"])
    # Serve live counters in the Prometheus text format on /metrics of the health
    # server (needs [bot] health_port).
    prometheus: bool = False

    @field_validator("digest_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @field_validator("nudge_text")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            fields = {name for _text, name, _spec, _conv in Formatter().parse(value) if name}
        except ValueError:
            raise ValueError(
                _("nudge_text has an unmatched brace; write {{ and }} for literal braces")
            ) from None
        unknown = sorted(fields - {"name", "community"})
        if unknown:
            raise ValueError(
                _(
                    "nudge_text may only use {{name}} and {{community}}, not {names}",
                    names=", ".join("{" + n + "}" for n in unknown),
                )
            )
        return value

    @field_validator("sentiment_languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        check_codes(value)
        return value

    @field_validator("default_period")
    @classmethod
    def _period(cls, value: str) -> str:
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo

        try:
            parse_period(value, datetime.now(UTC), ZoneInfo("UTC"))
        except PeriodError as error:
            raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _weeks(self) -> MetricsConfig:
        if self.slipping_active_weeks > self.slipping_lookback_weeks:
            raise ValueError(
                _(
                    "slipping_active_weeks ({active}) cannot exceed slipping_lookback_weeks "
                    "({lookback})",
                    active=self.slipping_active_weeks,
                    lookback=self.slipping_lookback_weeks,
                )
            )
        return self


def check_metrics(section: MetricsConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Settings that validate alone but need something elsewhere in the file."""
    if not section.enabled:
        return
    if section.prometheus and not config.bot.health_port:
        yield Problem(
            "features.metrics.prometheus",
            None,
            _("the Prometheus endpoint is served by the health server, which is off"),
            _("set health_port under [bot], e.g. health_port = 8080"),
        )
    if section.sentiment and config.discord.enabled and config.discord.message_content is False:
        yield Problem(
            "features.metrics.sentiment",
            None,
            _("sentiment scores need message text, but Discord sends no content"),
            _("set message_content = true under [discord], or turn sentiment off"),
        )


def metrics_needs(section: MetricsConfig) -> Iterator[Need]:
    if section.sentiment:
        yield Need.MESSAGE_TEXT
