"""СНИЛС: the checksum, one person per tenant, matched first in the persons import and in
a results protocol (sent through the API), shown in full to the admin and the coordinator,
masked to an organiser, never on the public verify page."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Certificate, CertificateKind, MatchKind, Person
from mkr_web.operations.snils import formatted, is_valid, masked, normalize, shown_to
from tests.factories import World, api_token, make_person, row
from tests.support import form_on, logged_in, upload_file
from workflows.lifecycle import PersonStatus
from workflows.roles import Role

#: a page's form tokens (random: any digits may occur in them)
TOKENS = re.compile(r'name="(?:csrf_token|form_token)"(?: type="hidden")? value="[^"]*"')
VALID = "112-233-445 95"  # 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95
VALID2 = "087-654-303 00"  # the sum is 202: 202 mod 101 = 0


def test_checksum_format_and_mask():
    assert normalize(VALID) == "11223344595"
    assert normalize(" 08765430300 ") == "08765430300"
    assert normalize("") is None
    assert (is_valid(VALID), is_valid(VALID2), is_valid("112-233-445 96")) == (True, True, False)
    assert (is_valid("1122334459"), is_valid("1122334459a"), is_valid("001-001-998 42")) == (
        False,
        False,
        True,  # numbers up to 001-001-998 carry no checksum
    )
    with pytest.raises(ValueError, match="СНИЛС"):
        normalize("112-233-445 96")
    assert (formatted("11223344595"), masked("11223344595")) == (VALID, "***-***-*** 95")
    assert [shown_to(r, "11223344595") for r in Role] == [
        VALID,  # admin
        VALID,  # coordinator
        "***-***-*** 95",  # organiser
        None,  # expert: never
        "***-***-*** 95",  # platform admin
    ]


@pytest.fixture
def w(factory):
    return World(factory, "a", admins=1)


def test_person_form_checks_the_number_and_its_uniqueness(app, w):
    client = logged_in(app, w.admin)
    url = "/admin/people/new"

    def create(surname, snils):
        form = form_on(client, url)
        values = form.data(
            surname=surname, name="Анна", snils=snils, municipality_id=str(w.first.id)
        )
        return client.post(url, data=values)

    resp = create("Неверная", "112-233-445 96")
    assert "СНИЛС: неверный номер" in resp.get_data(as_text=True)
    assert create("Верная", VALID).status_code == 302
    resp = create("Другая", "11223344595")
    assert "СНИЛС: этот номер уже указан у другой персоны проекта." in resp.get_data(as_text=True)
    assert db.session.execute(sa.select(Person.surname, Person.snils)).all() == [
        ("Верная", "11223344595")
    ]
    person = db.session.scalar(sa.select(Person))
    card = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert f'data-testid="snils">{VALID}<' in card


def test_persons_import_matches_by_snils_first(app, w):
    existing = make_person(w.tenant, "Старая", "Фамилия", birth_on=date(2006, 1, 1), snils=VALID)
    client = logged_in(app, w.admin)
    header = "Фамилия;Имя;Отчество;Дата рождения;Муниципалитет;Образовательная организация;СНИЛС\n"

    def preview(line: str) -> str:
        resp = upload_file(client, "/admin/people/import", (header + line).encode(), "s.csv")
        assert resp.status_code == 302, resp.get_data(as_text=True)[-500:]
        return client.get(resp.headers["Location"]).get_data(as_text=True)

    html = preview("Другой;Человек;;02.02.2006;Первый район;;112-233-445 96\n")
    assert "неверный СНИЛС (проверьте цифры и контрольное число)" in html
    # another name, the same СНИЛС: the person of that СНИЛС (not created again)
    html = preview(f"Захаров;Пётр;;01.01.2006;Первый район;;{VALID}\n")
    assert f'href="/admin/people/{existing.id}"' in html


def test_protocol_through_the_api_matches_by_snils_and_organiser_sees_it_masked(client, w):
    resident = w.person("Прежняя", "Анна", None, date(2004, 4, 12), PersonStatus.RESIDENT_SCHOOL)
    resident.snils = "11223344595"
    db.session.commit()
    token = api_token(w.organizer)
    url = f"/api/v1/editions/{w.edition.id}/protocol"
    rows = [row(snils=VALID), row(surname="Иная", snils="112-233-445 96")]
    resp = client.post(url, json={"rows": rows}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 422
    assert [(e["row"], e["field"]) for e in resp.get_json()["errors"]] == [(2, "snils")]
    resp = client.post(url, json={"rows": rows[:1]}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["preview"][0]["match"] == "active_resident"
    candidate = db.session.scalar(sa.select(AdmissionCandidate))
    assert (candidate.match, candidate.person_id, candidate.snils) == (
        MatchKind.ACTIVE_RESIDENT,
        resident.id,
        "11223344595",
    )
    seen = client.get(
        f"/api/v1/candidates/{candidate.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert seen["snils"] == "***-***-*** 95"
    admin = api_token(w.admin)
    seen = client.get(
        f"/api/v1/candidates/{candidate.id}", headers={"Authorization": f"Bearer {admin}"}
    ).get_json()
    assert seen["snils"] == VALID
    person = client.get(
        f"/api/v1/persons/{resident.id}", headers={"Authorization": f"Bearer {admin}"}
    ).get_json()
    assert person["snils"] == VALID


def test_verify_page_never_shows_the_snils(client, w):
    p = w.person("Проверяемая", "Анна", None, date(2004, 4, 12), PersonStatus.RESIDENT_SCHOOL)
    p.snils = "11223344595"
    db.session.add(
        Certificate(
            tenant_id=w.tenant.id,
            kind=CertificateKind.RESIDENT,
            subject_id=p.id,
            number="РЕЗ-2019-001",
            code="code-1",
            issued_on=date(2019, 5, 20),
        )
    )
    db.session.commit()
    for url in ("/verify/code-1", "/api/v1/verify/code-1"):
        body = client.get(url).get_data(as_text=True)
        assert "РЕЗ-2019-001" in body
        # the page's random form tokens may hold any two digits: they are not the person's
        body = TOKENS.sub("", body).replace("РЕЗ-2019-001", "")
        assert "95" not in body and "445" not in body


def test_participant_list_matches_by_snils_first(client, w):
    holder = w.person("Владелица", "Анна", None, date(2006, 1, 1))
    holder.snils = "11223344595"
    db.session.commit()
    token = api_token(w.organizer)
    url = f"/api/v1/editions/{w.satellite_edition.id}/participants"
    rows = [
        {"surname": "Совсем", "name": "Другая", "birth_on": "02.02.2007", "snils": VALID},
        {"surname": "Новая", "name": "Ира", "snils": VALID2},
    ]
    auth = {"Authorization": f"Bearer {token}"}
    bad = client.post(url, json={"rows": [dict(rows[0], snils="112-233-445 96")]}, headers=auth)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "snils"
    resp = client.post(url, json={"rows": rows}, headers=auth)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [p["match"] for p in resp.get_json()["preview"]] == ["existing", "new"]
    assert resp.get_json()["result"]["matched"] == 1
    people = db.session.execute(sa.select(Person.surname, Person.snils).order_by(Person.id)).all()
    assert [tuple(p) for p in people] == [("Владелица", "11223344595"), ("Новая", "08765430300")]
