"""Button ids of question tracking, built in one place for the service and the handlers.

Ids look like `questions:<action>:<parts…>`; the handlers register `<action>`.
"""

from __future__ import annotations

FEATURE = "questions"

ACCEPT = "accept"
DRAFT = "draft"
FOLLOW_UP = "followup"
FAQ = "faq"

POST = "post"
SOLVED = "solved"
YES = "yes"
NO = "no"


def action_id(action: str, *parts: object) -> str:
    return ":".join([FEATURE, action, *(str(p) for p in parts)])


def parts(action_id_text: str) -> list[str]:
    """The parts after `questions:<action>:`."""
    return action_id_text.split(":")[2:]
