"""Where a count meets a noun, the noun takes its Russian plural form (the ``ru`` catalog's
three forms through Babel's ngettext), and the English page its own."""

from __future__ import annotations

import pytest

from mkr_web.extensions import db
from tests.support import csrf_token, login


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
    tenant = factory.tenant()
    tenant.settings = {"min_experts": n}
    user = factory.user(tenant, "admin")
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    assert text in client.get("/admin/reviews/assign/accreditation").get_data(as_text=True)

    token = csrf_token(client, "/notifications")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    english = client.get("/admin/reviews/assign/accreditation").get_data(as_text=True)
    expected = f"Each item needs at least {n} expert{'' if n == 1 else 's'}."
    assert expected in english
