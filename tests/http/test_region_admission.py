"""Admission for history (issue 11 items 4–5): a decision carries the date it takes effect
(default today; a past date within the edition's year and the next; audited), and a second
protocol for an edition shows the first and skips the rows it already holds."""

from datetime import date, timedelta

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionBatch,
    AdmissionCandidate,
    AuditEntry,
    Person,
    PersonStatusChange,
)
from mkr_web.operations import admission as ops
from mkr_web.operations.admission_rows import COLUMNS
from tests.factories import PROTOCOL_ANNA, row
from tests.support import (
    logged_in as client_for,
    post_form,
    upload_file,
    xlsx_bytes,
)

TITLES = [title for _key, title in COLUMNS]


def confirmed(world, *rows):
    batch = ops.create_batch(world.edition, list(rows), world.organizer)
    db.session.commit()
    admin = world.membership(world.admin)
    for c in batch.candidates:
        ops.confirm_candidate(c, admin, consent_on=date(2019, 4, 5), on_file=True)
    db.session.commit()
    return batch


def test_admission_dated_in_the_past_and_audited(app, world):
    batch = confirmed(world, row(), row(surname="Иванов", birth_date="01.02.2004"))
    anna, ivan = batch.candidates
    client = client_for(app, world.admin)
    url = f"/admin/admission/candidates/{anna.id}/admit"
    page = f"/admin/admission/candidates/{anna.id}"
    # a future date and a date outside 2019–2020 are refused, nothing changes
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for typed, message in [
        (tomorrow, "Дата решения не может быть в будущем."),
        ("2018-12-31", "Дата решения — в отчётном году мероприятия (2019) или в следующем (2020)."),
        ("31.05.2019", "Дата решения: нужна дата."),
    ]:
        resp = post_form(client, url, {"version": anna.version, "decided_on": typed}, form_url=page)
        assert message in client.get(resp.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, anna.id).decided_on is None
    # a past date within the edition's year: the status history carries it
    post_form(client, url, {"version": anna.version, "decided_on": "2019-05-31"}, form_url=page)
    db.session.expire_all()
    anna = db.session.get(AdmissionCandidate, anna.id)
    person = db.session.get(Person, anna.person_id)
    assert (anna.decided_on, person.admission_on, person.status_since) == (
        date(2019, 5, 31),
        date(2019, 5, 31),
        date(2019, 5, 31),
    )
    assert db.session.scalars(
        sa.select(PersonStatusChange.changed_on).where(PersonStatusChange.person_id == person.id)
    ).all() == [date(2019, 5, 31)]
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "admission_candidate.admit")
    ).scalar_one()
    assert (entry.object_id, entry.details) == (
        anna.id,
        {"effective_on": "2019-05-31", "is_backdated": True},
    )
    assert entry.at.date() == date.today()  # when it was recorded
    today = date.today().strftime("%d.%m.%Y")
    assert f"Решение действует с 31.05.2019 (записано {today})." in client.get(page).get_data(
        as_text=True
    )
    # no date: today
    ivan_url = f"/admin/admission/candidates/{ivan.id}/admit"
    post_form(
        client,
        ivan_url,
        {"version": ivan.version},
        form_url=f"/admin/admission/candidates/{ivan.id}",
    )
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, ivan.id).decided_on == date.today()


def test_batch_admit_and_reject_carry_the_date(app, world):
    batch = confirmed(world, row(), row(surname="Иванов", birth_date="01.02.2004"))
    client = client_for(app, world.admin)
    page = f"/admin/admission/batches/{batch.id}"
    html = client.get(page).get_data(as_text=True)
    assert f'name="decided_on" value="{date.today().isoformat()}"' in html
    post_form(client, f"{page}/admit-all", {"decided_on": "2020-01-15"}, form_url=page)
    db.session.expire_all()
    assert db.session.scalars(
        sa.select(AdmissionCandidate.decided_on).order_by(AdmissionCandidate.row_no)
    ).all() == [date(2020, 1, 15), date(2020, 1, 15)]


ANNA = [*PROTOCOL_ANNA[:9], "", "+7 913 555-01-02"]
OLGA = [
    "Орлова",
    "Ольга",
    "",
    date(2005, 6, 7),
    "МБОУ «СОШ № 2»",
    "8 класс",
    "Второй район",
    "призёр",
    "",
    "",
    "+7 913 000-11-22",
]


def test_second_protocol_shows_the_first_and_skips_repeated_rows(app, world):
    first = ops.create_batch(world.edition, [row()], world.organizer)  # Соколова Анна
    db.session.commit()
    client = client_for(app, world.organizer)
    url = f"/organizer/admission/editions/{world.edition.id}/protocol/upload"
    listed = f"<li>{first.number}: строк 1 (На проверке у координатора — 1)</li>"
    assert listed in client.get(url).get_data(as_text=True)
    typed = f"/organizer/admission/editions/{world.edition.id}/protocol"
    assert listed in client.get(typed).get_data(as_text=True)  # the typed form says it too
    data = xlsx_bytes([["  соколова", "АННА", "игоревна", *ANNA[3:]], OLGA], TITLES)
    preview = upload_file(client, url, data, "второй.xlsx").headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "строк 2, ошибок 0" in html
    assert "Повторяют уже принятые протоколы и будут пропущены: 1." in html
    row2 = html.split('data-row="2"')[1].split("</tr>")[0]
    assert f"уже в протоколе {first.number} — пропускается" in row2
    resp = post_form(client, preview, {"commit": "1"})
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Пропущено строк, повторяющих уже принятые протоколы: 1." in html
    batches = db.session.scalars(sa.select(AdmissionBatch).order_by(AdmissionBatch.id)).all()
    assert [(b.number, [c.surname for c in b.candidates]) for b in batches] == [
        ("ПРОТ-2019-001", ["Соколова"]),
        ("ПРОТ-2019-002", ["Орлова"]),
    ]
    # a file of repeats only: nothing to record
    preview = upload_file(client, url, xlsx_bytes([ANNA], TITLES), "третий.xlsx").headers[
        "Location"
    ]
    html = post_form(client, preview, {"commit": "1"}).get_data(as_text=True)
    assert "Все строки файла повторяют уже принятые протоколы этого мероприятия" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch)) == 2
