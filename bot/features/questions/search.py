"""Turning a short question into search terms, and ranking what the index found.

Questions are short ("wifi password?", "Kā nomainīt paroli?") and our languages inflect
heavily (Finnish `salasana/salasanan/salasanaa`, Latvian `parole/paroli/paroles`,
Ukrainian `пароль/пароля/паролем`). No stemmer covers all five, so we do what works
for every one of them:

- normalise identically for the index and the query (case-folded, diacritics and
  apostrophes removed), so SQLite FTS5 and PostgreSQL see the same words;
- drop the commonest function words of each language (they match everything);
- query each word exactly *and* as a prefix stem (its first 4–6 letters), which
  catches most inflections ("salasanan" → `salasa*` finds "salasana");
- index and query each word's roots too (`roots.py`: Snowball for Bokmål and Finnish,
  light rules for Ukrainian), for inflections inside the word (`bøker`/`boka`,
  `tiedon`/`tieto`, `друзі`/`друг`);
- rank the index's candidates again by how many of the question's words they cover,
  so a title sharing three words beats one sharing a single rare word. Coverage is
  computed here, in one place, so both databases rank alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.features.questions.roots import fold, roots

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['’ʼ`]")
MAX_QUERY_WORDS = 12
MAX_INDEX_WORDS = 48
# More terms make an index query slower (every "k of n" combination is a clause),
# not better: past four, the coverage re-ranking decides.
MAX_INDEX_TERMS = 4
MIN_STEM = 4
MAX_STEM = 6

_STOPWORDS_BY_LANGUAGE = {
    "en": """a an the and or but if of to in on at for from by with about as into is are was
        were be been being am do does did have has had i me my we our you your he she it its
        they them their this that these those what which who whom how why when where can could
        should would will shall may might must not no so than too very just there here any some
        all im ive dont doesnt cant isnt wont please hi hello hey thanks thank anyone someone
        somebody help need want know""",
    "nb": """og i jeg det at en et den til er som på de med han av ikke der så var meg seg men
        ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan
        hans hvor eller hva skal selv her alle vil bli ble blitt kunne inn når være noen noe
        ville dere deg hvordan hvorfor hvem mine din ditt dine sitt sine også få takk hei hjelp
        går gjør hvilken hvilket hvilke slags trenger finnes mange mye""",
    "lv": """un ir vai ka kā bet ar uz no par pie pēc kas es tu viņš viņa mēs jūs viņi to tas
        tā šis šī ko kur kad kāpēc man mans mana tev tavs ja arī jau vēl lai nav ne nevaru
        varu var kāds kāda kādu kādi kādas sveiki lūdzu paldies palīdziet cik vajag vajadzētu
        vajadzīgs kurš kura kuru kurā kuri kādēļ jūsu mūsu savu""",
    "fi": """ja on ei se että en ole olen oli mutta tai kun jos niin kuin mitä miten miksi
        missä milloin kuka mikä minä sinä hän me te he minun sinun tämä tuo nämä ne voi voiko
        voin onko joku jotain myös vain jo kiitos hei apua osaako saako mistä kuinka mihin
        minne mihinkä paljonko montako kenen kenelle mitään pitää pitäisi täytyy tarvitsen
        tarvitaan""",
    "uk": """і й та в у на з із до за по від для про що як чи це я ти він вона ми ви вони мене
        мені мій моя моє мої не ні але або а так вже ще є був була буде можна можу може чому
        де коли хто який яка яке які будь ласка дякую привіт допоможіть підкажіть скільки
        куди звідки навіщо треба потрібно котрий котра чого чим ваш ваша наш наша свій""",
}


def normalize(text: str) -> str:
    """Case-folded, without diacritics or apostrophes, words separated by one space."""
    return " ".join(_WORD.findall(_APOSTROPHES.sub("", fold(text))))


STOPWORDS = frozenset(
    word for words in _STOPWORDS_BY_LANGUAGE.values() for word in normalize(words).split()
)


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def words_of(text: str) -> list[str]:
    """The searchable words of `text`: normalised, no function words, no single letters."""
    return _unique(
        [w for w in normalize(text).split() if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    )


def index_terms(text: str) -> list[str]:
    """What the full-text index stores for a solved question's title: words, then roots."""
    words = words_of(text)[:MAX_INDEX_WORDS]
    return _unique(words + [root for word in words for root in roots(word)])


def keys(word: str) -> frozenset[str]:
    """The word and its roots: two words whose keys meet are forms of one word."""
    return frozenset((word, *roots(word)))


def stem(word: str) -> str:
    """A prefix that survives inflection: 4–6 letters, never the whole of a long word."""
    if len(word) <= MIN_STEM or word.isdigit():
        return word
    return word[: max(MIN_STEM, min(len(word) - 2, MAX_STEM))]


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One word of a question for the index: matched exactly, or by its stem as a prefix."""

    word: str
    stem: str
    roots: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def needed(self) -> int:
        """How many of the question's words a suggestion must share (at least half)."""
        return max(1, math.ceil(len(self.words) / 2))

    @property
    def terms(self) -> tuple[SearchTerm, ...]:
        """What the index is asked for: the longest words (the rarest, as a rule)."""
        longest = sorted(self.words, key=len, reverse=True)[:MAX_INDEX_TERMS]
        return tuple(SearchTerm(w, stem(w), roots(w)) for w in longest)

    @property
    def terms_needed(self) -> int:
        """At least half of `terms` must match in the index (coverage is checked later)."""
        return max(1, math.ceil(len(self.terms) / 2))


def parse_query(text: str) -> Query:
    return Query(tuple(words_of(text)[:MAX_QUERY_WORDS]))


def _matches(word: str, title_words: Sequence[str]) -> bool:
    """Same word, or one is an inflection of the other (a shared stem or root)."""
    mine, my_keys = stem(word), keys(word)
    return any(
        t == word
        or t.startswith(mine)
        or word.startswith(stem(t))
        or not my_keys.isdisjoint(keys(t))
        for t in title_words
    )


C = TypeVar("C")


def rank(query: Query, candidates: Sequence[tuple[C, str]], limit: int) -> list[C]:
    """Order `(item, title)` pairs by coverage of the query, then exactness, then brevity.

    `candidates` arrive in the index's own order (bm25 / ts_rank), which breaks ties.
    Titles sharing fewer than half of the question's words are not suggested at all.
    """
    scored: list[tuple[tuple[int, int, float, int], C]] = []
    for position, (item, title) in enumerate(candidates):
        title_words = words_of(title)
        if not title_words:
            continue
        covered = sum(1 for w in query.words if _matches(w, title_words))
        if covered < query.needed:
            continue
        exact = sum(1 for w in query.words if w in title_words)
        precision = covered / len(title_words)
        scored.append(((covered, exact, precision, -position), item))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _key, item in scored[:limit]]
