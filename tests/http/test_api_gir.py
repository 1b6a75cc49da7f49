"""The ГИР export: the year's Residents with their achievements keyed by СНИЛС, through the
API (admin only) and the admin's XLSX; a row lacking what the register needs is an error, not
a silent omission; every export is audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AuditEntry,
    Participation,
    ParticipationRole as R,
)
from mkr_web.operations.gir_export import GIR_SPEC
from tests.factories import World, achievement, api_token
from tests.support import logged_in, xlsx_rows
from workflows.lifecycle import PersonStatus

RS = PersonStatus.RESIDENT_SCHOOL


@pytest.fixture
def w(factory):
    w = World(factory, "g", admins=1)
    w.r1 = w.person("Альфа", "Анна", "Игоревна", date(2005, 1, 2), RS)
    w.r1.snils = "11223344595"
    w.r2 = w.person("Бета", "Вера", None, date(2005, 3, 4), RS)  # no СНИЛС
    w.r3 = w.person("Гамма", "Галина", None, date(2006, 5, 6), RS)
    w.r3.snils = "08765430300"
    w.p4 = w.person("Дельта", "Дарья", None, date(2006, 7, 8))  # not a Resident
    for p, on in (
        (w.r1, date(2019, 6, 1)),
        (w.r1, date(2018, 6, 1)),
        (w.r2, date(2019, 2, 1)),
        (w.p4, date(2019, 2, 1)),
    ):
        achievement(p, f"Олимпиада {on.year}", on)
    db.session.add(
        Participation(
            tenant_id=w.tenant.id,
            edition_id=w.edition.id,
            person_id=w.r3.id,
            role=R.PRIZE_WINNER,
            place=2,
        )
    )
    db.session.commit()
    return w


def test_api_export_lists_rows_and_errors(client, w):
    resp = client.get(
        "/api/v1/gir-export?year=2019", headers={"Authorization": f"Bearer {api_token(w.admin)}"}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert [c["key"] for c in body["columns"]] == [c.key for c in GIR_SPEC]
    assert body["rows"] == [
        {
            "snils": "112-233-445 95",
            "surname": "Альфа",
            "name": "Анна",
            "patronymic": "Игоревна",
            "birth_on": "2005-01-02",
            "event": "Олимпиада 2019",
            "level": "Региональный",
            "result": "победитель",
            "achieved_on": "2019-06-01",
        },
        {
            "snils": "087-654-303 00",
            "surname": "Гамма",
            "name": "Галина",
            "patronymic": None,
            "birth_on": "2006-05-06",
            "event": "Конференция «Шаг в науку» 2019",
            "level": "Региональный",
            "result": "призёр, 2 место",
            "achieved_on": "2019-03-27",
        },
    ]
    assert body["errors"] == [
        {
            "person_id": w.r2.id,
            "person": "Бета Вера",
            "event": "Олимпиада 2019",
            "missing": ["snils"],
        }
    ]
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "person.gir_export"))
    assert (audit.details["rows"], audit.details["errors"], audit.details["year"]) == (2, 1, 2019)
    coordinator = api_token(w.coord1)
    resp = client.get(
        "/api/v1/gir-export?year=2019", headers={"Authorization": f"Bearer {coordinator}"}
    )
    assert resp.status_code == 403


def test_admin_xlsx_has_the_rows_and_the_errors(app, w):
    client = logged_in(app, w.admin)
    resp = client.get("/admin/gir-export.xlsx?year=2019")
    assert resp.status_code == 200
    data = resp.get_data()
    rows = xlsx_rows(data, "ГИР")
    assert rows[0] == tuple(c.title for c in GIR_SPEC)
    assert [(r[0], r[1], r[6], r[8]) for r in rows[1:]] == [
        ("112-233-445 95", "Альфа", "Региональный", datetime(2019, 6, 1)),
        ("087-654-303 00", "Гамма", "Региональный", datetime(2019, 3, 27)),
    ]
    assert xlsx_rows(data, "Ошибки")[1:] == [(w.r2.id, "Бета Вера", "Олимпиада 2019", "СНИЛС")]
    csv = client.get("/admin/gir-export.csv?year=2019").get_data(as_text=True)
    assert csv.count("\n") == 3 and "Бета" not in csv
    assert client.get("/admin/gir-export.pdf?year=2019").status_code == 404
    assert client.get("/admin/gir-export.csv?year=abc").status_code == 400
