"""Lifecycle transitions through the workflow machine with dated history, and "status as
of date D" answered from that history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Person, PersonStatusChange, TransitionLog
from tests.factories import make_person
from tests.support import login, post_form
from workflows.lifecycle import PersonStatus as S


def _status(client, person, **data):
    card = f"/admin/people/{person.id}"
    data.setdefault("version", db.session.get(Person, person.id).version)
    resp = post_form(client, f"{card}/status", data, form_url=card)
    assert resp.status_code == 302 and resp.headers["Location"] == card
    html = client.get(card).get_data(as_text=True)
    db.session.expire_all()
    return html


def _history(person_id):
    return [
        (c.from_status.value, c.to_status.value, c.changed_on, c.action, c.comment, c.basis)
        for c in db.session.scalars(
            sa.select(PersonStatusChange)
            .where(PersonStatusChange.person_id == person_id)
            .order_by(PersonStatusChange.id)
        )
    ]


@pytest.fixture
def admin_client(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    login(client, admin.email)
    return client, t, admin


def test_school_to_student_to_alumni_to_excluded(admin_client, factory):
    client, t, admin = admin_client
    uni = factory.organization(t, "Второй район", name="Томский университет", kind="university")
    p = make_person(t, "Путевая", "Ирина", history=[("mark_potential", date(2018, 1, 10))])
    html = _status(
        client, p, action="admit_school", on="2018-05-01", basis="Победитель форума, 2018"
    )
    assert "Статус изменён: Резидент (школьник)." in html
    html = _status(client, p, action="enrol_university", on="2019-09-01", organization_id=uni.id)
    assert "Статус изменён: Резидент (студент)." in html
    p = db.session.get(Person, p.id)
    assert (p.organization_id, p.municipality_id) == (uni.id, uni.municipality_id)
    _status(client, p, action="graduate", on="2020-07-01")
    html = _status(client, p, action="exclude", on="2020-08-01")
    assert "Укажите причину исключения." in html
    assert db.session.get(Person, p.id).status is S.ALUMNI
    html = _status(client, p, action="exclude", on="2020-08-01", comment="Заявление об отказе")
    p = db.session.get(Person, p.id)
    assert (p.status, p.status_since, p.status_reason) == (
        S.EXCLUDED,
        date(2020, 8, 1),
        "Заявление об отказе",
    )
    assert (p.admission_on, p.admission_basis) == (date(2018, 5, 1), "Победитель форума, 2018")
    assert _history(p.id) == [
        ("none", "potential", date(2018, 1, 10), "mark_potential", None, None),
        (
            "potential",
            "resident_school",
            date(2018, 5, 1),
            "admit_school",
            None,
            "Победитель форума, 2018",
        ),
        (
            "resident_school",
            "resident_student",
            date(2019, 9, 1),
            "enrol_university",
            None,
            "Поступление: Томский университет",
        ),
        ("resident_student", "alumni", date(2020, 7, 1), "graduate", None, None),
        ("alumni", "excluded", date(2020, 8, 1), "exclude", "Заявление об отказе", None),
    ]
    logs = db.session.scalars(
        sa.select(TransitionLog).where(TransitionLog.subject_id == p.id).order_by(TransitionLog.id)
    ).all()
    assert [(g.action, g.role, g.user_id) for g in logs][1:] == [
        ("admit_school", "admin", admin.id),
        ("enrol_university", "admin", admin.id),
        ("graduate", "admin", admin.id),
        ("exclude", "admin", admin.id),
    ]


def test_illegal_transitions_are_refused_with_a_message(admin_client):
    client, t, _ = admin_client
    p = make_person(t, "Нельзяев", history=[("mark_potential", date(2019, 1, 1))])
    html = _status(client, p, action="graduate", on="2019-06-01")
    assert (
        "Действие «Перевести в партнёры (выпуск из категории резидентов)» невозможно в "
        "состоянии «Потенциальный резидент»."
    ) in html
    html = _status(client, p, action="enrol_university", on="2019-06-01")
    assert "невозможно в состоянии «Потенциальный резидент»" in html
    html = _status(client, p, action="no_such_action", on="2019-06-01")
    assert "Действие «no_such_action» невозможно" in html
    assert db.session.get(Person, p.id).status is S.POTENTIAL
    assert len(_history(p.id)) == 1


def test_dates_must_follow_the_history_and_not_the_future(admin_client):
    client, t, _ = admin_client
    p = make_person(t, "Датов", history=[("mark_potential", date(2019, 3, 1))])
    html = _status(client, p, action="admit_school", on="2019-02-01")
    assert "Дата раньше последнего изменения статуса (01.03.2019)." in html
    future = (date.today() + timedelta(days=2)).isoformat()
    html = _status(client, p, action="admit_school", on=future)
    assert "Дата изменения статуса не может быть в будущем." in html
    assert db.session.get(Person, p.id).status is S.POTENTIAL


def test_double_submit_and_stale_version(admin_client):
    client, t, _ = admin_client
    p = make_person(t, "Дважды", history=[("mark_potential", date(2019, 3, 1))])
    version = db.session.get(Person, p.id).version
    _status(client, p, action="admit_school", on="2019-04-01", version=version)
    html = _status(client, p, action="admit_school", on="2019-04-01", version=version)
    assert "Статус уже изменён." in html
    html = _status(client, p, action="graduate", on="2019-05-01", version=version)
    assert "Запись изменилась, пока вы её просматривали." in html
    assert [h[1] for h in _history(p.id)] == ["potential", "resident_school"]


def test_enrolment_needs_a_university_or_college(admin_client, factory):
    client, t, _ = admin_client
    school = factory.organization(t, "Первый район", name="Школа")
    p = make_person(t, "Школьник", history=[("admit_school", date(2019, 3, 1))])
    html = _status(client, p, action="enrol_university", on="2019-09-01", organization_id=school.id)
    assert "Для перевода в студенты выберите вуз или колледж." in html
    assert db.session.get(Person, p.id).status is S.RESIDENT_SCHOOL
