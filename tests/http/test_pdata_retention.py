"""The retention schedule and destruction acts (issue 16): persons kept past the tenant's
retention are listed for the admin, approved in one batch, anonymised (scans deleted, history
and counts kept: a past year's report is identical before and after), with a PDF act and an
XLSX extract of the audit log kept as documents and listed on the admin's page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from mkr_web.documents.storage import absolute_path
from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Consent, DestructionBatch, Person, StoredFile
from mkr_web.operations.retention import propose_everywhere
from tests.factories import consent as add_consent, make_person, stored_pdf
from tests.support import login, pdf_text, post_form, xlsx_rows


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2025, 3, 1, 9, 0), tick=False) as traveller:
        yield traveller


def _world(factory):
    t = factory.tenant()
    t.operator_name = "РЦРО"
    admin = factory.user(t, "admin")
    left = make_person(
        t,
        "Ушедшая",
        "Алла",
        email="alla@example.ru",
        history=[("admit_school", date(2016, 5, 1)), ("graduate", date(2019, 6, 1))],
    )
    recent = make_person(
        t,
        "Недавняя",
        "Инна",
        history=[("admit_school", date(2019, 5, 1)), ("graduate", date(2023, 6, 1))],
    )
    withdrawn = make_person(t, "Отозвавшая", "Вера", history=[("admit_school", date(2019, 5, 1))])
    scan = stored_pdf(t.id, "consent")
    add_consent(
        withdrawn,
        date(2019, 4, 1),
        giver_name="Отозвавшая Мать",
        file=scan,
        expires_on=date(2028, 1, 1),
        withdrawn_on=date(2021, 1, 10),
    )
    active = make_person(t, "Действующая", "Ася", history=[("admit_school", date(2019, 5, 1))])
    db.session.commit()
    return t, admin, left, recent, withdrawn, active, scan


def test_past_retention_is_listed_approved_in_one_batch_and_leaves_an_act(client, factory, clock):
    t, admin, left, recent, withdrawn, active, scan = _world(factory)
    scan_path, scan_key = absolute_path(scan), scan.path
    assert scan_path.exists()
    login(client, admin.email)
    report_before = client.get("/admin/report.json?year=2019").get_json()
    assert report_before["residents"]["active"] == 3  # a past year: all three were Residents

    post_form(client, "/admin/retention/propose", {}, form_url="/admin/retention")
    page = client.get("/admin/retention").get_data(as_text=True)
    due = page.split('data-testid="retention-due"')[1].split("</table>")[0]
    assert "Ушедшая Алла" in due and "вышел из программы 01.06.2019" in due
    assert "Отозвавшая Вера" in due and "согласие отозвано 10.01.2021" in due
    assert "Недавняя" not in due and "Действующая" not in due
    batch = db.session.execute(sa.select(DestructionBatch)).scalar_one()
    assert (batch.number, batch.state.value, batch.person_ids) == (
        "УНИЧ-2025-001",
        "proposed",
        [left.id, withdrawn.id],
    )

    resp = post_form(
        client, f"/admin/retention/{batch.id}/approve", {}, form_url="/admin/retention"
    )
    assert resp.status_code == 302
    db.session.expire_all()
    gone = {p.id: p for p in db.session.scalars(sa.select(Person))}
    assert [(gone[i].surname, gone[i].email, gone[i].is_anonymized) for i in batch.person_ids] == [
        ("Обезличено", None, True),
        ("Обезличено", None, True),
    ]
    assert (gone[recent.id].surname, gone[active.id].surname) == ("Недавняя", "Действующая")
    assert not scan_path.exists()
    # by its storage path: SQLite gives a deleted row's id to the next row (the act's file)
    assert db.session.scalar(sa.select(StoredFile).where(StoredFile.path == scan_key)) is None
    consent = db.session.execute(sa.select(Consent)).scalar_one()
    assert (consent.file_id, consent.giver_name, consent.withdrawn_on) == (
        None,
        None,
        date(2021, 1, 10),
    )

    # the past year's report does not change
    assert client.get("/admin/report.json?year=2019").get_json() == report_before

    batch = db.session.execute(sa.select(DestructionBatch)).scalar_one()
    assert (batch.state.value, batch.approved_by_id, batch.approved_on) == (
        "done",
        admin.id,
        date(2025, 3, 1),
    )
    page = client.get("/admin/retention").get_data(as_text=True)
    acts = page.split('data-testid="destruction-acts"')[1].split("</table>")[0]
    assert "УНИЧ-2025-001" in acts and "01.03.2025" in acts
    act = client.get(f"/admin/retention/{batch.id}/act.pdf")
    assert act.status_code == 200 and act.mimetype == "application/pdf"
    text = pdf_text(act.data)
    for expected in (
        "Акт об уничтожении персональных данных № УНИЧ-2025-001",
        "Оператор персональных данных РЦРО",
        f"участники программы (в том числе несовершеннолетние) — 2 чел.; записи банка № "
        f"{left.id}, {withdrawn.id}",
        "сканы согласий на обработку персональных данных (файлы удалены из хранилища)",
        "Дата уничтожения 01.03.2025",
        f"Уничтожение утвердил: {admin.full_name}",
    ):
        assert expected in text, expected
    for erased in ("Ушедшая", "Отозвавшая", "alla@example.ru", "Алла"):
        assert erased not in text
    log = client.get(f"/admin/retention/{batch.id}/log.xlsx")
    rows = xlsx_rows(log.data)
    assert rows[0] == (
        "Дата и время (UTC)",
        "Запись №",
        "Действие",
        "Пользователь",
        "Роль",
        "Сведения",
    )
    assert [(r[1], r[2]) for r in rows[1:]] == [
        (left.id, "person.create"),
        (withdrawn.id, "person.create"),
        (left.id, "person.anonymize"),
        (withdrawn.id, "person.anonymize"),
    ]
    assert rows[-1][5] == "reason=retention, scans_deleted=1"
    downloads = db.session.scalars(
        sa.select(AuditEntry.details)
        .where(AuditEntry.action == "retention.document_download")
        .order_by(AuditEntry.id)
    ).all()
    assert downloads == [{"document": "act_file"}, {"document": "log_file"}]
    # a second approval is refused: nothing changes
    post_form(client, f"/admin/retention/{batch.id}/approve", {}, form_url="/admin/retention")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DestructionBatch)) == 1


def test_the_nightly_task_proposes_per_tenant_and_refreshes_the_open_list(factory, clock):
    t, admin, left, recent, withdrawn, active, scan = _world(factory)
    empty = factory.tenant()
    assert propose_everywhere() == {str(t.id): 2, str(empty.id): 0}
    db.session.commit()
    # the withdrawal is superseded by a new consent: that person is no longer due
    add_consent(withdrawn, date(2025, 2, 1), "self", expires_on=date(2030, 2, 1))
    db.session.commit()
    assert propose_everywhere() == {str(t.id): 1, str(empty.id): 0}
    db.session.commit()
    batch = db.session.execute(sa.select(DestructionBatch)).scalar_one()
    assert batch.person_ids == [left.id]


def test_the_tenant_sets_its_consent_and_retention_years(client, factory, clock):
    t, admin, left, recent, withdrawn, active, scan = _world(factory)
    login(client, admin.email)
    resp = post_form(
        client,
        "/admin/settings/personal-data",
        {"consent_years": "2", "retention_years": "7"},
        form_url="/admin/settings",
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert (t.setting("consent_years"), t.setting("retention_years")) == (2, 7)
    assert "Срок хранения: 7 лет" in client.get("/admin/retention").get_data(as_text=True)
    # left in 2019, withdrew in 2021: neither is past seven years on 01.03.2025
    post_form(client, "/admin/retention/propose", {}, form_url="/admin/retention")
    html = client.get("/admin/retention").get_data(as_text=True)
    assert "Людей с истёкшим сроком хранения нет." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DestructionBatch)) == 0
    # a new consent of an adult lasts two years now
    card = f"/admin/people/{active.id}"
    post_form(
        client,
        f"{card}/consents",
        {"given_on": "2025-02-01", "given_by": "self", "covers_processing": "y"},
        form_url=card,
    )
    newest = db.session.scalars(sa.select(Consent).order_by(Consent.id.desc())).first()
    assert (newest.person_id, newest.expires_on) == (active.id, date(2027, 2, 1))
    # out of range: refused, nothing changes
    post_form(
        client,
        "/admin/settings/personal-data",
        {"consent_years": "0", "retention_years": "7"},
        form_url="/admin/settings",
    )
    db.session.expire_all()
    assert t.setting("consent_years") == 2
