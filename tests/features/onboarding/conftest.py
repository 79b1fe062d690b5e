"""A community with two members who can mentor (carol, erin) and newcomers who join.

`harness(**section)` puts keys under [features.onboarding]; the default questionnaire
is replaced by a small one with topics, so pairing by topic can be tested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.features.onboarding.handlers import feature
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("erin", ()),
)
CHANNELS = ("general", "help", "mod-queue", "rules", "introductions")

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "topics",
        "text": "Which topics interest you?",
        "kind": "multi",
        "sets": "topics",
        "options": ["python", "rust", "design"],
    },
    {
        "id": "experience",
        "text": "How experienced are you?",
        "options": [
            {"id": "beginner", "label": "Just starting", "segment": "newbies", "role": "Beginner"},
            {"id": "expert", "label": "Experienced", "role": "Expert"},
        ],
    },
    {"id": "about", "text": "Tell us about yourself", "kind": "text", "public": False},
]

MakeHarness = Callable[..., Harness]


@pytest.fixture
def harness() -> MakeHarness:
    def make(*, top: dict[str, Any] | None = None, **section: Any) -> Harness:
        options = dict(top or {})
        config = {
            **options.pop("config", {}),
            "features": {"onboarding": {"questions": QUESTIONS, **section}},
        }
        # Onboarding alone (and the core): other features' posts stay out of the way.
        options.setdefault("features", [feature])
        options.setdefault("members", MEMBERS)
        options.setdefault("channels", CHANNELS)
        return Harness(config=config, **options)

    return make


def texts(posts: list[Any]) -> str:
    return "\n".join(p.text for p in posts)
