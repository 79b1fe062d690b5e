"""Button, menu and form ids of onboarding, built in one place for render and handlers.

Ids look like `onboarding:<action>:<parts…>`; question and option ids never hold a
colon (their pattern is letters, digits, `-` and `_`), so the parts split cleanly.
"""

from __future__ import annotations

FEATURE = "onboarding"

AGREE = "agree"  # I agree to the rules
START = "start"  # start the questionnaire
SKIP_ALL = "skipall"  # skip the whole questionnaire
ANSWER = "answer"  # answer:<question>:<option> (a button per option)
PICK = "pick"  # pick:<question> (a menu)
NEXT = "next"  # next:<question> (after choosing several in a menu)
SKIP = "skip"  # skip:<question>
WRITE = "write"  # write:<question> opens the form for a free-text answer
TEXT = "text"  # the form: text:<question>
MET = "met"  # met:<pairing> "we've talked"


def action_id(action: str, *parts: object) -> str:
    return ":".join([FEATURE, action, *(str(p) for p in parts)])


def parts(action_id_text: str) -> list[str]:
    """The parts after `onboarding:<action>:`."""
    return action_id_text.split(":")[2:]
