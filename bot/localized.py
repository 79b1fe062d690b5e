"""Texts admins write in TOML once for everyone, or once per language.

`rules_intro = "Be kind."` serves every language; `rules_intro = { en = "Be kind.",
nb = "Vær snill." }` speaks each reader's language and falls back to the one given
next, then English, then whichever is there. Features that offer their own default
text translate it through the catalogs instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import SUPPORTED_LOCALES, _

Localized = str | dict[str, str]


def pick(text: Localized, locale: str, fallback: str) -> str:
    """The variant for `locale` (then `fallback`, English, any); "" when none is set."""
    if isinstance(text, str):
        return text
    for candidate in (locale, fallback, "en"):
        if text.get(candidate):
            return text[candidate]
    return next((value for value in text.values() if value), "")


def variants(text: Localized) -> list[str]:
    """Every variant, for validation."""
    return [text] if isinstance(text, str) else list(text.values())


def check_codes(codes: Iterable[str]) -> None:
    """Refuse (ValueError, for a validator) codes of languages Agora does not speak."""
    unknown = sorted(set(codes) - set(SUPPORTED_LOCALES))
    if unknown:
        raise ValueError(
            _(
                "unknown language {codes}; use {choices}",
                codes=", ".join(unknown),
                choices=", ".join(SUPPORTED_LOCALES),
            )
        )


def check_languages(value: Localized) -> Localized:
    """A per-language text may name only the languages Agora speaks (a validator)."""
    if isinstance(value, dict):
        check_codes(value)
    return value
