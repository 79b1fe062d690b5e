"""Spotting "thanks @bob" and "welcome @dave" in a message, in any configured language.

Pure and cached: the words come from config (per language), are matched as whole
words or phrases in any case, and a message is read only in memory — its text is
never stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache


@lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first, so "thank you" wins over "thank"; spaces match any run of spaces.
    ordered = sorted(set(words), key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def all_words(by_language: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Every word of every language, as one hashable key for the pattern cache."""
    return tuple(sorted({w for words in by_language.values() for w in words}))


def mentions_word(text: str, words: Iterable[str]) -> bool:
    """True when `text` contains one of `words` as a whole word or phrase."""
    pattern = _pattern(tuple(words))
    return pattern is not None and pattern.search(text) is not None
