"""The questionnaire as the service uses it: order, answers, segments, topics, roles.

Pure functions over the config, so the rules are testable without a database. The
running bot tolerates a questionnaire `agora check` would reject: a choice question
without options is left out and a repeated id is asked once (the first wins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.onboarding.config import OnboardingConfig, OptionConfig, QuestionConfig

Answers = Mapping[str, Sequence[str]]  # question id → option ids (or the text, alone)


def usable(cfg: OnboardingConfig) -> list[QuestionConfig]:
    seen: set[str] = set()
    found: list[QuestionConfig] = []
    for question in cfg.questions:
        if question.id in seen or (question.choice and not question.options):
            continue
        seen.add(question.id)
        found.append(question)
    return found


def find(cfg: OnboardingConfig, question_id: str) -> QuestionConfig | None:
    return next((q for q in usable(cfg) if q.id == question_id), None)


def after(cfg: OnboardingConfig, question_id: str | None) -> QuestionConfig | None:
    """The question to ask after `question_id` (the first one for None)."""
    questions = usable(cfg)
    if question_id is None:
        return questions[0] if questions else None
    ids = [q.id for q in questions]
    if question_id not in ids:
        return None
    index = ids.index(question_id) + 1
    return questions[index] if index < len(questions) else None


def position(cfg: OnboardingConfig, question_id: str) -> tuple[int, int]:
    """(1-based number, total) for "question 2 of 5"."""
    ids = [q.id for q in usable(cfg)]
    return ids.index(question_id) + 1, len(ids)


class UnknownOption(ValueError):
    """A value that is not one of the question's options (a stale menu, a typo)."""


def chosen(question: QuestionConfig, values: Sequence[str]) -> list[OptionConfig]:
    """The options named by `values` (ids), in the question's order, without repeats."""
    wanted = {v.strip() for v in values if v.strip()}
    unknown = wanted - {o.id for o in question.options}
    if unknown:
        raise UnknownOption(", ".join(sorted(unknown)))
    picked = [o for o in question.options if o.id in wanted]
    if question.kind == "single" and len(picked) > 1:
        raise UnknownOption(", ".join(o.id for o in picked))
    return picked


def _choices(cfg: OnboardingConfig, answers: Answers) -> list[tuple[QuestionConfig, OptionConfig]]:
    found: list[tuple[QuestionConfig, OptionConfig]] = []
    for question in usable(cfg):
        if not question.choice:
            continue
        for value in answers.get(question.id, ()):
            option = question.option(value)
            if option is not None:
                found.append((question, option))
    return found


def segments_of(cfg: OnboardingConfig, answers: Answers) -> list[str]:
    return list(dict.fromkeys(q.segment_of(o) for q, o in _choices(cfg, answers)))


def roles_of(cfg: OnboardingConfig, answers: Answers) -> set[str]:
    return {o.role for _q, o in _choices(cfg, answers) if o.role}


def all_roles(cfg: OnboardingConfig) -> set[str]:
    """Every role the questionnaire can give (to take back the ones no longer earned)."""
    return {o.role for q in usable(cfg) for o in q.options if o.role}


def topics_of(cfg: OnboardingConfig, answers: Answers) -> list[str]:
    topics: list[str] = []
    for question in usable(cfg):
        if question.sets == "topics":
            topics.extend(v.lower() for v in answers.get(question.id, ()))
    return list(dict.fromkeys(topics))


def topic_choices(cfg: OnboardingConfig) -> list[str] | None:
    """The topics mentors may name: the topic questions' option ids (None: any word)."""
    questions = [q for q in usable(cfg) if q.sets == "topics" and q.choice]
    if not questions:
        return None
    return list(dict.fromkeys(o.id.lower() for q in questions for o in q.options))


def segment_catalogue(cfg: OnboardingConfig) -> list[tuple[str, QuestionConfig, OptionConfig]]:
    """Every segment an answer can put a member in: (segment, question, option)."""
    return [(q.segment_of(o), q, o) for q in usable(cfg) if q.choice for o in q.options]
