"""Russian by default, English on request; the committed catalogs are complete and compiled."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import post_form

TRANSLATIONS = Path(__file__).resolve().parent.parent / "mkr_web" / "translations"
H1_RE = re.compile(r"<h1[^>]*>([^<]*)</h1>")


def _login_page(client) -> tuple[str, str]:
    html = client.get("/login").get_data(as_text=True)
    lang = re.search(r'<html lang="(\w+)">', html).group(1)
    return lang, H1_RE.search(html).group(1)


def test_login_page_is_russian_by_default(client):
    assert _login_page(client) == ("ru", "Вход в систему")


def test_language_switch_to_english_and_back(client):
    resp = post_form(client, "/language", {"lang": "en"}, form_url="/login")
    assert resp.status_code == 302
    assert _login_page(client) == ("en", "Sign in to MKR")
    html = client.get("/login").get_data(as_text=True)
    assert "Password" in html and "Пароль" not in html

    post_form(client, "/language", {"lang": "ru"}, form_url="/login")
    assert _login_page(client) == ("ru", "Вход в систему")


def test_unknown_language_is_ignored(client):
    post_form(client, "/language", {"lang": "xx"}, form_url="/login")
    assert _login_page(client) == ("ru", "Вход в систему")


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
