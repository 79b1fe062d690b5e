"""Translations: gettext catalogs through Babel, one active locale per task.

Every user-facing string goes through `_()` (or `ngettext()` for counts, whose plural
rules come from the catalog, never from `if n == 1`). The locale lives in a
contextvar so concurrent events for members who speak different languages never
see each other's language. `N_()` marks strings declared at import time (command
help, button labels); they are translated when shown.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations

from bot.text import safe_placeholder

log = logging.getLogger(__name__)

DOMAIN = "agora"
LOCALE_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "nb", "lv", "fi", "uk")

# Platform locales that should fall back to one of ours ("no" and "nn" read Bokmål fine).
_ALIASES = {"no": "nb", "nn": "nb", "nb-no": "nb", "en-us": "en", "en-gb": "en", "ua": "uk"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("agora_locale", default="en")


def normalize_locale(value: str | None) -> str | None:
    """Map a platform locale (`en-US`, `nb_NO`, `uk`) to a supported one, or None."""
    if not value:
        return None
    key = value.strip().lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    base = key.split("-")[0]
    base = _ALIASES.get(base, base)
    return base if base in SUPPORTED_LOCALES else None


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    try:
        loaded = Translations.load(str(LOCALE_DIR), [locale], DOMAIN)
    except Exception:
        # A damaged .mo must not take every reply in that language down: speak English.
        log.exception("cannot load the %s catalog from %s; using English", locale, LOCALE_DIR)
        return NullTranslations()
    return loaded if isinstance(loaded, Translations) else NullTranslations()


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str | None) -> contextvars.Token[str]:
    return _current.set(normalize_locale(locale) or DEFAULT_LOCALE)


@contextmanager
def using_locale(locale: str | None) -> Iterator[str]:
    token = set_locale(locale)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _format(text: str, source: str, kwargs: dict[str, Any]) -> str:
    """Fill the placeholders of a translation; if it is broken, of the English source.

    Text values lose invisible characters and mass mentions on the way in: whatever
    a feature passes (a name, a title, a stored answer), a sentence never carries
    them (`bot.text.safe_placeholder`).
    """
    if not kwargs:
        return text
    kwargs = {k: safe_placeholder(v) if isinstance(v, str) else v for k, v in kwargs.items()}
    try:
        return text.format(**kwargs)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        # A broken translation must never take a reply down.
        if text != source:
            log.warning("broken %s translation of %r: %r", _current.get(), source, text)
        try:
            return source.format(**kwargs)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            return source


def _(msgid: str, /, **kwargs: Any) -> str:
    """Translate `msgid` into the current locale and fill `{placeholders}`."""
    return _format(translations(_current.get()).gettext(msgid), msgid, kwargs)


def ngettext(singular: str, plural: str, n: int, /, **kwargs: Any) -> str:
    """Translate a count-dependent message; `{n}` is always available."""
    text = translations(_current.get()).ngettext(singular, plural, n)
    return _format(text, singular if n == 1 else plural, {"n": n, **kwargs})


# Each language by its own name, as a label standing alone (a button, a menu, a field).
LANGUAGE_LABELS = {
    "en": "English",
    "nb": "Norsk bokmål",
    "lv": "Latviešu",
    "fi": "Suomi",
    "uk": "Українська",
}


def language_name(code: str) -> str:
    """`code`'s name in the current language, as written mid-sentence: "Latvian" in
    English, "latviešu" in Latvian, "norsk bokmål" in Bokmål (CLDR's own case)."""
    name = Locale.parse(code).get_display_name(_current.get())
    return name or code


def N_(msgid: str) -> str:
    """Mark a string for extraction; it is translated later with `_()`."""
    return msgid
