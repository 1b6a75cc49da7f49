"""Exactly once (issue 9, item 3): identical requests sent at the same moment (2–5 of them,
each on its own database connection) act once and never answer 500. Meant for PostgreSQL
(``TEST_DATABASE_URL``); on SQLite the requests are serialised by the database lock and the
same assertions hold."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    Achievement,
    Event,
    EventEdition,
    Nomination,
    Organization,
    Person,
    StoredFile,
)
from tests.factories import REGULATION_PDF, World
from tests.support import csrf_token, fire, form_on, logged_in as signed_in, login, settle_jobs

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


# ---- every create form, and state-changing posts without a version ---------------------------


@pytest.fixture
def world(factory):
    w = World(factory)
    yield w
    settle_jobs()


def rows(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def once(app, client, page: str, action: str, model, where=(), files=None, times=5, **values):
    """Send the form of ``page`` posting to ``action`` ``times`` times at once: no 500, and
    exactly one more ``model`` row (``where``) than before."""
    form = form_on(client, page, action)
    assert any(name.endswith("form_token") for name, _ in form.fields), form.fields
    before = rows(model, *where)

    def payload():
        data = form.data(**values)
        for name, (content, filename) in (files or {}).items():
            data[name] = (io.BytesIO(content), filename)
        return data

    statuses = fire(app, client, action, payload, times)
    assert 500 not in statuses, statuses
    assert rows(model, *where) == before + 1, statuses
    return statuses


@pytest.mark.parametrize("times", [2, 5])
def test_new_person(app, world, times):
    admin = signed_in(app, world.admin)
    once(
        app,
        admin,
        "/admin/people/new",
        "/admin/people/new",
        Person,
        times=times,
        surname="Одинцова",
        name="Ирина",
        birth_on="2006-03-05",
        municipality_id=str(world.first.id),
    )


@pytest.mark.parametrize(
    ("who", "url", "model", "values"),
    [
        (
            "admin",
            "/admin/reference",
            Organization,
            lambda w: {
                "name": "МБОУ «Лицей № 7»",
                "kind": "school",
                "municipality_id": str(w.second.id),
            },
        ),
        (
            "admin",
            "/admin/events/new",
            Event,
            lambda w: {
                "title": "Олимпиада «Одна на всех»",
                "kind": "satellite",
                "organizer_id": str(w.rcro.id),
            },
        ),
        (
            "organizer",
            "/organizer/accreditation/new",
            AccreditationApplication,
            lambda w: {
                "files": {"regulation": (REGULATION_PDF, "polozhenie.pdf")},
                "title": "Форум «Один раз»",
                "expected_participants": "100",
                "selection": "Конкурс работ",
            },
        ),
    ],
    ids=["organisation", "event", "application"],
)
def test_new_record(app, world, who, url, model, values):
    once(app, signed_in(app, getattr(world, who)), url, url, model, **values(world))


def test_new_edition(app, world):
    url = f"/admin/events/{world.satellite.id}/editions/new"
    once(app, signed_in(app, world.admin), url, url, EventEdition, year="2020")


def test_new_nomination(app, world):
    pupil = world.person("Лебедева", "Дарья", "Олеговна", date(2006, 9, 1))
    coordinator = signed_in(app, world.coord1)
    url = f"/coordinator/nominations/new?person_id={pupil.id}"
    once(
        app,
        coordinator,
        url,
        "/coordinator/nominations/new",
        Nomination,
        person_id=str(pupil.id),
        kind="admission",
        achievement_level="regional",
        description="Победитель регионального этапа",
    )


def test_achievement_added_once(app, world):
    """A state-changing post without a version (an added row): the token makes it once."""
    person = world.person("Ахмерова", "Лилия", None, date(2005, 1, 2))
    admin = signed_in(app, world.admin)
    page = f"/admin/people/{person.id}"
    action = f"/admin/people/{person.id}/achievements"
    once(
        app,
        admin,
        page,
        action,
        Achievement,
        title="Всероссийская олимпиада",
        level="all_russian",
        result="призёр",
        achieved_on="2019-04-01",
    )


def test_a_refused_form_can_be_sent_again(app, world):
    """The token is written with the action: a refused action leaves it unused."""
    admin = signed_in(app, world.admin)
    form = form_on(admin, "/admin/people/new")
    bad = form.data(surname="Повторова", name="Анна", email="not-an-address")
    assert admin.post("/admin/people/new", data=bad).status_code == 200  # the form again
    good = form.data(surname="Повторова", name="Анна", municipality_id=str(world.first.id))
    assert admin.post("/admin/people/new", data=good).status_code == 302
    resp = admin.post("/admin/people/new", data=good, follow_redirects=True)
    assert "Эта форма уже отправлена: повторная отправка ничего не изменила." in resp.get_data(
        as_text=True
    )
    assert rows(Person, Person.surname == "Повторова") == 1
