"""Spotting "thanks @bob" and "welcome @dave" in a message, in any configured language.

Pure and cached: the words come from config (per language), are matched as whole
words or phrases in any case, and a message is read only in memory — its text is
never stored. A word right after its language's "no" does not count: "nei takk",
"no thanks", "ei kiitos", "nē, paldies" and "ні, дякую" decline, they do not thank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

Vocabulary = tuple[tuple[str, tuple[str, ...]], ...]

# Words that make a message mentioning someone count as thanking them.
DEFAULT_THANKS: dict[str, list[str]] = {
    "en": [
        "thanks", "thank you", "thank u", "thx", "ty", "tysm", "kudos", "cheers",
        "much appreciated", "appreciate it", "appreciate you", "grateful",
    ],
    "nb": ["takk", "takker", "takke", "takknemlig", "takknemlige", "tusen hjertelig takk"],
    "lv": ["paldies", "pateicos", "pateicībā", "pateicīgs", "pateicīga", "pateicīgi"],
    "fi": [
        "kiitos", "kiitti", "kiitoksia", "kiitän", "kiitokset", "kiitollinen", "kiitollisia",
    ],
    "uk": [
        "дякую", "дякуємо", "дяка", "дякс", "спасибі", "вдячний", "вдячна", "вдячні",
    ],
}  # fmt: skip

# Words that make a message mentioning a newcomer count as welcoming them.
DEFAULT_WELCOMES: dict[str, list[str]] = {
    "en": ["welcome", "welcome aboard", "glad to have you"],
    "nb": ["velkommen"],
    "lv": ["laipni lūdzam", "sveicināts", "sveicināta", "sveicam"],
    "fi": ["tervetuloa"],
    "uk": ["ласкаво просимо", "вітаємо", "вітаю"],
}

# Each language's "no": its words right before a keyword decline rather than thank.
# Per language, because one language's "no" is another's greeting (Latvian "ei!").
NEGATIONS: dict[str, tuple[str, ...]] = {
    "en": ("no",),
    "nb": ("nei",),
    "lv": ("nē",),
    "fi": ("ei",),
    "uk": ("ні",),
}


def _phrase(words: str) -> str:
    return r"\s+".join(map(re.escape, words.split()))


@lru_cache(maxsize=32)
def _patterns(vocabulary: Vocabulary) -> tuple[re.Pattern[str], ...]:
    """One pattern per language: `(?P<no>its "no" ,)? (one of its words)`."""
    found = []
    for language, words in vocabulary:
        if not words:
            continue
        # Longest first, so "thank you" wins over "thank"; spaces match any run of spaces.
        ordered = sorted(set(words), key=len, reverse=True)
        alternatives = "|".join(_phrase(w) for w in ordered)
        refusals = "|".join(_phrase(n) for n in NEGATIONS.get(language, ()))
        declined = rf"(?P<no>(?<!\w)(?:{refusals})[\s,.!–-]+)?" if refusals else ""
        found.append(re.compile(rf"{declined}(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))
    return tuple(found)


def vocabulary(by_language: Mapping[str, Sequence[str]]) -> Vocabulary:
    """The configured words as one hashable key for the pattern cache."""
    return tuple(sorted((lang, tuple(words)) for lang, words in by_language.items()))


def says(text: str, by_language: Mapping[str, Sequence[str]]) -> bool:
    """True when `text` uses one of the words (of any language), not declined by a "no"."""
    for pattern in _patterns(vocabulary(by_language)):
        for match in pattern.finditer(text):
            if not match.groupdict().get("no"):
                return True
    return False
