"""Admission operations: batches (all-or-nothing), matching, checks, decisions, concurrency."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from mkr_web.errors import OperationError, RowError, StaleItem, TransitionRefused
from mkr_web.extensions import db
from mkr_web.models import (
    Achievement,
    AchievementLevel,
    AdmissionBatch,
    AdmissionCandidate,
    AuditEntry,
    Consent,
    ConsentGiver,
    MatchKind,
    Participation,
    ParticipationRole,
    Person,
    PersonStatusChange,
    SubjectType,
    TransitionLog,
)
from mkr_web.operations import admission as ops
from tests.factories import World, row
from tests.support import one_page_pdf
from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

C = CandidateState


# A university student of the third municipality, as the organiser types the row.
STUDENT = {
    "surname": "Петров",
    "name": "Илья",
    "patronymic": "",
    "birth_date": "01.01.2000",
    "organization": "Университет",
    "grade": "2 курс",
    "parent_contact": "",
    "municipality": "Третий район",
}


def _batch(world, rows):
    batch = ops.create_batch(world.edition, rows, world.organizer)
    db.session.commit()
    return batch


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _log(candidate):
    return [
        (t.action, t.from_state, t.to_state, t.role)
        for t in db.session.scalars(
            sa.select(TransitionLog)
            .where(
                TransitionLog.subject_type == SubjectType.CANDIDATE,
                TransitionLog.subject_id == candidate.id,
            )
            .order_by(TransitionLog.id)
        )
    ]


def test_create_batch_numbers_and_matches(world):
    existing = world.person("Орлов", "Пётр", "Ильич", date(2004, 1, 2))
    resident = world.person(
        "Белова", "Мария", None, date(2003, 2, 3), status=PersonStatus.RESIDENT_SCHOOL
    )
    near = world.person("Смирнова", "Ольга", "Петровна", date(2004, 6, 7))
    rows = [
        row(),
        row(surname="Орлов", name="Петр", patronymic="Ильич", birth_date="02.01.2004"),  # е/ё
        row(surname="Белова", name="Мария", patronymic="", birth_date="03.02.2003"),
        row(
            surname="Смирнова", name="Оля", patronymic="Петровна", birth_date="07.06.2004"
        ),  # same surname+birth
        row(**STUDENT),
    ]
    batch = _batch(world, rows)
    second = _batch(world, [row(surname="Новикова")])
    assert (batch.number, second.number) == ("ПРОТ-2019-001", "ПРОТ-2019-002")
    assert (batch.edition_id, batch.organizer_id, batch.created_by_id) == (
        world.edition.id,
        world.rcro.id,
        world.organizer.id,
    )
    got = [(c.row_no, c.match, c.person_id, c.state, c.is_student) for c in batch.candidates]
    assert got == [
        (1, MatchKind.NEW, None, C.SUBMITTED, False),
        (2, MatchKind.EXISTING, existing.id, C.SUBMITTED, False),
        (3, MatchKind.ACTIVE_RESIDENT, resident.id, C.SUBMITTED, False),
        (4, MatchKind.NEAR, None, C.SUBMITTED, False),
        (5, MatchKind.NEW, None, C.SUBMITTED, True),
    ]
    from mkr_web.queries.admission import near_matches

    assert {k: [p.id for p in v] for k, v in near_matches(batch.candidates).items()} == {
        batch.candidates[3].id: [near.id]
    }
    # same full name, other birth date: near as well
    third = _batch(
        world, [row(surname="Орлов", name="Пётр", patronymic="Ильич", birth_date="03.01.2004")]
    )
    assert third.candidates[0].match is MatchKind.NEAR
    assert [p.id for p in near_matches(third.candidates)[third.candidates[0].id]] == [existing.id]


def test_bad_row_writes_nothing(world):
    before = {m: _count(m) for m in (AdmissionBatch, AdmissionCandidate, AuditEntry, Person)}
    with pytest.raises(ops.BatchRejected) as exc:
        ops.create_batch(
            world.edition,
            [row(), row(surname="Второй"), row(surname="Третий", birth_date="32.13.2004")],
            world.organizer,
        )
    db.session.rollback()
    assert exc.value.errors == [RowError(3, "Дата рождения", "нужна дата в формате ДД.ММ.ГГГГ")]
    assert {m: _count(m) for m in before} == before


def test_only_own_accredited_edition(world):
    with pytest.raises(OperationError, match="только по аккредитованному"):
        ops.create_batch(world.satellite_edition, [row()], world.organizer)
    with pytest.raises(OperationError, match="организатор этого мероприятия"):
        ops.create_batch(world.edition, [row()], world.other_organizer)
    with pytest.raises(OperationError, match="организатор этого мероприятия"):
        ops.create_batch(world.edition, [row()], world.admin)
    with pytest.raises(OperationError, match="ни одной строки"):
        ops.create_batch(world.edition, [], world.organizer)
    db.session.rollback()
    assert _count(AdmissionBatch) == 0


def test_confirm_return_fix_resubmit(world):
    batch = _batch(
        world,
        [
            row(),
            row(surname="Кузнецов", municipality="Второй район", organization="МБОУ «СОШ № 2»"),
        ],
    )
    first, second = batch.candidates
    coord1, coord2 = world.membership(world.coord1), world.membership(world.coord2)
    organizer = world.membership(world.organizer)
    # a coordinator acts only in own municipalities
    with pytest.raises(OperationError, match="не из ваших муниципалитетов"):
        ops.confirm_candidate(second, coord1, consent_on=date(2019, 4, 1), on_file=True)
    with pytest.raises(TransitionRefused, match="Укажите, что нужно исправить"):
        ops.return_candidate(first, coord1, "  ")
    with pytest.raises(OperationError, match="Приложите скан"):
        ops.confirm_candidate(first, coord1, consent_on=date(2019, 4, 1))
    db.session.rollback()

    ops.return_candidate(second, coord2, "Неверная школа")
    db.session.commit()
    assert (second.state, second.reason) == (C.NEEDS_FIX, "Неверная школа")
    # the organiser fixes the row and resubmits; a bad fix is refused with the column
    with pytest.raises(ops.BatchRejected) as exc:
        ops.fix_candidate(second, row(surname="Кузнецов", municipality="Нет такого"), organizer)
    assert exc.value.errors == [
        RowError(2, "Муниципалитет", "муниципалитет «Нет такого» не найден в справочнике")
    ]
    db.session.rollback()
    version = second.version
    ops.fix_candidate(
        second,
        row(
            surname="Кузнецов",
            municipality="Второй район",
            organization="МБОУ «СОШ № 2»",
            grade="10 класс",
        ),
        organizer,
        expected_version=version,
    )
    db.session.commit()
    assert (second.state, second.reason, second.grade) == (C.SUBMITTED, None, "10 класс")
    assert ops.fix_candidate(second, row(), organizer) is None  # double submit: nothing

    scan = FileStorage(io.BytesIO(one_page_pdf("consent")), filename="consent.pdf")
    ops.confirm_candidate(second, coord2, consent_on=date(2019, 4, 2), scan=scan)
    ops.confirm_candidate(first, coord1, consent_on=date(2019, 4, 1), on_file=True)
    db.session.commit()
    assert ops.confirm_candidate(first, coord1, consent_on=date(2019, 4, 1), on_file=True) is None
    assert (first.state, first.confirmed_by_id, second.state) == (
        C.CONFIRMED,
        world.coord1.id,
        C.CONFIRMED,
    )
    # the person-to-be exists now (status none) and owns the consent; a minor's is a parent's
    person = db.session.get(Person, first.person_id)
    assert (person.status, person.search_name, person.parent_name, person.parent_phone) == (
        PersonStatus.NONE,
        "соколова анна игоревна",
        "Соколова Ирина Павловна",
        "+7 913 555-01-02",
    )
    consent = db.session.get(Consent, first.consent_id)
    assert (
        consent.person_id,
        consent.given_by,
        consent.giver_name,
        consent.given_on,
        consent.file_id,
    ) == (person.id, ConsentGiver.PARENT, "Соколова Ирина Павловна", date(2019, 4, 1), None)
    assert db.session.get(Consent, second.consent_id).file.filename == "consent.pdf"
    assert _log(second) == [
        ("return", "submitted", "needs_fix", "coordinator"),
        ("resubmit", "needs_fix", "submitted", "organizer"),
        ("confirm", "submitted", "confirmed", "coordinator"),
    ]


def _confirmed(world, rows):
    batch = _batch(world, rows)
    admin = world.membership(world.admin)
    for c in batch.candidates:
        if c.match is not MatchKind.NEAR:
            ops.confirm_candidate(c, admin, consent_on=date(2019, 4, 5), on_file=True)
    db.session.commit()
    return batch


def test_admit_new_school_and_student(world):
    batch = _confirmed(
        world,
        [
            row(place="2", result="призёр"),
            row(**STUDENT, section=""),
        ],
    )
    pupil, student = batch.candidates
    admin = world.membership(world.admin)
    decision = ops.admit_candidate(
        pupil, admin, on=date(2019, 4, 20), expected_version=pupil.version
    )
    ops.admit_candidate(student, admin, on=date(2019, 4, 20))
    db.session.commit()
    assert decision.admitted_person_ids == [pupil.person_id]
    p = db.session.get(Person, pupil.person_id)
    assert (
        p.status,
        p.status_since,
        p.admission_on,
        p.admission_edition_id,
        p.municipality_id,
    ) == (
        PersonStatus.RESIDENT_SCHOOL,
        date(2019, 4, 20),
        date(2019, 4, 20),
        world.edition.id,
        world.first.id,
    )
    assert p.admission_basis == "Призёр (2 место): Конференция «Шаг в науку» 2019"
    s = db.session.get(Person, student.person_id)
    assert (s.status, s.admission_basis, s.grade) == (
        PersonStatus.RESIDENT_STUDENT,
        "Победитель (1 место): Конференция «Шаг в науку» 2019",
        "2 курс",
    )
    changes = db.session.execute(
        sa.select(
            PersonStatusChange.person_id,
            PersonStatusChange.from_status,
            PersonStatusChange.to_status,
            PersonStatusChange.action,
            PersonStatusChange.changed_on,
            PersonStatusChange.edition_id,
            PersonStatusChange.user_id,
        ).order_by(PersonStatusChange.id)
    ).all()
    assert changes == [
        (
            p.id,
            PersonStatus.NONE,
            PersonStatus.RESIDENT_SCHOOL,
            "admit_school",
            date(2019, 4, 20),
            world.edition.id,
            world.admin.id,
        ),
        (
            s.id,
            PersonStatus.NONE,
            PersonStatus.RESIDENT_STUDENT,
            "admit_student",
            date(2019, 4, 20),
            world.edition.id,
            world.admin.id,
        ),
    ]
    parts = db.session.execute(
        sa.select(
            Participation.person_id, Participation.role, Participation.place, Participation.section
        ).order_by(Participation.id)
    ).all()
    assert parts == [
        (p.id, ParticipationRole.PRIZE_WINNER, 2, "Экология"),
        (s.id, ParticipationRole.WINNER, 1, None),
    ]
    assert (pupil.state, pupil.decided_by_id) == (C.ADMITTED, world.admin.id)
    assert _log(pupil) == [
        ("confirm", "submitted", "confirmed", "admin"),
        ("admit", "confirmed", "admitted", "admin"),
    ]
    person_log = db.session.scalars(
        sa.select(TransitionLog.action).where(
            TransitionLog.subject_type == SubjectType.PERSON, TransitionLog.subject_id == p.id
        )
    ).all()
    assert person_log == ["admit_school"]
    # a double submit changes nothing
    assert ops.admit_candidate(pupil, admin).changed == []
    db.session.commit()
    assert _count(PersonStatusChange) == 2


def test_active_resident_gets_an_achievement_not_a_second_admission(world):
    resident = world.person(
        "Белова", "Мария", None, date(2003, 2, 3), status=PersonStatus.RESIDENT_SCHOOL
    )
    batch = _confirmed(
        world,
        [
            row(
                surname="Белова",
                name="Мария",
                patronymic="",
                birth_date="03.02.2003",
                result="призёр",
                place="3",
            )
        ],
    )
    candidate = batch.candidates[0]
    assert candidate.match is MatchKind.ACTIVE_RESIDENT
    decision = ops.admit_candidate(candidate, world.membership(world.admin), on=date(2019, 4, 20))
    db.session.commit()
    assert (decision.admitted_person_ids, decision.achievement_person_ids) == ([], [resident.id])
    assert candidate.state is C.ADMITTED
    ach = db.session.execute(sa.select(Achievement)).scalar_one()
    assert (ach.person_id, ach.title, ach.result, ach.level, ach.achieved_on, ach.edition_id) == (
        resident.id,
        "Конференция «Шаг в науку» 2019",
        "призёр, 3 место",
        AchievementLevel.REGIONAL,
        date(2019, 3, 27),
        world.edition.id,
    )
    # still one status change (the earlier admission), the status and admission date untouched
    assert _count(PersonStatusChange) == 1
    db.session.refresh(resident)
    assert (resident.status, resident.admission_on) == (PersonStatus.RESIDENT_SCHOOL, None)
    assert db.session.scalars(
        sa.select(TransitionLog.comment).where(TransitionLog.action == "admit")
    ).all() == ["Уже резидент: результат записан как достижение"]


def test_same_new_person_in_two_batches_is_admitted_once(world):
    one = _confirmed(world, [row()]).candidates[0]
    two = _confirmed(world, [row()]).candidates[0]
    assert one.person_id == two.person_id  # the second confirmation found the person-to-be
    admin = world.membership(world.admin)
    ops.admit_candidate(one, admin)
    decision = ops.admit_candidate(two, admin)
    db.session.commit()
    assert decision.achievement_person_ids == [one.person_id]
    assert two.match is MatchKind.ACTIVE_RESIDENT
    assert _count(PersonStatusChange) == 1 and _count(Person) == 1


def test_near_match_needs_admin_decision(world):
    near = world.person("Смирнова", "Ольга", "Петровна", date(2004, 6, 7))
    batch = _batch(
        world, [row(surname="Смирнова", name="Оля", patronymic="Петровна", birth_date="07.06.2004")]
    )
    candidate = batch.candidates[0]
    with pytest.raises(TransitionRefused, match="оператор должен сначала"):
        ops.confirm_candidate(
            candidate, world.membership(world.coord1), consent_on=date(2019, 4, 1), on_file=True
        )
    db.session.rollback()
    with pytest.raises(OperationError, match="разрешает оператор"):
        ops.resolve_match(candidate, world.membership(world.coord1), near)
    ops.resolve_match(candidate, world.membership(world.admin), near)
    db.session.commit()
    assert (candidate.match, candidate.person_id) == (MatchKind.EXISTING, near.id)
    ops.confirm_candidate(
        candidate, world.membership(world.coord1), consent_on=date(2019, 4, 1), on_file=True
    )
    db.session.commit()
    assert db.session.get(Consent, candidate.consent_id).person_id == near.id
    ops.admit_candidate(candidate, world.membership(world.admin))
    db.session.commit()
    assert db.session.get(Person, near.id).status is PersonStatus.RESIDENT_SCHOOL
    assert _count(Person) == 1


def test_reject_and_admit_all(world):
    batch = _confirmed(world, [row(), row(surname="Второй"), row(surname="Третий")])
    admin = world.membership(world.admin)
    first, second, third = batch.candidates
    with pytest.raises(TransitionRefused, match="причину отказа"):
        ops.reject_candidate(first, admin, "")
    ops.reject_candidate(first, admin, "Не подтверждён результат")
    db.session.commit()
    assert (first.state, first.reason, first.decided_by_id) == (
        C.REJECTED,
        "Не подтверждён результат",
        world.admin.id,
    )
    decision = ops.admit_confirmed(batch, admin)
    db.session.commit()
    assert decision.changed == [second.id, third.id]
    assert [c.state for c in batch.candidates] == [C.REJECTED, C.ADMITTED, C.ADMITTED]
    with pytest.raises(OperationError, match="нет подтверждённых"):
        ops.admit_confirmed(batch, admin)
    with pytest.raises(TransitionRefused, match="«Включить в банк» недоступно для вашей роли"):
        ops.admit_candidate(second, world.membership(world.coord1))


def test_admit_all_is_one_transaction(world):
    world.person(
        "Исключённый",
        "Иван",
        None,
        date(2004, 1, 1),
        status=PersonStatus.EXCLUDED,
        reason="по заявлению",
    )
    batch = _confirmed(
        world,
        [row(), row(surname="Исключённый", name="Иван", patronymic="", birth_date="01.01.2004")],
    )
    with pytest.raises(
        OperationError, match=r"^Строка 2: Действие «Включить в банк \(школьник\)» невозможно"
    ):
        ops.admit_confirmed(batch, world.membership(world.admin))
    db.session.rollback()
    assert [c.state for c in batch.candidates] == [C.CONFIRMED, C.CONFIRMED]
    assert _count(PersonStatusChange) == 1  # the excluded person's own history only
    assert _count(Participation) == 0


def test_stale_version_is_refused(world):
    candidate = _confirmed(world, [row()]).candidates[0]
    admin = world.membership(world.admin)
    with pytest.raises(StaleItem):
        ops.reject_candidate(candidate, admin, "нет", expected_version=candidate.version - 1)
    # already admitted by someone else: the old version is no error, nothing happens twice
    ops.admit_candidate(candidate, admin)
    db.session.commit()
    assert ops.admit_candidate(candidate, admin, expected_version=1).changed == []


def test_two_admins_at_once_one_wins(world, data_app):
    """Two sessions load the same confirmed candidate; both admit; the second fails on the
    version check before writing anything, and the person is admitted once."""
    candidate_id = _confirmed(world, [row()]).candidates[0].id
    admin_id, admin2_id = world.admin.id, world.admin2.id

    def load(user_id):
        from mkr_web.models import Membership

        c = db.session.get(AdmissionCandidate, candidate_id)
        m = db.session.execute(
            sa.select(Membership).where(Membership.user_id == user_id)
        ).scalar_one()
        assert c.state is C.CONFIRMED
        return c, m

    with data_app.app_context():  # a second context: its own database session
        c2, m2 = load(admin2_id)
        with data_app.app_context():
            c1, m1 = load(admin_id)
            ops.admit_candidate(c1, m1)
            db.session.commit()
            db.session.remove()
        with pytest.raises(StaleDataError):
            ops.admit_candidate(c2, m2)
        db.session.rollback()
        db.session.remove()
    db.session.expire_all()
    c = db.session.get(AdmissionCandidate, candidate_id)
    assert (c.state, c.decided_by_id) == (C.ADMITTED, admin_id)
    assert _count(PersonStatusChange) == 1 and _count(Participation) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(TransitionLog.action == "admit")) == 1


def test_refusals_and_double_submits(world, factory):
    batch = _batch(world, [row()])
    candidate = batch.candidates[0]
    coord1, admin, organizer = (
        world.membership(u) for u in (world.coord1, world.admin, world.organizer)
    )
    other = World(factory)
    with pytest.raises(OperationError, match="Кандидат другого проекта"):
        ops.confirm_candidate(
            candidate, other.membership(other.admin), consent_on=date(2019, 4, 1), on_file=True
        )
    with pytest.raises(OperationError, match="не может быть в будущем"):
        ops.confirm_candidate(candidate, coord1, consent_on=date(2999, 1, 1), on_file=True)
    with pytest.raises(OperationError, match="Укажите дату согласия"):
        ops.confirm_candidate(candidate, coord1, consent_on=None, on_file=True)
    with pytest.raises(StaleItem):
        ops.return_candidate(candidate, coord1, "x", expected_version=candidate.version + 1)
    with pytest.raises(TransitionRefused, match="недоступно для вашей роли"):
        ops.return_candidate(candidate, organizer, "x")
    with pytest.raises(TransitionRefused, match="только строку, возвращённую"):
        db.session.rollback()
        candidate.state = C.CONFIRMED  # not persisted: checks the refusal only
        ops.fix_candidate(candidate, row(), organizer)
    db.session.rollback()
    ops.return_candidate(candidate, coord1, "Опечатка")
    db.session.commit()
    assert ops.return_candidate(candidate, coord1, "Опечатка") is None  # a double submit
    with pytest.raises(StaleItem):
        ops.fix_candidate(candidate, row(), organizer, expected_version=candidate.version - 1)
    db.session.rollback()
    with pytest.raises(OperationError, match="до подтверждения"):
        candidate.state = C.CONFIRMED
        ops.resolve_match(candidate, admin, None)
    db.session.rollback()
    with pytest.raises(TransitionRefused, match="«Отклонить» недоступно для вашей роли"):
        ops.reject_candidate(candidate, coord1, "нет")
    ops.fix_candidate(candidate, row(), organizer)
    ops.confirm_candidate(candidate, coord1, consent_on=date(2019, 4, 1), on_file=True)
    ops.reject_candidate(candidate, admin, "Нет диплома")
    db.session.commit()
    assert ops.reject_candidate(candidate, admin, "Нет диплома") is None
    assert candidate.state is C.REJECTED


def test_near_match_resolved_as_new_person(world):
    near = world.person(
        "Соколова", "Анна", "Ивановна", date(2004, 4, 12)
    )  # same surname and birth date
    candidate = _batch(world, [row()]).candidates[0]
    assert candidate.match is MatchKind.NEAR
    admin = world.membership(world.admin)
    ops.resolve_match(candidate, admin, None)
    ops.confirm_candidate(candidate, admin, consent_on=date(2019, 4, 1), on_file=True)
    ops.admit_candidate(candidate, admin)
    db.session.commit()
    assert candidate.person_id != near.id and _count(Person) == 2
    assert db.session.get(Person, near.id).status is PersonStatus.NONE


def test_existing_person_gets_the_protocol_data(world):
    known = world.person(
        "Соколова", "Анна", "Игоревна", date(2004, 4, 12), municipality=world.second
    )
    candidate = _confirmed(world, [row(grade="10 класс")]).candidates[0]
    assert (candidate.match, candidate.person_id) == (MatchKind.EXISTING, known.id)
    ops.admit_candidate(candidate, world.membership(world.admin))
    db.session.commit()
    db.session.refresh(known)
    assert (
        known.status,
        known.municipality_id,
        known.grade,
        known.parent_name,
        known.parent_phone,
    ) == (
        PersonStatus.RESIDENT_SCHOOL,
        world.first.id,
        "10 класс",
        "Соколова Ирина Павловна",
        "+7 913 555-01-02",
    )
