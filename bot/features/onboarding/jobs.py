"""Keys of onboarding's persisted jobs, in one place for whoever schedules or cancels them.

Payloads always carry `person_id` (the newcomer's), so a GDPR forget finds and drops
the person's pending jobs even without this feature's help.
"""

from __future__ import annotations

FOLLOW_UP = "follow_up"  # remind to agree or to finish the questions
MODERATORS = "moderators"  # tell moderators about a newcomer who never agreed
MENTOR_CHECK = "mentor_check"  # did mentor and newcomer talk?


def follow_up_key(person_id: int) -> str:
    return f"onboarding:follow-up:{person_id}"


def moderators_key(person_id: int) -> str:
    return f"onboarding:moderators:{person_id}"


def check_key(pairing_id: int) -> str:
    return f"onboarding:mentor-check:{pairing_id}"
