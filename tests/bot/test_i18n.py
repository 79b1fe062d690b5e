"""Translations: `_()`, plural rules from Babel, fallbacks, per-task locale, extraction.

Catalogs used here are tiny ones compiled in the test (with the same code `make
i18n` uses), so the tests do not depend on how far the real translations are.
"""

from __future__ import annotations

import ast
import asyncio
import gettext
import io
import re
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import cast

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n, i18n_tools
from bot.i18n import N_, _, current_locale, ngettext, normalize_locale, using_locale

ROOT = Path(__file__).resolve().parents[2]

Entries = Mapping[str | tuple[str, str], str | tuple[str, ...]]


def compile_catalog(directory: Path, locale: str, entries: Entries) -> None:
    catalog = Catalog(locale=locale, domain=i18n.DOMAIN)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    path = directory / locale / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(i18n_tools.render_mo(catalog))


FILES = ("{n} file", "{n} files")


def in_babels_order(locale: str, by_example: Mapping[int, str]) -> tuple[str, ...]:
    """Plural forms given by an example number each, in the order Babel's rule numbers them.

    CLDR has reordered forms before (Latvian's "zero" moved first in Babel 2.19), so the
    fixture names each form by a number it is said of rather than by position.
    """
    count, expression = get_plural(locale)
    rule = gettext.c2py(expression)
    forms = {rule(n): text for n, text in by_example.items()}
    assert sorted(forms) == list(range(count)), f"{locale}: one example per form"
    return tuple(forms[i] for i in range(count))


TINY: dict[str, Entries] = {
    "nb": {"Hello {name}": "Hei {name}", FILES: ("{n} fil", "{n} filer")},
    "fi": {"Hello {name}": "Moi {name}", FILES: ("{n} tiedosto", "{n} tiedostoa")},
    "lv": {
        "Hello {name}": "Sveiki, {name}",
        FILES: in_babels_order("lv", {1: "{n} fails", 2: "{n} faili", 0: "{n} failu"}),
    },
    "uk": {
        "Hello {name}": "Привіт, {name}",
        FILES: in_babels_order("uk", {1: "{n} файл", 2: "{n} файли", 5: "{n} файлів"}),
    },
}


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point `bot.i18n` at a directory of tiny catalogs (and forget loaded ones)."""
    for locale, entries in TINY.items():
        compile_catalog(tmp_path, locale, entries)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield tmp_path
    i18n.translations.cache_clear()


# --- _() and placeholders ------------------------------------------------------------


def test_english_is_the_source_and_placeholders_are_filled() -> None:
    with using_locale("en"):
        assert _("Hello {name}", name="Ada") == "Hello Ada"
        assert _("No placeholders here") == "No placeholders here"
        assert ngettext("{n} file", "{n} files", 1) == "1 file"
        assert ngettext("{n} file", "{n} files", 3) == "3 files"


def test_translation_with_placeholders(locales: Path) -> None:
    with using_locale("nb"):
        assert _("Hello {name}", name="Ada") == "Hei Ada"
        assert _("Not in the catalog, {name}", name="Ada") == "Not in the catalog, Ada"


def test_n_marks_without_translating(locales: Path) -> None:
    marked = N_("Hello {name}")
    with using_locale("fi"):
        assert marked == "Hello {name}"
        assert _(marked, name="Ada") == "Moi Ada"


# --- plural rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "n", "expected"),
    [
        # Ukrainian: one (1, 21, 101), few (2–4, 22–24), many (0, 5–20, 25–30, 111…).
        ("uk", 1, "1 файл"),
        ("uk", 2, "2 файли"),
        ("uk", 4, "4 файли"),
        ("uk", 5, "5 файлів"),
        ("uk", 11, "11 файлів"),
        ("uk", 12, "12 файлів"),
        ("uk", 14, "14 файлів"),
        ("uk", 21, "21 файл"),
        ("uk", 22, "22 файли"),
        ("uk", 25, "25 файлів"),
        ("uk", 111, "111 файлів"),
        ("uk", 0, "0 файлів"),
        # Latvian (CLDR): "zero" is 0, 10-20, 30 …; 1, 21, 31 are singular, 11 is not.
        ("lv", 0, "0 failu"),
        ("lv", 1, "1 fails"),
        ("lv", 2, "2 faili"),
        ("lv", 11, "11 failu"),
        ("lv", 20, "20 failu"),
        ("lv", 21, "21 fails"),
        ("lv", 22, "22 faili"),
        # Finnish and Bokmål: one and other (0 is plural).
        ("fi", 1, "1 tiedosto"),
        ("fi", 0, "0 tiedostoa"),
        ("fi", 2, "2 tiedostoa"),
        ("fi", 21, "21 tiedostoa"),
        ("nb", 1, "1 fil"),
        ("nb", 5, "5 filer"),
    ],
)
def test_plural_selection_follows_babel_rules(
    locales: Path, locale: str, n: int, expected: str
) -> None:
    with using_locale(locale):
        assert ngettext("{n} file", "{n} files", n) == expected


@pytest.mark.parametrize("locale", i18n_tools.TRANSLATED_LOCALES)
def test_compiled_catalogs_carry_babels_plural_rule(locales: Path, locale: str) -> None:
    count, expression = get_plural(locale)
    rule = gettext.c2py(expression)
    loaded = i18n.translations(locale)
    assert isinstance(loaded, gettext.GNUTranslations)
    for n in range(250):
        assert loaded.plural(n) == rule(n) < count


# --- broken translations fall back, never raise ---------------------------------------


def test_broken_translation_falls_back_to_the_source(locales: Path) -> None:
    compile_catalog(
        locales,
        "nb",
        {
            "Hello {name}": "Hei {nme}",  # typo in the placeholder
            "Open {0}": "Åpne {0",  # malformed
            FILES: ("{count} fil", "{count} filer"),
        },
    )
    i18n.translations.cache_clear()
    with using_locale("nb"):
        assert _("Hello {name}", name="Ada") == "Hello Ada"
        assert _("Open {0}", x=1) == "Open {0}"
        assert ngettext("{n} file", "{n} files", 2) == "2 files"
        assert ngettext("{n} file", "{n} files", 1) == "1 file"


def test_damaged_catalog_file_falls_back_to_english(locales: Path) -> None:
    (locales / "fi" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").write_bytes(b"not a catalog")
    i18n.translations.cache_clear()
    with using_locale("fi"):
        assert _("Hello {name}", name="Ada") == "Hello Ada"
        assert ngettext("{n} file", "{n} files", 2) == "2 files"


def test_missing_catalog_falls_back_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "nowhere")
    i18n.translations.cache_clear()
    try:
        with using_locale("lv"):
            assert _("Hello {name}", name="Ada") == "Hello Ada"
    finally:
        i18n.translations.cache_clear()


# --- locales ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("nb_NO", "nb"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn", "nb"),
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("UK", "uk"),
        ("lv", "lv"),
        ("fi-FI", "fi"),
        ("de-DE", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_locale(given: str | None, expected: str | None) -> None:
    assert normalize_locale(given) == expected


def test_unsupported_locale_speaks_the_default() -> None:
    with using_locale("de") as chosen:
        assert chosen == i18n.DEFAULT_LOCALE
        assert current_locale() == i18n.DEFAULT_LOCALE


async def test_locale_is_per_task(locales: Path) -> None:
    both_set = asyncio.Barrier(2)
    seen: dict[str, list[str]] = {}

    async def member(locale: str) -> None:
        with using_locale(locale):
            await both_set.wait()  # the other task has switched its locale by now
            texts = []
            for _round in range(3):
                texts.append(_("Hello {name}", name="Ada"))
                await asyncio.sleep(0)
            texts.append(current_locale())
            seen[locale] = texts

    await asyncio.gather(member("nb"), member("uk"))
    assert seen["nb"] == ["Hei Ada"] * 3 + ["nb"]
    assert seen["uk"] == ["Привіт, Ada"] * 3 + ["uk"]
    assert current_locale() == "en"


# --- extraction and catalogs (bot/i18n_tools.py) ----------------------------------------


def test_extractor_finds_known_strings_in_the_code() -> None:
    template = i18n_tools.extract()
    message = template.get("List the commands you can use")
    assert message is not None
    assert ("bot/features/core/handlers.py", message.locations[0][1]) in message.locations


def test_extractor_handles_keywords_plurals_and_translator_comments(tmp_path: Path) -> None:
    source = tmp_path / "pkg" / "mod.py"
    source.parent.mkdir()
    source.write_text(
        textwrap.dedent(
            """
            from bot.i18n import N_, _, ngettext

            LABEL = N_("Marked at import time")

            def reply(name, n):
                # Translators: {name} is a member's display name.
                first = _("Welcome, {name}!", name=name)
                return first + ngettext("{n} new message", "{n} new messages", n)

            def not_translated(x):
                return gettext("ignored keyword") + x
            """
        ),
        encoding="utf-8",
    )
    template = i18n_tools.extract(tmp_path, ("pkg",))
    ids = {m.id for m in template if m.id}
    assert ids == {
        "Marked at import time",
        "Welcome, {name}!",
        ("{n} new message", "{n} new messages"),
    }
    welcome = template.get("Welcome, {name}!")
    assert welcome is not None
    assert welcome.auto_comments == ["{name} is a member's display name."]
    assert welcome.locations == [("pkg/mod.py", 8)]
    assert "python-brace-format" in welcome.flags


def _template() -> Catalog:
    template = Catalog(domain=i18n.DOMAIN, creation_date=i18n_tools.CREATION_DATE)
    template.add("List the commands you can use", locations=[("bot/x.py", 1)])
    template.add("Hello {name}", locations=[("bot/x.py", 2)])
    template.add(FILES, locations=[("bot/x.py", 3)])
    return template


@pytest.mark.parametrize("locale", i18n_tools.TRANSLATED_LOCALES)
def test_update_is_deterministic_and_keeps_translations(locale: str) -> None:
    template = _template()
    fresh = i18n_tools.updated_catalog(locale, template, None)
    first = i18n_tools.render_po(fresh)
    assert b"POT-Creation-Date: 2026-01-01 00:00+0000" in first
    again = i18n_tools.render_po(i18n_tools.updated_catalog(locale, template, first))
    assert again == first
    assert i18n_tools.render_mo(fresh) == i18n_tools.render_mo(
        i18n_tools.updated_catalog(locale, template, first)
    )

    translated = first.replace(
        b'msgid "Hello {name}"\nmsgstr ""', b'msgid "Hello {name}"\nmsgstr "X {name}"'
    )
    template.add("A new string", locations=[("bot/y.py", 1)])
    updated = i18n_tools.updated_catalog(locale, template, translated)
    hello = updated.get("Hello {name}")
    assert hello is not None
    assert hello.string == "X {name}"
    assert "A new string" in updated
    plural = updated.get(FILES)
    assert plural is not None
    assert isinstance(plural.string, tuple)
    assert len(plural.string) == get_plural(locale)[0]


def test_wrong_plural_forms_header_is_corrected() -> None:
    template = Catalog(domain=i18n.DOMAIN, creation_date=i18n_tools.CREATION_DATE)
    template.add("Hello {name}", locations=[("bot/x.py", 2)])
    catalog = i18n_tools.updated_catalog("uk", template, None)
    catalog.mime_headers = [("Plural-Forms", "nplurals=2; plural=(n != 1);")]
    wrong = i18n_tools.render_po(catalog)
    assert read_po(io.BytesIO(wrong)).num_plurals == 2
    fixed = i18n_tools.updated_catalog("uk", template, wrong)
    assert fixed.plural_forms == i18n_tools.babel_plural_forms("uk")
    assert fixed.num_plurals == 3


def test_a_reordered_plural_rule_keeps_each_form_with_its_numbers() -> None:
    """The Latvian rule before Babel 2.19 said one, other, zero; CLDR now says zero first."""
    template = Catalog(domain=i18n.DOMAIN, creation_date=i18n_tools.CREATION_DATE)
    template.add(FILES, locations=[("bot/x.py", 2)])
    catalog = i18n_tools.updated_catalog("lv", template, None)
    catalog.mime_headers = [
        ("Plural-Forms", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);")
    ]
    catalog[FILES].string = ("{n} fails", "{n} faili", "{n} failu")
    old = i18n_tools.render_po(catalog)
    updated = i18n_tools.updated_catalog("lv", template, old)
    rule = gettext.c2py(i18n_tools.babel_plural_forms("lv").split("plural=")[1].rstrip(";"))
    forms = updated[FILES].string
    assert forms[rule(1)] == "{n} fails"
    assert forms[rule(2)] == "{n} faili"
    assert forms[rule(0)] == "{n} failu"


def test_a_form_said_of_many_numbers_must_keep_n() -> None:
    """Ukrainian's first form also says 21 and 101: "Одне" would be wrong there."""
    catalog = Catalog(locale="uk", domain=i18n.DOMAIN)
    catalog.add(FILES, ("Один файл", "{n} файли", "{n} файлів"))
    problems = i18n_tools.placeholder_problems(catalog)
    assert len(problems) == 1 and "missing {n}" in problems[0]


def test_placeholder_mismatches_are_reported() -> None:
    catalog = Catalog(locale="nb", domain=i18n.DOMAIN)
    catalog.add("Hello {name}", "Hei {nme}")
    catalog.add("Bye {name}", "Ha det {name}")
    catalog.add(FILES, ("én fil", "{n} filer"))  # dropping {n} in a form is allowed
    problems = i18n_tools.placeholder_problems(catalog)
    assert len(problems) == 1
    assert "unknown {nme}" in problems[0] and "missing {name}" in problems[0]


@pytest.mark.parametrize("locale", i18n_tools.TRANSLATED_LOCALES)
def test_shipped_catalogs_use_babels_plural_forms(locale: str) -> None:
    path = i18n_tools.po_path(locale)
    assert path.exists(), f"{path} is missing: run `make i18n`"
    catalog = read_po(path.open("rb"), locale=locale)
    assert catalog.plural_forms == i18n_tools.babel_plural_forms(locale)
    assert i18n_tools.mo_path(locale).exists()


# --- every translatable string can be extracted ------------------------------------------


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _builds_text(node: ast.expr) -> bool:
    """An argument that computes a new string: the result can never be in a catalog."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _is_text(node.func.value) or node.func.attr in ("format", "join", "format_map")
    return False


def test_every_translatable_call_has_an_extractable_msgid() -> None:
    """`N_()` and `ngettext()` take literals; `_()` a literal or a value marked with `N_()`.

    `_(spec.help)` translates a string declared elsewhere with `N_()` (command help,
    button labels): fine. `_(f"…")`, `_("a" + b)` or `_("…".format())` can never match
    a catalog entry, so they are errors.
    """
    offenders: list[str] = []
    for folder in i18n_tools.SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                name = node.func.id
                if name not in ("_", "N_", "ngettext"):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"
                needed = 2 if name == "ngettext" else 1
                args = node.args[:needed]
                if len(args) < needed or any(isinstance(a, ast.Starred) for a in args):
                    offenders.append(where)
                elif name in ("N_", "ngettext"):
                    if not all(_is_text(a) for a in args):
                        offenders.append(where)
                elif _builds_text(args[0]):
                    offenders.append(where)
    assert not offenders, "msgids that cannot be extracted:\n" + "\n".join(offenders)


# --- the shipped catalogs are complete ---------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> i18n_tools.Plan:
    """What `make i18n` would write now, from the code as it is."""
    return i18n_tools.plan()


def test_shipped_catalogs_are_up_to_date_with_the_code(shipped: i18n_tools.Plan) -> None:
    stale = [str(path.relative_to(i18n_tools.ROOT)) for path in shipped.stale]
    assert not stale, f"run `make i18n` and translate what is new: {stale}"


@pytest.mark.parametrize("locale", i18n_tools.TRANSLATED_LOCALES)
def test_every_message_is_translated_without_placeholder_mistakes(
    shipped: i18n_tools.Plan, locale: str
) -> None:
    catalog = shipped.catalogs[locale]
    missing = i18n_tools.untranslated(catalog)
    assert not missing, f"{locale}: {len(missing)} messages untranslated or fuzzy: {missing[:5]}"
    assert i18n_tools.placeholder_problems(catalog) == []


@pytest.mark.parametrize(
    ("locale", "forms"),
    [
        ("nb", ("1 har stemt", "2 har stemt", "5 har stemt", "21 har stemt", "22 har stemt")),
        ("lv", ("1 balsotājs", "2 balsotāji", "5 balsotāji", "21 balsotājs", "22 balsotāji")),
        ("fi", ("1 äänestäjä", "2 äänestäjää", "5 äänestäjää", "21 äänestäjää", "22 äänestäjää")),
        ("uk", ("1 учасник", "2 учасники", "5 учасників", "21 учасник", "22 учасники")),
    ],
)
def test_shipped_plurals_for_1_2_5_21_22(locale: str, forms: tuple[str, ...]) -> None:
    with using_locale(locale):
        got = tuple(ngettext("{n} voter", "{n} voters", n) for n in (1, 2, 5, 21, 22))
    assert got == forms


# --- each catalog speaks its own language ------------------------------------------------

# What a translation may keep verbatim: placeholders, `code`, option names, identifiers.
_NOT_PROSE = re.compile(
    r"\{[^}]*\}|`[^`]*`|\[[^\]]*\]|\S*[_=/@:.+]\S*|--?\w[\w-]*|\b(?:true|false)\b"
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _prose_words(text: str) -> list[str]:
    """The words of `text` a reader reads, without placeholders and configuration syntax."""
    return _WORD.findall(_NOT_PROSE.sub(" ", text))


def _forms(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _source(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


@pytest.mark.parametrize("locale", ("lv", "fi", "uk"))
def test_translations_are_not_borrowed_from_another_language(
    shipped: i18n_tools.Plan, locale: str
) -> None:
    """Norwegian pasted into the Latvian catalog passes every other check; not this one."""
    bokmal = shipped.catalogs["nb"]
    borrowed: list[str] = []
    for message in shipped.catalogs[locale]:
        if not message.id:
            continue
        norwegian = bokmal.get(message.id)
        if norwegian is None:
            continue
        for form, nb_form in zip(_forms(message), _forms(norwegian), strict=False):
            if len(form) > 20 and form == nb_form and _prose_words(form):
                borrowed.append(f"{_source(message)!r} → {form!r}")
    assert not borrowed, f"{locale}: the Norwegian text, not a translation:\n" + "\n".join(borrowed)


def test_ukrainian_is_written_in_cyrillic(shipped: i18n_tools.Plan) -> None:
    latin: list[str] = []
    for message in shipped.catalogs["uk"]:
        if not message.id:
            continue
        for form in _forms(message):
            if len(_prose_words(form)) >= 2 and not _CYRILLIC.search(form):
                latin.append(f"{_source(message)!r} → {form!r}")
    assert not latin, "uk translations without a Cyrillic letter:\n" + "\n".join(latin)


def test_prose_words_ignore_placeholders_and_configuration() -> None:
    assert _prose_words("**{title}** (`{name}`) — {schedule}") == []
    assert _prose_words("export {name}=postgresql+asyncpg://user:password@host/db") == ["export"]
    assert _prose_words("create_user_groups = true krever user_groups = true") == ["krever"]
    assert _prose_words("Bruk --role eller [slack]") == ["Bruk", "eller"]


# --- every literal the code translates is in the template -------------------------------

# Literals that Babel cannot see yet, in files other engineers are changing: (file, msgid).
# Each is translated inside an f-string or another call's argument. Empty this list once
# their fixes are merged; a literal listed here that is extracted fails the test too.
NOT_YET_EXTRACTED: frozenset[tuple[str, str]] = frozenset()


def _literal_msgids(node: ast.Call) -> list[str | tuple[str, str]]:
    """The msgid a `_()`/`N_()`/`ngettext()` call passes as literals (none when computed)."""
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    args = node.args
    if name in ("_", "N_") and args and _is_text(args[0]):
        return [cast(str, cast(ast.Constant, args[0]).value)]
    if name == "ngettext" and len(args) >= 2 and _is_text(args[0]) and _is_text(args[1]):
        first, second = cast(ast.Constant, args[0]), cast(ast.Constant, args[1])
        return [(cast(str, first.value), cast(str, second.value))]
    return []


def test_every_translated_literal_is_extracted(shipped: i18n_tools.Plan) -> None:
    """A literal Babel does not extract is never translated: `f"{_('Nothing yet.')}"`.

    Babel's extractor skips calls inside f-strings and some nested calls; this walks the
    code the way Python does and checks each literal against the template.
    """
    assert shipped.template is not None
    known = {m.id for m in shipped.template if m.id}
    missing: set[tuple[str, str]] = set()
    where: dict[tuple[str, str], str] = {}
    for folder in i18n_tools.SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                for msgid in _literal_msgids(node):
                    if msgid not in known:
                        key = (relative, msgid if isinstance(msgid, str) else msgid[0])
                        missing.add(key)
                        where[key] = f"{relative}:{node.lineno}: {msgid!r}"
    unexpected = sorted(where[k] for k in missing - NOT_YET_EXTRACTED)
    assert not unexpected, "translated but never extracted:\n" + "\n".join(unexpected)
    fixed = sorted(NOT_YET_EXTRACTED - missing)
    assert not fixed, f"extracted now, remove from NOT_YET_EXTRACTED: {fixed}"
