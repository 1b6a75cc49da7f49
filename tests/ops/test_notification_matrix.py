"""The notification matrix (docs/NOTIFICATIONS.md), one test per row: the real step is taken
through its operation and the test reads who was told what. The clock is frozen (time-machine)
so that due dates are exact."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    AdmissionCandidate,
    CertificateKind,
    Notification,
    ReviewAssignment,
    SubjectType,
    User,
)
from mkr_web.operations import (
    accreditation as acc,
    admission as adm,
    certificates,
    nominations as nom,
    resident_certificates,
    reviews,
)
from mkr_web.operations.deadlines import process_deadlines
from tests.factories import (
    World,
    accredited,
    application,
    application_in_review,
    application_reviewed,
    assignment_of,
    consent as add_consent,
    nomination_in_review,
    nomination_reviewed,
    nomination_submitted,
    nomination_world,
    row,
    score,
    world,
)
from tests.support import settle_jobs
from workflows.roles import Role

START = datetime(2020, 3, 2, 9, 0)  # a Monday; review_days 14 -> 16.03, confirmation 10 -> 12.03


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def mark() -> int:
    return db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0


def told(after: int = 0) -> list[tuple[str, str, str]]:
    """(e-mail, kind, subject) of every notification after ``after``, in order."""
    db.session.expire_all()
    return [
        tuple(r)
        for r in db.session.execute(
            sa.select(User.email, Notification.kind, Notification.subject)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id > after)
            .order_by(Notification.id)
        )
    ]


def body_of(email: str, kind: str) -> str:
    return db.session.scalar(
        sa.select(Notification.body)
        .join(User, User.id == Notification.user_id)
        .where(User.email == email, Notification.kind == kind)
        .order_by(Notification.id.desc())
    )


# ---- accreditation -----------------------------------------------------------------------------


def test_application_submitted_tells_the_admins(factory, clock):
    w = world(factory)
    before = mark()
    a = application(w, submitted=True)
    assert told(before) == [
        (w.admin.email, "accreditation.submitted", f"{a.number}: заявка на аккредитацию подана")
    ]
    assert body_of(w.admin.email, "accreditation.submitted") == (
        f"Организация «{w.org.name}» подала заявку «Конференция „Шаг в науку“». "
        "Назначьте экспертов."
    )


def test_experts_assigned_tell_each_expert_and_start_the_review_deadline(factory, clock):
    w = world(factory)
    a = application(w, submitted=True)
    before = mark()
    reviews.assign_experts(
        SubjectType.ACCREDITATION,
        a,
        [w.expert1.id, w.expert2.id],
        role=Role.ADMIN,
        actor_id=w.admin.id,
    )
    db.session.commit()
    subject = f"Назначена экспертиза: {a.number} · Конференция «Шаг в науку»"
    assert told(before) == [
        (w.expert1.email, "review.assigned", subject),
        (w.expert2.email, "review.assigned", subject),
    ]
    assert body_of(w.expert1.email, "review.assigned") == (
        "Оцените заявку по критериям экспертизы до 16.03.2020."
    )
    assert {assignment_of(a, e).due_on for e in (w.expert1, w.expert2)} == {date(2020, 3, 16)}


def test_review_due_in_three_days_tells_the_expert_once(factory, clock):
    w = world(factory)
    a = application_in_review(w)
    score(a, w.expert2, [8, 8, 8, 8, 4])  # done: no reminder for them
    clock.move_to(datetime(2020, 3, 12, 6, 0))
    assert process_deadlines()["reviews_reminded"] == 0  # four days left
    clock.move_to(datetime(2020, 3, 13, 6, 0))
    before = mark()
    assert process_deadlines()["reviews_reminded"] == 1
    db.session.commit()
    assert told(before) == [
        (
            w.expert1.email,
            "review.due_soon",
            f"Срок экспертизы 16.03.2020: {a.number} · Конференция «Шаг в науку»",
        )
    ]
    assert process_deadlines()["reviews_reminded"] == 0  # once


def test_review_overdue_tells_the_expert_and_the_admins_and_marks_it(factory, clock):
    w = world(factory)
    a = application_in_review(w)
    clock.move_to(datetime(2020, 3, 17, 6, 0))
    before = mark()
    done = process_deadlines()
    db.session.commit()
    assert (done["reviews_overdue"], done["reviews_reminded"]) == (2, 0)
    subject = f"Экспертиза просрочена: {a.number} · Конференция «Шаг в науку»"
    assert told(before) == [
        (w.expert1.email, "review.overdue", subject),
        (w.admin.email, "review.overdue_admin", subject),
        (w.expert2.email, "review.overdue", subject),
        (w.admin.email, "review.overdue_admin", subject),
    ]
    assert all(assignment_of(a, e).overdue_at is not None for e in (w.expert1, w.expert2))
    assert process_deadlines()["reviews_overdue"] == 0


def test_conflict_declared_tells_the_admins(factory, clock):
    w = world(factory)
    a = application_in_review(w)
    before = mark()
    reviews.declare_conflict(
        assignment_of(a, w.expert1), "Работаю там", role=Role.EXPERT, user_id=w.expert1.id
    )
    db.session.commit()
    assert told(before) == [
        (
            w.admin.email,
            "review.conflict",
            f"Конфликт интересов: {a.number} · Конференция «Шаг в науку»",
        )
    ]


def test_all_scores_in_tells_the_admins(factory, clock):
    w = world(factory)
    a = application_in_review(w)
    score(a, w.expert1, [8, 8, 8, 8, 4])
    before = mark()
    score(a, w.expert2, [9, 9, 9, 9, 5])
    assert told(before) == [
        (
            w.admin.email,
            "review.completed",
            f"Экспертиза завершена: {a.number} · Конференция «Шаг в науку»",
        )
    ]


@pytest.mark.parametrize(
    ("action", "kind", "subject"),
    [
        ("accredit", "accreditation.accredited", "мероприятие аккредитовано"),
        ("reject", "accreditation.rejected", "в аккредитации отказано"),
        ("return", "accreditation.returned", "заявка возвращена на доработку"),
    ],
)
def test_accredited_rejected_returned_tell_the_organiser(factory, clock, action, kind, subject):
    w = world(factory)
    a = application_reviewed(w)
    before = mark()
    if action == "accredit":
        acc.accredit(a, 2020, 2022, role=Role.ADMIN, user_id=w.admin.id)
    else:
        acc.decide(a, action, "Уточните положение.", role=Role.ADMIN, user_id=w.admin.id)
    db.session.commit()
    assert told(before) == [(w.organizer.email, kind, f"{a.number}: {subject}")]
    expected = (
        "Срок аккредитации: 2020–2022 гг. Свидетельство доступно в кабинете."
        if action == "accredit"
        else "Уточните положение."
    )
    assert body_of(w.organizer.email, kind) == expected


def test_accreditation_certificate_ready_tells_the_organiser(factory, clock):
    w = world(factory)
    a = accredited(w)
    before = mark()
    certificates.queue_certificate(
        w.tenant.id, CertificateKind.ACCREDITATION, a.id, user_id=w.admin.id
    )
    settle_jobs()  # a real worker renders it on CI's PostgreSQL leg
    number = certificates.find(CertificateKind.ACCREDITATION, a.id).number
    assert told(before) == [
        (
            w.organizer.email,
            "accreditation.certificate_ready",
            f"{a.number}: свидетельство об аккредитации готово",
        )
    ]
    assert body_of(w.organizer.email, "accreditation.certificate_ready") == (
        f"Свидетельство {number} можно скачать на странице заявки."
    )


def test_accreditation_expiring_tells_the_organiser_and_the_admins(factory, clock):
    w = world(factory)
    a = accredited(w, valid=(2020, 2020))
    before = mark()
    assert acc.process_expiry(date(2020, 11, 1)) == {"expired": 0, "reminded": 1}
    db.session.commit()
    assert told(before) == [
        (
            w.organizer.email,
            "accreditation.expiring",
            f"{a.number}: срок аккредитации скоро истекает",
        ),
        (
            w.admin.email,
            "accreditation.expiring_admin",
            f"{a.number}: срок аккредитации истекает 31.12.2020",
        ),
    ]


def test_accreditation_expired_tells_the_organiser(factory, clock):
    w = world(factory)
    a = accredited(w, valid=(2019, 2019))
    before = mark()
    acc.process_expiry(date(2020, 1, 1))
    db.session.commit()
    assert told(before) == [
        (w.organizer.email, "accreditation.expired", f"{a.number}: срок аккредитации истёк")
    ]
    assert db.session.get(AccreditationApplication, a.id).state.value == "expired"


# ---- nominations -------------------------------------------------------------------------------


def test_nomination_submitted_tells_the_admins(factory, clock):
    w = nomination_world(factory)
    before = mark()
    n = nomination_submitted(w)
    assert told(before) == [
        (w.admin.email, "nomination.submitted", f"{n.number}: выдвижение подано"),
        (w.admin2.email, "nomination.submitted", f"{n.number}: выдвижение подано"),
    ]


def test_nomination_experts_assigned_tell_each_expert(factory, clock):
    w = nomination_world(factory)
    before = mark()
    n = nomination_in_review(w)
    subject = f"Назначена экспертиза: {n.number} · Включение по индивидуальным достижениям"
    assert [t for t in told(before) if t[1] == "review.assigned"] == [
        (w.expert.email, "review.assigned", subject),
        (w.expert2.email, "review.assigned", subject),
    ]


@pytest.mark.parametrize(
    ("action", "kind", "subject"),
    [
        ("approve", "nomination.approved", "выдвижение одобрено"),
        ("reject", "nomination.rejected", "в выдвижении отказано"),
        ("return", "nomination.returned", "выдвижение возвращено на доработку"),
    ],
)
def test_nomination_decisions_tell_the_coordinator(factory, clock, action, kind, subject):
    w = nomination_world(factory)
    n = nomination_reviewed(w)
    before = mark()
    admin = w.membership(w.admin)
    if action == "approve":
        nom.approve(n, admin)
    else:
        nom.decide(n, admin, action, "Нужен диплом.")
    db.session.commit()
    assert [t for t in told(before) if t[1] == kind] == [
        (w.coord1.email, kind, f"{n.number}: {subject}")
    ]


def test_resident_certificate_of_a_nomination_tells_the_coordinator(factory, clock):
    w = nomination_world(factory)
    n = nomination_reviewed(w)
    nom.approve(n, w.membership(w.admin))
    db.session.commit()
    before = mark()
    resident_certificates.queue_one(w.tenant.id, n.person_id, user_id=w.admin.id)
    settle_jobs()
    number = certificates.find(CertificateKind.RESIDENT, n.person_id).number
    assert told(before) == [
        (w.coord1.email, "certificate.resident_ready", f"Свидетельство резидента {number} готово")
    ]


# ---- admission ---------------------------------------------------------------------------------


def _protocol(w: World):
    rows = [
        row(surname="Первая", municipality="Первый район"),
        row(surname="Вторая", municipality="Второй район", organization="МБОУ «СОШ № 2»"),
        row(surname="Третья", municipality="Третий район", organization="МБОУ «СОШ № 3»"),
        row(surname="Четвёртая", municipality="Первый район"),
    ]
    batch = adm.create_batch(w.edition, rows, w.organizer)
    db.session.commit()
    return batch


def test_protocol_committed_tells_each_coordinator_or_the_admins_and_starts_the_deadline(
    factory, clock
):
    w = World(factory)
    before = mark()
    batch = _protocol(w)
    n = batch.number
    assert told(before) == [
        (w.coord1.email, "admission.arrived", f"{n}: кандидаты на подтверждение (2)"),
        (w.coord2.email, "admission.arrived", f"{n}: кандидаты на подтверждение (1)"),
        (w.admin.email, "admission.arrived", f"{n}: кандидаты на подтверждение (1)"),
        (w.admin2.email, "admission.arrived", f"{n}: кандидаты на подтверждение (1)"),
    ]
    assert body_of(w.coord1.email, "admission.arrived") == (
        "По протоколу «Конференция „Шаг в науку“ 2019» вам переданы кандидаты: 2. "
        "Подтвердите данные и согласия до 12.03.2020."
    )
    assert {c.due_on for c in batch.candidates} == {date(2020, 3, 12)}


def test_confirmation_due_soon_and_overdue_tell_the_coordinator_then_the_admins(factory, clock):
    w = World(factory)
    batch = _protocol(w)
    n = batch.number
    clock.move_to(datetime(2020, 3, 9, 6, 0))
    before = mark()
    assert process_deadlines()["candidates_reminded"] == 4
    db.session.commit()
    assert told(before) == [
        (w.coord1.email, "admission.confirmation_due_soon", f"{n}: срок подтверждения 12.03.2020"),
        (w.coord2.email, "admission.confirmation_due_soon", f"{n}: срок подтверждения 12.03.2020"),
        (w.admin.email, "admission.confirmation_due_soon", f"{n}: срок подтверждения 12.03.2020"),
        (w.admin2.email, "admission.confirmation_due_soon", f"{n}: срок подтверждения 12.03.2020"),
    ]
    first = w.membership(w.coord1)
    for c in batch.candidates:
        if c.municipality_id == w.first.id:
            adm.confirm_candidate(c, first, consent_on=date(2020, 3, 1), on_file=True)
    db.session.commit()
    clock.move_to(datetime(2020, 3, 13, 6, 0))
    before = mark()
    assert process_deadlines()["candidates_overdue"] == 2
    db.session.commit()
    assert told(before) == [
        (w.coord2.email, "admission.confirmation_overdue", f"{n}: подтверждение просрочено"),
        (w.admin.email, "admission.confirmation_overdue", f"{n}: подтверждение просрочено"),
        (w.admin2.email, "admission.confirmation_overdue", f"{n}: подтверждение просрочено"),
    ]
    assert body_of(w.admin.email, "admission.confirmation_overdue") == (
        "Кандидатов не подтверждено в срок (12.03.2020): 2."
    )
    overdue = db.session.scalars(
        sa.select(AdmissionCandidate.surname).where(AdmissionCandidate.overdue_at.is_not(None))
    ).all()
    assert sorted(overdue) == ["Вторая", "Третья"]


def test_all_candidates_confirmed_tells_the_admins_once(factory, clock):
    w = World(factory)
    batch = _protocol(w)
    admin = w.membership(w.admin)
    candidates = list(batch.candidates)
    for c in candidates[:-1]:
        adm.confirm_candidate(c, admin, consent_on=date(2020, 3, 1), on_file=True)
    db.session.commit()
    before = mark()
    adm.confirm_candidate(candidates[-1], admin, consent_on=date(2020, 3, 1), on_file=True)
    db.session.commit()
    assert told(before) == [
        (w.admin.email, "admission.confirmed_all", f"{batch.number}: все кандидаты подтверждены"),
        (w.admin2.email, "admission.confirmed_all", f"{batch.number}: все кандидаты подтверждены"),
    ]


def test_candidate_returned_tells_the_organiser(factory, clock):
    w = World(factory)
    batch = _protocol(w)
    before = mark()
    c = batch.candidates[0]
    adm.return_candidate(c, w.membership(w.coord1), "Неверная дата рождения.")
    db.session.commit()
    assert told(before) == [
        (
            w.organizer.email,
            "admission.returned",
            f"{batch.number}: строка {c.row_no} возвращена на исправление",
        )
    ]
    assert body_of(w.organizer.email, "admission.returned") == "Неверная дата рождения."


@pytest.mark.parametrize("decision", ["admit", "reject"])
def test_admitted_or_rejected_tell_the_organiser_and_the_coordinators(factory, clock, decision):
    w = World(factory)
    batch = _protocol(w)
    admin = w.membership(w.admin)
    for c in batch.candidates:
        adm.confirm_candidate(c, admin, consent_on=date(2020, 3, 1), on_file=True)
    db.session.commit()
    before = mark()
    if decision == "admit":
        adm.admit_confirmed(batch, admin)
        kind, word = "admission.admitted", "включено в банк"
    else:
        adm.reject_confirmed(batch, admin, "Нет согласия.")
        kind, word = "admission.rejected", "отклонено"
    db.session.commit()
    n = batch.number
    assert told(before) == [
        (w.organizer.email, kind, f"{n}: {word} — 4"),
        (w.coord1.email, kind, f"{n}: {word} — 2"),
        (w.coord2.email, kind, f"{n}: {word} — 1"),
    ]


def test_certificates_ready_tell_the_organiser_and_the_coordinators(factory, clock):
    w = World(factory)
    batch = _protocol(w)
    admin = w.membership(w.admin)
    for c in batch.candidates:
        adm.confirm_candidate(c, admin, consent_on=date(2020, 3, 1), on_file=True)
    adm.admit_confirmed(batch, admin)
    db.session.commit()
    before = mark()
    resident_certificates.start_batch_job(batch, user_id=w.admin.id)
    settle_jobs()
    n = batch.number
    assert told(before) == [
        (
            w.organizer.email,
            "admission.certificates_ready",
            f"{n}: свидетельства резидентов готовы (4)",
        ),
        (
            w.coord1.email,
            "admission.certificates_ready",
            f"{n}: свидетельства резидентов готовы (2)",
        ),
        (
            w.coord2.email,
            "admission.certificates_ready",
            f"{n}: свидетельства резидентов готовы (1)",
        ),
    ]


def test_one_residents_certificate_tells_the_protocols_organiser(factory, clock):
    w = World(factory)
    batch = _protocol(w)
    admin = w.membership(w.admin)
    c = batch.candidates[0]
    adm.confirm_candidate(c, admin, consent_on=date(2020, 3, 1), on_file=True)
    adm.admit_candidate(c, admin)
    db.session.commit()
    before = mark()
    adm.queue_resident_certificate(c.person_id, tenant_id=w.tenant.id, user_id=w.admin.id)
    settle_jobs()
    number = certificates.find(CertificateKind.RESIDENT, c.person_id).number
    assert told(before) == [
        (
            w.organizer.email,
            "certificate.resident_ready",
            f"Свидетельство резидента {number} готово",
        )
    ]


def test_every_assignment_made_before_the_review_gets_its_due_date_at_the_start(factory, clock):
    """An expert assigned to a submitted item waits for the review to start: the deadline
    starts with it (not before the expert may score)."""
    w = world(factory)
    w.tenant.settings = {"min_experts": 3}
    db.session.commit()
    a = application(w, submitted=True)
    reviews.assign_experts(
        SubjectType.ACCREDITATION, a, [w.expert1.id], role=Role.ADMIN, actor_id=w.admin.id
    )
    db.session.commit()
    assert assignment_of(a, w.expert1).due_on is None
    reviews.assign_experts(
        SubjectType.ACCREDITATION,
        a,
        [w.expert2.id, w.expert3.id],
        role=Role.ADMIN,
        actor_id=w.admin.id,
    )
    db.session.commit()
    dues = db.session.scalars(sa.select(ReviewAssignment.due_on)).all()
    assert dues == [date(2020, 3, 16)] * 3


def test_only_the_admin_extends_a_deadline(factory, clock):
    from mkr_web.errors import OperationError
    from mkr_web.operations.deadlines import extend_deadline

    w = world(factory)
    a = application_in_review(w)
    assignment = assignment_of(a, w.expert1)
    with pytest.raises(OperationError, match="Срок продлевает оператор."):
        extend_deadline(assignment, date(2020, 4, 1), role=Role.EXPERT, user_id=w.expert1.id)
    assert extend_deadline(assignment, date(2020, 4, 1), role=Role.ADMIN, user_id=w.admin.id)
    assert assignment.due_on == date(2020, 4, 1)


# ---- personal data -----------------------------------------------------------------------------


def test_consent_expiring_tells_the_coordinators_and_the_admins_once(factory, clock):
    from mkr_web.operations.consents import remind_expiring
    from tests.factories import make_person

    w = World(factory, with_events=False)
    ends = {"Первая": date(2020, 3, 20), "Вторая": date(2020, 3, 31), "Поздняя": date(2020, 6, 1)}
    for surname, municipality in (("Первая", w.first), ("Вторая", w.second), ("Поздняя", w.first)):
        p = make_person(w.tenant, surname, municipality=municipality)
        add_consent(p, date(2015, 3, 20), expires_on=ends[surname])
    db.session.commit()
    before = mark()
    assert remind_expiring(date(2020, 3, 2)) == {"consents": 2, "notified": 4}
    db.session.commit()
    subject = "Истекают согласия на обработку персональных данных: "
    assert told(before) == [
        (w.coord1.email, "consent.expiring", subject + "1"),
        (w.coord2.email, "consent.expiring", subject + "1"),
        (w.admin.email, "consent.expiring", subject + "2"),
        (w.admin2.email, "consent.expiring", subject + "2"),
    ]
    assert body_of(w.admin.email, "consent.expiring") == (
        "У 2 чел. согласие истекает в течение 30 дн. (первое — 20.03.2020). Получите новые "
        "согласия, иначе эти люди будут исключены из публикаций, передачи в реестр и "
        "включения в банк."
    )
    # each consent once
    again = mark()
    assert remind_expiring(date(2020, 3, 3)) == {"consents": 0, "notified": 0}
    assert told(again) == []
