"""Russian by default, English on request; the committed catalogs are complete and compiled."""

from __future__ import annotations

import re

from tests.support import post_form

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
