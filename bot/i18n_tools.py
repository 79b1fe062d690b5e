"""Extract, update and compile the translation catalogs: `make i18n`.

    python -m bot.i18n_tools           # write agora.pot, update the .po files, compile .mo
    python -m bot.i18n_tools --check   # write nothing; exit 1 if anything is out of date

1. Extract every translatable string from `bot/` and `adapters/` with Babel's
   extractor (keywords `_`, `N_` and `ngettext:1,2`; `# Translators:` comments are
   kept for translators) into `bot/locales/agora.pot`.
2. Create or update `bot/locales/<locale>/LC_MESSAGES/agora.po` for every supported
   locale except English (the source language): existing translations are kept,
   changed source strings are fuzzy-matched, and `Plural-Forms` is always Babel's for
   the locale (Latvian, Ukrainian and Finnish differ from English).
3. Compile each `.po` into the `.mo` that `bot.i18n` loads (fuzzy entries left out).

The output is deterministic: the creation date is fixed, entries are sorted by
msgid, locations name files without line numbers (moving code does not churn the
catalogs), obsolete entries are dropped, and a file is rewritten only when its bytes
change. Running it twice in a row changes nothing.
"""

from __future__ import annotations

import argparse
import gettext
import io
import re
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT_LOCALE, DOMAIN, LOCALE_DIR, SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "adapters")
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("Translators:",)
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATED_LOCALES = tuple(loc for loc in SUPPORTED_LOCALES if loc != DEFAULT_LOCALE)
# A fixed date, so re-running never changes POT-Creation-Date.
CREATION_DATE = datetime(2026, 1, 1, tzinfo=UTC)
PROJECT = "Agora"
COPYRIGHT = "the Agora contributors"
WIDTH = 76


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("agora-bot")
    except Exception:
        return "0"


# --- extraction ----------------------------------------------------------------------


def extract(root: Path = ROOT, dirs: Sequence[str] = SOURCE_DIRS) -> Catalog:
    """Every translatable string in `dirs` (relative to `root`), as a template catalog."""
    template = Catalog(
        domain=DOMAIN,
        project=PROJECT,
        version=_version(),
        copyright_holder=COPYRIGHT,
        creation_date=CREATION_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    for folder in dirs:
        found = extract_from_dir(
            root / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            location = f"{folder}/{Path(filename).as_posix()}"
            template.add(
                message,
                None,
                [(location, lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


# --- catalogs per locale ---------------------------------------------------------------


def babel_plural_forms(locale: str) -> str:
    count, expression = get_plural(locale)
    return f"nplurals={count}; plural={expression};"


def form_order(old_rule: str, new_rule: str, count: int) -> list[int] | None:
    """For each form of `new_rule`, the index of the form under `old_rule` that says it.

    Babel releases follow CLDR, which sometimes reorders a language's forms (Babel 2.19
    put Latvian's "zero" first). Each new form takes the old form chosen for the
    smallest number that falls in it, so "0 failu" stays with 0 and "1 fails" with 1.
    None when a new form has no number below 1,000 (nothing to map).
    """
    old, new = gettext.c2py(old_rule), gettext.c2py(new_rule)
    order: list[int | None] = [None] * count
    for n in range(1000):
        index = new(n)
        if index < count and order[index] is None:
            order[index] = old(n)
    if any(i is None for i in order):
        return None
    return [i for i in order if i is not None]


def _plural_expression(header: str) -> str | None:
    found = re.search(r"plural=(.*?);?\s*$", header)
    return found.group(1) if found else None


def _reorder_forms(catalog: Catalog, old_header: str, new_header: str) -> None:
    """Move every plural entry's forms from the old rule's order to the new one's."""
    old_rule, new_rule = _plural_expression(old_header), _plural_expression(new_header)
    if old_rule is None or new_rule is None:
        return
    order = form_order(old_rule, new_rule, catalog.num_plurals)
    if order is None or order == list(range(len(order))):
        return
    for message in catalog:
        if message.id and isinstance(message.string, tuple | list) and any(message.string):
            forms = list(message.string)
            message.string = tuple(forms[i] if i < len(forms) else "" for i in order)


def updated_catalog(locale: str, template: Catalog, existing: bytes | None) -> Catalog:
    """The locale's catalog brought up to date with `template`, translations kept."""
    if existing is not None:
        catalog = read_po(io.BytesIO(existing), locale=locale, domain=DOMAIN)
    else:
        catalog = Catalog(
            locale=locale,
            domain=DOMAIN,
            project=PROJECT,
            version=template.version,
            copyright_holder=COPYRIGHT,
            creation_date=CREATION_DATE,
            charset="utf-8",
            fuzzy=False,
        )
    # Whatever the file said, the plural rule is Babel's for the locale; set it before
    # update() so plural entries are checked against the right number of forms, and
    # keep each translated form with the numbers it was written for.
    wanted = babel_plural_forms(locale)
    if catalog.plural_forms != wanted:
        old, old_count = catalog.plural_forms, catalog.num_plurals
        catalog.mime_headers = [("Plural-Forms", wanted)]
        if existing is not None and catalog.num_plurals == old_count:
            _reorder_forms(catalog, old, wanted)
    catalog.version = template.version
    catalog.update(template, update_creation_date=True)
    for message in catalog:
        # New plural entries come from the template with two forms; give them as many
        # as the locale has, as they will have once read back from the .po file.
        if message.id and message.pluralizable:
            forms = tuple(message.string or ())
            missing = catalog.num_plurals - len(forms)
            if missing > 0:
                message.string = forms + ("",) * missing
    return catalog


def render_po(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=WIDTH,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,
    )
    return buffer.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    """The compiled catalog, with only entries that have a translation.

    Untranslated entries are left out (gettext falls back to the English source);
    Babel's `write_mo` would otherwise keep plural entries whose forms are all empty.
    """
    compiled = Catalog(locale=catalog.locale, domain=catalog.domain, charset=catalog.charset)
    compiled.mime_headers = catalog.mime_headers
    for message in catalog:
        if message.id and not message.fuzzy and _translated(message):
            compiled[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, compiled, use_fuzzy=False)
    return buffer.getvalue()


def _translated(message: Message) -> bool:
    """At least one form is translated (Babel fills the others from the source)."""
    if isinstance(message.string, tuple | list):
        return any(message.string)
    return bool(message.string)


# --- checks ----------------------------------------------------------------------------

_FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str]:
    """The `{names}` a brace-format string uses (`{n!r:>3}` → `n`)."""
    names: set[str] = set()
    try:
        for _literal, name, _spec, _conversion in _FORMATTER.parse(text):
            if name is not None:
                names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    except ValueError:
        names.add("<malformed>")
    return names


def _forms_of_one_number(header: str) -> set[int]:
    """The plural forms that the catalog's rule picks for exactly one number (0..999)."""
    rule = _plural_expression(header)
    if rule is None:
        return set()
    pick = gettext.c2py(rule)
    numbers: dict[int, int] = {}
    for n in range(1000):
        numbers[pick(n)] = numbers.get(pick(n), 0) + 1
    return {form for form, count in numbers.items() if count == 1}


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Translations that use a placeholder the source does not supply, or lose one."""
    problems: list[str] = []
    single = _forms_of_one_number(catalog.plural_forms)
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set().union(*(placeholders(i) for i in ids))
        plural = len(ids) > 1
        for index, form in enumerate(strings):
            if not form:
                continue
            used = placeholders(form)
            extra = used - wanted - ({"n"} if plural else set())
            # A plural form may drop {n} ("one file") only when it is said of one number
            # alone: Latvian's and Ukrainian's first forms also say 21, 31, 101 ….
            optional = {"n"} if plural and index in single else set()
            missing = wanted - used - optional
            if extra or missing:
                problems.append(
                    f"{catalog.locale}: {ids[0]!r} → {form!r}: "
                    + ", ".join(
                        [f"unknown {{{x}}}" for x in sorted(extra)]
                        + [f"missing {{{x}}}" for x in sorted(missing)]
                    )
                )
    return problems


# --- the command -------------------------------------------------------------------------


@dataclass
class Plan:
    """What the files should contain; `stale` lists those that differ on disk."""

    files: dict[Path, bytes] = field(default_factory=dict)
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    template: Catalog | None = None

    @property
    def stale(self) -> list[Path]:
        return [path for path, data in self.files.items() if _read(path) != data]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def plan(locales: Iterable[str] = TRANSLATED_LOCALES) -> Plan:
    result = Plan()
    template = extract()
    result.template = template
    result.files[TEMPLATE] = render_po(template)
    for locale in locales:
        catalog = updated_catalog(locale, template, _read(po_path(locale)))
        result.catalogs[locale] = catalog
        result.files[po_path(locale)] = render_po(catalog)
        result.files[mo_path(locale)] = render_mo(catalog)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n_tools", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a catalog is out of date"
    )
    args = parser.parse_args(argv)
    result = plan()
    stale = result.stale
    problems = [p for c in result.catalogs.values() for p in placeholder_problems(c)]
    for problem in problems:
        print(f"placeholder mismatch: {problem}", file=sys.stderr)
    assert result.template is not None
    count = len(result.template)
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run `make i18n`)", file=sys.stderr)
        return 1 if stale or problems else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(result.files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    for locale, catalog in result.catalogs.items():
        done = count - len(untranslated(catalog))
        print(f"{locale}: {done}/{count} translated")
    if not stale:
        print(f"catalogs up to date ({count} messages)")
    return 1 if problems else 0


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids a member of this locale would read in English (missing, partial, fuzzy)."""
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(forms):
            missing.append(message.id[0] if isinstance(message.id, tuple | list) else message.id)
    return missing


if __name__ == "__main__":
    sys.exit(main())
