"""Personal-data rights: one person's data as JSON (audited) and anonymisation of a person
who left, keeping what the reports count."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.documents.storage import absolute_path
from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionBatch,
    AdmissionCandidate,
    AuditEntry,
    Consent,
    Direction,
    Participation,
    ParticipationRole,
    Person,
    PersonStatusChange,
    StoredFile,
)
from mkr_web.queries.people import status_counts_as_of
from tests.factories import card_person, edition as make_edition, event, make_person, participate
from tests.support import csrf_token, login, one_page_pdf, post_form

PDF = one_page_pdf("scan")


@pytest.fixture
def leaver(factory):
    t, admin, school, p = card_person(
        factory,
        "Второй район",
        "Лицей № 9",
        surname="Уходящая",
        name="Вера",
        patronymic="Павловна",
        birth_on=date(2001, 6, 15),
        grade="выпускник",
        email="vera@example.ru",
        phone="+7 900 123-45-67",
        parent_name="Уходящая Нина",
        parent_phone="+7 900 765-43-21",
        parent_email="nina@example.ru",
        social_url="https://vk.com/vera",
        history=[
            ("admit_school", date(2017, 5, 1)),
            ("enrol_university", date(2018, 9, 1)),
            ("graduate", date(2020, 7, 1)),
        ],
    )
    edition = make_edition(event(t, "Конференция", direction=Direction.MEDIA), 2017)
    participate(edition, p, ParticipationRole.WINNER)
    batch = AdmissionBatch(tenant_id=t.id, number="ПРОТ-2017-001", edition_id=edition.id)
    db.session.add(batch)
    db.session.flush()
    db.session.add(
        AdmissionCandidate(
            tenant_id=t.id,
            batch_id=batch.id,
            row_no=2,
            surname="Уходящая",
            name="Вера",
            patronymic="Павловна",
            birth_on=date(2001, 6, 15),
            organization_name="Лицей № 9",
            municipality_id=school.municipality_id,
            result="winner",
            parent_contact="+7 900 765-43-21",
            person_id=p.id,
        )
    )
    db.session.commit()
    return t, admin, p


def _add_scan(client, p):
    token = csrf_token(client, f"/admin/people/{p.id}")
    resp = client.post(
        f"/admin/people/{p.id}/consents",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "given_on": "2017-04-20",
            "given_by": "parent",
            "giver_name": "Уходящая Нина",
            "covers_processing": "y",
            "scan": (io.BytesIO(PDF), "consent.pdf"),
        },
    )
    assert resp.status_code == 302


def test_export_one_persons_data_as_json(client, leaver):
    t, admin, p = leaver
    login(client, admin.email)
    _add_scan(client, p)
    resp = client.get(f"/admin/people/{p.id}/data.json")
    assert resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="person-{p.id}.json"'
    data = json.loads(resp.data)
    assert (data["surname"], data["name"], data["patronymic"], data["birth_on"]) == (
        "Уходящая",
        "Вера",
        "Павловна",
        "2001-06-15",
    )
    assert data["parent"] == {
        "name": "Уходящая Нина",
        "phone": "+7 900 765-43-21",
        "email": "nina@example.ru",
    }
    assert data["organization"] == "Лицей № 9" and data["status"] == "alumni"
    assert [h["to"] for h in data["status_history"]] == [
        "resident_school",
        "resident_student",
        "alumni",
    ]
    assert data["consents"] == [
        {
            "given_on": "2017-04-20",
            "given_by": "parent",
            "giver_name": "Уходящая Нина",
            "scan": "consent.pdf",
        }
    ]
    assert data["participations"] == [
        {"event": "Конференция", "year": 2017, "role": "winner", "place": None, "section": None}
    ]
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.data_export")
    ).scalar_one()
    assert (entry.user_id, entry.object_id, entry.details) == (admin.id, p.id, {})


def test_anonymise_keeps_counts_and_removes_identity(client, leaver):
    t, admin, p = leaver
    login(client, admin.email)
    _add_scan(client, p)
    scan = db.session.execute(sa.select(StoredFile)).scalar_one()
    path = absolute_path(scan)
    assert path.read_bytes() == PDF
    before = status_counts_as_of(t.id, date(2019, 1, 1))
    card = f"/admin/people/{p.id}"
    version = db.session.get(Person, p.id).version
    resp = post_form(client, f"{card}/anonymize", {"version": version}, form_url=card)
    assert resp.status_code == 302
    db.session.expire_all()
    p = db.session.get(Person, p.id)
    assert (p.surname, p.name, p.patronymic, p.birth_on) == (
        "Обезличено",
        f"№ {p.id}",
        None,
        date(2001, 1, 1),
    )
    assert (p.email, p.phone, p.parent_name, p.parent_phone, p.parent_email, p.social_url) == (
        None,
    ) * 6
    assert p.is_anonymized and p.search_name == f"обезличено № {p.id}"
    # what the reports count stays
    assert (p.status.value, p.admission_on, p.organization.name) == (
        "alumni",
        date(2017, 5, 1),
        "Лицей № 9",
    )
    assert p.municipality.name == "Второй район"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonStatusChange)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 1
    assert status_counts_as_of(t.id, date(2019, 1, 1)) == before
    # the scan is gone from storage and from the database; the consent's date stays
    assert not path.exists()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    consent = db.session.execute(sa.select(Consent)).scalar_one()
    assert (consent.file_id, consent.giver_name, consent.given_on) == (
        None,
        None,
        date(2017, 4, 20),
    )
    cand = db.session.execute(sa.select(AdmissionCandidate)).scalar_one()
    assert (cand.surname, cand.patronymic, cand.birth_on, cand.parent_contact) == (
        "Обезличено",
        None,
        date(2001, 1, 1),
        None,
    )
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.anonymize")
    ).scalar_one()
    assert entry.details == {"scans_deleted": 1}
    # no name anywhere in the audit log
    assert "Уходящая" not in json.dumps(
        [e.details for e in db.session.scalars(sa.select(AuditEntry))], ensure_ascii=False
    )
    html = client.get(card).get_data(as_text=True)
    assert "Уходящая" not in html and "Данные обезличены." in html
    assert client.get(f"{card}/edit").status_code == 200  # the form shows, saving is refused
    resp = post_form(
        client,
        f"{card}/edit",
        {"surname": "Снова", "name": "Вера", "version": p.version},
        form_url=f"{card}/edit",
    )
    assert "Данные обезличены и не редактируются." in resp.get_data(as_text=True)
    resp = post_form(client, f"{card}/anonymize", {"version": p.version}, form_url=card)
    assert "уже обезличены" in client.get(card).get_data(as_text=True)


def test_active_resident_cannot_be_anonymised(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Активная", history=[("admit_school", date(2019, 1, 1))])
    login(client, admin.email)
    card = f"/admin/people/{p.id}"
    post_form(client, f"{card}/anonymize", {"version": 1}, form_url=card)
    html = client.get(card).get_data(as_text=True)
    assert "Обезличить можно только партнёра (бывшего резидента) или исключённого." in html
    db.session.expire_all()
    assert db.session.get(Person, p.id).surname == "Активная"
