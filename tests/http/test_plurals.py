"""Where a count meets a noun, the noun takes its Russian plural form (the ``ru`` catalog's
three forms through Babel's ngettext), and the English page its own."""

from __future__ import annotations

import pytest

from mkr_web.extensions import db
from tests.support import csrf_token, logged_in


def _page_in_both_languages(app, factory, settings: dict, url: str) -> tuple[str, str]:
    """The admin's page ``url`` of a project with ``settings``: in Russian, then in English."""
    tenant = factory.tenant()
    tenant.settings = settings
    user = factory.user(tenant, "admin")
    db.session.commit()
    client = logged_in(app, user)
    russian = client.get(url).get_data(as_text=True)
    token = csrf_token(client, "/notifications")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    return russian, client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "Нужно не менее 1 эксперта на заявку."),
        (2, "Нужно не менее 2 экспертов на заявку."),
        (5, "Нужно не менее 5 экспертов на заявку."),
        (21, "Нужно не менее 21 эксперта на заявку."),
    ],
)
def test_the_expert_minimum_agrees_with_its_count(app, factory, n, text):
    russian, english = _page_in_both_languages(
        app, factory, {"min_experts": n}, "/admin/reviews/assign/accreditation"
    )
    assert text in russian
    expected = f"Each item needs at least {n} expert{'' if n == 1 else 's'}."
    assert expected in english


@pytest.mark.parametrize(
    ("n", "text", "english"),
    [
        (1, "Срок хранения: 1 год после выхода из программы", "Retention: 1 year after leaving"),
        (2, "Срок хранения: 2 года после выхода из программы", "Retention: 2 years after leaving"),
        (5, "Срок хранения: 5 лет после выхода из программы", "Retention: 5 years after leaving"),
        (
            21,
            "Срок хранения: 21 год после выхода из программы",
            "Retention: 21 years after leaving",
        ),
    ],
)
def test_the_retention_period_agrees_with_its_years(app, factory, n, text, english):
    russian, page = _page_in_both_languages(
        app, factory, {"retention_years": n}, "/admin/retention"
    )
    assert text in russian
    assert english in page


@pytest.mark.parametrize(
    ("n", "text", "english"),
    [
        (1, "Пароль должен быть не длиннее 1 символа.", "at most 1 character long."),
        (2, "Пароль должен быть не длиннее 2 символов.", "at most 2 characters long."),
        (5, "Пароль должен быть не длиннее 5 символов.", "at most 5 characters long."),
        (21, "Пароль должен быть не длиннее 21 символа.", "at most 21 characters long."),
    ],
)
def test_the_password_maximum_agrees_with_its_count(app, monkeypatch, n, text, english):
    from flask_babel import force_locale

    from mkr_web.operations import passwords

    monkeypatch.setattr(passwords, "MAX_LENGTH", n)
    with app.test_request_context("/"):
        assert text in passwords.password_problems("я" * (n + 1))
        with force_locale("en"):
            assert f"The password must be {english}" in passwords.password_problems("я" * (n + 1))
