"""Audit-log details: stored as facts, read in the moderator's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.moderation import details
from bot.features.moderation.store import Sanction
from bot.features.moderation.trust import Standing, Weighing
from bot.i18n import using_locale


def sanction(**changes: object) -> Sanction:
    values: dict[str, object] = {
        "id": 1,
        "person_id": 7,
        "platform": "memory",
        "workspace": "test",
        "kind": "timeout",
        "duration": timedelta(hours=1),
        "strike": 2,
        "rule": 3,
        "note": "",
        "case_id": None,
        "issued_at": datetime(2026, 2, 4, tzinfo=UTC),
        "expires_at": None,
        "issued_by": 1,
        "carried_out": False,
        "revoked_at": None,
        "revoked_by": None,
    }
    values.update(changes)
    return Sanction(**values)  # type: ignore[arg-type]


def test_what_is_stored_stays_one_fixed_form() -> None:
    assert details.of_sanction(sanction()) == "timeout 1h strike 2 rule 3 not carried out"
    assert details.of_flag(Weighing(0.5, Standing.NEW)) == "weight 0.5 (new)"
    assert details.of_rule(3) == "rule 3" and details.of_rule(None) == ""


@pytest.mark.parametrize(
    ("locale", "stored", "shown"),
    [
        (
            "en",
            "timeout 1h strike 2 rule 3 not carried out",
            "a timeout of 1 hour, strike 2, rule 3, not carried out on the platform",
        ),
        ("fi", "warn strike 1 rule 3", "varoitus, rikepiste nro 1, sääntö 3"),
        ("nb", "warn strike 1", "en advarsel, prikk nummer 1"),
        ("uk", "weight 0.5 (new)", "вага 0,5 (скарга нового учасника)"),
        ("lv", "rule 4", "noteikums Nr. 4"),
        ("fi", "quorum", "riittävän moni jäsen liputti"),
        ("en", "ban", "a ban"),
        # A form this release does not know (an older one wrote it): shown as stored.
        ("fi", "something else", "something else"),
        ("en", "weight 2 (wizard)", "weight 2 (wizard)"),
    ],
)
def test_the_log_reads_in_the_moderators_language(locale: str, stored: str, shown: str) -> None:
    with using_locale(locale):
        assert details.shown(stored) == shown
