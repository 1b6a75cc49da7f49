"""Exactly once (issue 9, item 3): identical requests sent at the same moment (2–5 of them,
each on its own database connection) act once and never answer 500. Meant for PostgreSQL
(``TEST_DATABASE_URL``); on SQLite the requests are serialised by the database lock and the
same assertions hold."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Person, StoredFile
from tests.support import csrf_token, fire, login

HEADER = "Фамилия;Имя;Отчество;Дата рождения;Муниципалитет;Образовательная организация"


@pytest.fixture
def admin(app, factory):
    t = factory.tenant()
    user = factory.user(t, "admin")
    factory.organization(t, "Второй район", name="МБОУ «СОШ № 1»")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("times", [2, 5])
def test_import_commit_sent_at_once_imports_once(app, admin, times):
    data = (
        HEADER + "\nПервова;Анна;;05.03.2006;Второй район;\n"
        "Вторых;Иван;;06.03.2006;Второй район;\nТретьякова;Вера;;07.03.2006;;МБОУ «СОШ № 1»\n"
    ).encode()
    token = csrf_token(admin, "/admin/people/import")
    resp = admin.post(
        "/admin/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    url = resp.headers["Location"]
    form = {"csrf_token": csrf_token(admin, url), "commit": "1"}
    statuses = fire(app, admin, url, form, times)
    assert 500 not in statuses and statuses.count(302) >= 1, statuses
    assert count(Person) == 3
    assert count(StoredFile) == 0  # the preview is gone
    # sent again later: refused, nothing imported twice
    resp = admin.post(url, data=form)
    assert resp.status_code in (302, 404) and count(Person) == 3
