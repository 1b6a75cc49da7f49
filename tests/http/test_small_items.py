"""Smaller items of issue 17: a verification page that says the certificate was not found and
what to do, and a favicon."""

from __future__ import annotations


def test_an_unknown_verification_code_says_what_to_do(client):
    for code in ("not-a-real-code", "x" * 65):
        resp = client.get(f"/verify/{code}")
        assert resp.status_code == 404
        html = resp.get_data(as_text=True)
        assert '<h1 class="h3" data-testid="verify-not-found">Свидетельство не найдено</h1>' in html
        assert "Свидетельства с таким кодом проверки нет в региональном банке данных." in html
        assert "обратитесь к оператору регионального банка данных" in html


def test_favicon(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    for url in ("/favicon.ico", "/static/favicon.svg"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
        assert resp.data.startswith(b"<svg ")
