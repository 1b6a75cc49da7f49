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


def test_every_catalog_entry_is_translated():
    for po_path in _catalogs():
        with po_path.open("rb") as f:
            catalog = read_po(f)
        untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        assert untranslated == [], f"{po_path}: translate these, then scripts/i18n.sh compile"


def test_compiled_catalogs_match_their_sources():
    """The app reads the .mo (no compile step at start): it must be compiled from the .po."""
    for po_path in _catalogs():
        with po_path.open("rb") as f:
            po = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run scripts/i18n.sh compile"
        with mo_path.open("rb") as f:
            mo = {m.id: m.string for m in read_mo(f) if m.id}
        assert mo == po, f"{mo_path} is stale: run scripts/i18n.sh compile"
