"""What a valid poll is: a question, 2–25 distinct options, a quiz's right answer.

Pure checks (no I/O), each mistake answered with a sentence that says how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import UserError
from bot.features.polls.store import PollKind, PollSpec
from bot.i18n import _
from bot.text import one_line

MAX_QUESTION = 300
MAX_OPTION = 80  # what Discord shows on a button


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def build_spec(
    kind: PollKind,
    items: Sequence[str],
    *,
    multi: bool = False,
    anonymous: bool = False,
    hidden: bool = False,
    answer: str | None = None,
    max_options: int,
) -> PollSpec:
    """Check a question and its options; every mistake gets a sentence that fixes it."""
    cleaned = [" ".join(item.split()) for item in items]
    if not cleaned or not cleaned[0]:
        raise UserError(
            _('Write the question and the options in quotes: /poll "Lunch?" "Pizza" "Soup"')
        )
    question, options = cleaned[0], cleaned[1:]
    if any(option.endswith("?") for option in options):
        raise UserError(
            _(
                "It looks like the question is not in quotes. Write it like this: "
                '/poll "Which day suits you?" "Monday" "Tuesday"'
            )
        )
    if len(question) > MAX_QUESTION:
        raise UserError(_("The question is too long ({max} characters at most).", max=MAX_QUESTION))
    if len(options) < 2:
        raise UserError(
            _(
                "A poll needs at least two options; you gave {count}. "
                'Add them in quotes after the question: /poll "Lunch?" "Pizza" "Soup"',
                count=len(options),
            )
        )
    if len(options) > max_options:
        raise UserError(
            _(
                "A poll can have at most {max} options; you gave {count}.",
                max=max_options,
                count=len(options),
            )
        )
    seen: set[str] = set()
    for option in options:
        if not option:
            raise UserError(_("An option is empty. Remove the empty quotes."))
        if len(option) > MAX_OPTION:
            raise UserError(
                _(
                    "Option “{option}” is too long ({max} characters at most).",
                    option=one_line(option, limit=40),
                    max=MAX_OPTION,
                )
            )
        if _normal(option) in seen:
            raise UserError(
                _(
                    "Option “{option}” appears twice. Each option must be different.",
                    option=one_line(option, limit=80),
                )
            )
        seen.add(_normal(option))
    correct = None
    if kind is PollKind.QUIZ:
        if multi:
            raise UserError(_("A quiz has one right answer, so --multi does not apply."))
        correct = _correct_option(answer, options)
        hidden = True
    return PollSpec(kind, question, tuple(options), multi, anonymous, hidden, correct)


def _correct_option(answer: str | None, options: Sequence[str]) -> int:
    if not answer or not answer.strip():
        raise UserError(
            _(
                "A quiz needs its right answer: add --answer with the option's number, "
                "e.g. --answer 2."
            )
        )
    raw = answer.strip()
    if raw.isdigit() and 1 <= int(raw) <= len(options):
        return int(raw) - 1
    for index, option in enumerate(options):
        if _normal(option) == _normal(raw):
            return index
    raise UserError(
        _(
            "--answer {value} is not one of the options; give its number (1–{count}) "
            "or its exact text.",
            value=one_line(raw, limit=80),
            count=len(options),
        )
    )
