"""Word roots for FAQ search, where a prefix is not enough.

A prefix stem (`search.stem`) catches endings: `salasanan` finds `salasana`. Some
inflections change the word inside, and those need each language's rules:

- Bokmål: Snowball's Norwegian stemmer, with ø/æ folded after it (`boka`, `bøker`
  → `bok`);
- Finnish: Snowball's Finnish stemmer, then the consonant gradation of the last
  syllable written in one grade (`tiedon` → `tiedo` → `tieto`, like `tieto`);
- Ukrainian: no maintained stemmer exists, so a light one: the commonest case endings
  go, and the alternations before them are undone (`друзі` → `друз` → `друг`,
  `стола`/`стіл` → `стол`);
- English and Latvian: the prefix stem alone (their inflection is at the end).

Words arrive normalised (`search.normalize`: case-folded, diacritics stripped), so
the rules are written for that form too. A root is only a key: the same on both
sides or not at all; it is never shown.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NORWEGIAN = snowballstemmer.stemmer("norwegian")
_FINNISH = snowballstemmer.stemmer("finnish")
_NORDIC_FOLD = str.maketrans({"ø": "o", "æ": "a"})

# Finnish consonant gradation, written in one grade: weak → strong, geminates single.
_GRADES = (
    ("kk", "k"), ("pp", "p"), ("tt", "t"), ("ng", "nk"), ("mm", "mp"), ("nn", "nt"),
    ("ll", "lt"), ("rr", "rt"), ("d", "t"), ("v", "p"),
)  # fmt: skip
_FINNISH_LAST_ONSET = re.compile(r"([^aeiouy]+)([aeiouy]*)$")


def fold(text: str) -> str:
    """Case-folded, diacritics stripped (й loses its breve, ї its diaeresis, ä its dots)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


# The commonest noun and adjective case endings, longest first.
_UKRAINIAN_CASES = """ами ями ові еві ого ому ими іми ий ій ої ою ею их іх ів їв ям ях ом ем
    ам ах а я о е у ю і и ї є ь й"""
_UKRAINIAN_ENDINGS = sorted({fold(e) for e in _UKRAINIAN_CASES.split()}, key=len, reverse=True)
# Before -і/-ах, г, к, х become з, ц, с (`друг` → `друзі`, `рука` → `руці`).
_UKRAINIAN_ALTERNATION = str.maketrans({"з": "г", "ц": "к", "с": "х"})
_UKRAINIAN_CLOSED_I = re.compile(r"і(?=[^аеиоуяюєіi]+$)")  # стіл / стола, ніч / ночі
MIN_ROOT = 3


def _finnish(word: str) -> str:
    stem = str(_FINNISH.stemWord(word))
    found = _FINNISH_LAST_ONSET.search(stem)
    if found is None or found.start() == 0:
        return stem
    onset = found.group(1)
    for weak, strong in _GRADES:
        if onset.endswith(weak):
            onset = onset[: -len(weak)] + strong
            break
    return stem[: found.start()] + onset + found.group(2)


def _ukrainian(word: str) -> str:
    for ending in _UKRAINIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_ROOT:
            word = word[: -len(ending)]
            break
    word = word[:-1] + word[-1].translate(_UKRAINIAN_ALTERNATION)
    return _UKRAINIAN_CLOSED_I.sub("о", word)


@lru_cache(maxsize=65536)
def roots(word: str) -> tuple[str, ...]:
    """The roots of one normalised word that differ from it (none for short words)."""
    if len(word) < MIN_ROOT or word.isdigit():
        return ()
    if _CYRILLIC.search(word):
        found = [_ukrainian(word)]
    else:
        found = [str(_NORWEGIAN.stemWord(word)).translate(_NORDIC_FOLD), _finnish(word)]
    return tuple(dict.fromkeys(r for r in found if r != word and len(r) >= MIN_ROOT))
