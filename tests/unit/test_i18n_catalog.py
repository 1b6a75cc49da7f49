"""The English catalog: every entry translated, compiled catalogs current (no app)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "mkr_web" / "translations"


def _catalogs():
    pos = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    assert pos, f"no catalogs under {TRANSLATIONS}"
    return pos


#: The source language: its strings are the msgids; its catalog holds only the plural forms
#: (Russian has three: 1 мероприятие, 2 мероприятия, 5 мероприятий).
SOURCE = "ru"


def _language(po_path: Path) -> str:
    return po_path.parents[1].name


def test_every_catalog_entry_is_translated():
    for po_path in _catalogs():
        with po_path.open("rb") as f:
            catalog = read_po(f)
        if _language(po_path) == SOURCE:
            entries = [m for m in catalog if m.id and m.pluralizable]
        else:
            entries = [m for m in catalog if m.id]
        untranslated = [
            m.id
            for m in entries
            if m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ]
        assert untranslated == [], f"{po_path}: translate these, then scripts/i18n.sh compile"


def test_russian_plural_forms():
    from babel.support import Translations

    ru = Translations.load(str(TRANSLATIONS), ["ru"])
    one, many = "%(num)s участник", "%(num)s участников"
    assert [ru.ungettext(one, many, n) % {"num": n} for n in (1, 3, 5, 11, 21, 22)] == [
        "1 участник",
        "3 участника",
        "5 участников",
        "11 участников",
        "21 участник",
        "22 участника",
    ]
    assert ru.ungettext("Нужно не менее %(num)s эксперта на заявку.", "", 2) == (
        "Нужно не менее %(num)s экспертов на заявку."
    )


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def test_compiled_catalogs_match_their_sources():
    """The app reads the .mo (no compile step at start): it must be compiled from the .po."""
    for po_path in _catalogs():
        with po_path.open("rb") as f:
            po = {
                _key(m.id): _key(m.string)
                for m in read_po(f)
                if m.id and any(_key(m.string)) and not m.fuzzy
            }
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run scripts/i18n.sh compile"
        with mo_path.open("rb") as f:
            mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
        assert mo == po, f"{mo_path} is stale: run scripts/i18n.sh compile"
