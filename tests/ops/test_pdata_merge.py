"""Merging two records of one person (issue 16): every reference moves in one transaction,
the status history stays valid for the lifecycle machine (or the merge is refused with the
reason), the report counts the survivor once."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import TransitionRefused
from mkr_web.extensions import db
from mkr_web.models import (
    Achievement,
    AuditEntry,
    Consent,
    DuplicatePair,
    Person,
    PersonMerge,
    PersonStatusChange,
)
from mkr_web.operations.duplicates import find_duplicates
from mkr_web.operations.merge import merge_persons
from mkr_web.queries.report import build_report
from tests.factories import achievement, consent as add_consent, make_person


def _twins(factory):
    t = factory.tenant()
    school = factory.organization(t, "Первый район", name="Лицей № 1")
    first = make_person(
        t,
        "Дублёва",
        "Анна",
        "Сергеевна",
        date(2005, 3, 4),
        organization=school,
        email="anna@example.ru",
        history=[("admit_school", date(2019, 5, 1))],
    )
    second = make_person(
        t,
        "Дублева",
        "Анна",
        None,
        date(2005, 3, 4),
        organization=school,
        phone="+7 900 000-00-01",
        history=[("mark_potential", date(2018, 10, 1)), ("admit_school", date(2019, 6, 1))],
    )
    achievement(second, "Олимпиада", date(2019, 3, 1))
    add_consent(second, date(2018, 9, 1), expires_on=date(2028, 3, 4))
    db.session.commit()
    return t, first, second


def test_a_duplicated_resident_is_counted_twice_before_the_merge_and_once_after(factory):
    t, first, second = _twins(factory)
    assert find_duplicates(t.id) == {"pairs": 1, "added": 1, "removed": 0}
    pair = db.session.execute(sa.select(DuplicatePair)).scalar_one()
    assert (pair.person_a_id, pair.person_b_id, pair.score, pair.reason) == (
        first.id,
        second.id,
        90,
        "та же дата рождения, похожее ФИО",
    )
    db.session.commit()
    assert build_report(t.id, 2019)["residents"]["school"] == 2
    merge = merge_persons(first, second, take={"phone"}, user_id=None)
    db.session.commit()
    merged_id = second.id
    assert build_report(t.id, 2019)["residents"]["school"] == 1
    assert db.session.get(Person, merged_id) is None
    survivor = db.session.get(Person, first.id)
    assert (
        survivor.full_name,
        survivor.email,
        survivor.phone,
        survivor.status.value,
        survivor.status_since,
        survivor.admission_on,
    ) == (
        "Дублёва Анна Сергеевна",
        "anna@example.ru",
        "+7 900 000-00-01",
        "resident_school",
        date(2019, 5, 1),
        date(2019, 5, 1),
    )
    history = db.session.execute(
        sa.select(
            PersonStatusChange.changed_on,
            PersonStatusChange.from_status,
            PersonStatusChange.to_status,
        )
        .where(PersonStatusChange.person_id == first.id)
        .order_by(PersonStatusChange.changed_on)
    ).all()
    assert [(on, a.value, b.value) for on, a, b in history] == [
        (date(2018, 10, 1), "none", "potential"),
        (date(2019, 5, 1), "potential", "resident_school"),
    ]
    assert merge.moved == {
        "participations_dropped": 0,
        "placements_dropped": 0,
        "consents": 1,
        "achievements": 1,
        "projects": 0,
        "participations": 0,
        "placements": 0,
        "nominations": 0,
        "candidates": 0,
        "statuses": 2,
        "statuses_dropped": 1,
        "certificates": 0,
        "transitions": 2,
        "audit": 1,
    }
    assert db.session.scalars(sa.select(Achievement.person_id)).all() == [first.id]
    assert db.session.scalars(sa.select(Consent.person_id)).all() == [first.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DuplicatePair)) == 0
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.merge")
    ).scalar_one()
    assert (entry.object_id, entry.details["merged_id"], entry.details["fields"]) == (
        first.id,
        merged_id,
        ["phone"],
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonMerge)) == 1


def test_a_merge_that_breaks_the_status_history_is_refused_and_writes_nothing(factory):
    t = factory.tenant()
    pupil = make_person(t, "Школьная", history=[("admit_school", date(2019, 5, 1))])
    student = make_person(t, "Школьная", history=[("admit_student", date(2020, 9, 1))])
    with pytest.raises(TransitionRefused) as refused:
        merge_persons(pupil, student, take=set(), user_id=None)
    assert str(refused.value) == (
        "Объединение невозможно: в общей истории статусов переход 01.09.2020 «Включить в "
        "банк (студент)» из статуса «Резидент (школьник)» недопустим. Исправьте историю "
        "одной из записей и повторите."
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonMerge)) == 0


def test_a_participation_both_records_have_is_kept_once(factory):
    from mkr_web.models import Participation
    from tests.factories import edition, event, participate

    t = factory.tenant()
    ed = edition(event(t, "Форум"), 2019)
    other = edition(event(t, "Слёт"), 2019)
    first = make_person(t, "Участникова", birth_on=date(2006, 1, 1))
    second = make_person(t, "Участникова", birth_on=date(2006, 1, 1))
    participate(ed, first)
    participate(ed, second)
    participate(other, second)
    db.session.commit()
    merge = merge_persons(first, second, take=set(), user_id=None)
    db.session.commit()
    assert (merge.moved["participations_dropped"], merge.moved["participations"]) == (1, 1)
    rows = db.session.execute(
        sa.select(Participation.edition_id, Participation.person_id).order_by(
            Participation.edition_id
        )
    ).all()
    assert [tuple(r) for r in rows] == [(ed.id, first.id), (other.id, first.id)]


def test_the_merged_records_snils_moves_to_the_survivor(factory):
    """СНИЛС is unique per tenant: taking it from the merged record leaves no clash."""
    t, first, second = _twins(factory)
    second.snils = "11223344595"  # stored as its 11 digits
    db.session.commit()
    first_id = first.id
    merge_persons(first, second, take={"snils"}, user_id=None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, first_id).snils == "11223344595"
