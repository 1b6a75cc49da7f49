"""Events, editions, counts and participant lists: the operations."""

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import CountsError, OperationError
from mkr_web.extensions import db
from mkr_web.models import (
    AuditEntry,
    CountCategory,
    Direction,
    EditionFormat,
    EditionState,
    Event,
    EventKind,
    EventLevel,
    Participation,
    ParticipationCount,
    ParticipationRole,
    Person,
)
from mkr_web.operations.events import (
    EditionData,
    ParticipantRow,
    add_participants,
    save_counts,
    save_edition,
)
from tests.factories import saved_event

C = CountCategory


@pytest.fixture
def setup(factory):
    tenant = factory.tenant()
    org = factory.organization(tenant, "Первый район", name="Центр", kind="supplementary")
    partner = factory.organization(tenant, "Первый район", name="Вуз", kind="university")
    event = saved_event(
        tenant,
        org,
        "Олимпиада по педагогике",
        direction=Direction.PEDAGOGY,
        partners=[partner, partner],
    )
    db.session.commit()
    return tenant, org, partner, event


def test_event_has_kind_direction_organizer_partners_level(setup):
    tenant, org, partner, event = setup
    event = db.session.get(Event, event.id)
    assert (event.title, event.kind, event.direction, event.level) == (
        "Олимпиада по педагогике",
        EventKind.SATELLITE,
        Direction.PEDAGOGY,
        EventLevel.REGIONAL,
    )
    assert event.organizer_id == org.id
    assert [p.name for p in event.partners] == ["Вуз"]  # a partner given twice is kept once


def test_event_refuses_another_tenants_organisation_and_blank_title(setup, factory):
    tenant, org, partner, event = setup
    other = factory.tenant()
    foreign = factory.organization(other, "Первый район")
    with pytest.raises(OperationError, match="другого проекта"):
        saved_event(tenant, foreign, "X", kind=EventKind.OTHER)
    with pytest.raises(OperationError, match="название"):
        saved_event(tenant, org, "  ", kind=EventKind.OTHER)


def test_edition_year_dates_format_state_note(setup):
    tenant, org, partner, event = setup
    edition = save_edition(
        event,
        EditionData(
            year=2019,
            starts_on=date(2019, 1, 23),
            ends_on=date(2019, 1, 25),
            format=EditionFormat.VIDEO,
            state=EditionState.MOVED,
            note="Перенесено с ноября 2018 года",
        ),
    )
    db.session.commit()
    assert (edition.year, edition.format, edition.state, edition.note) == (
        2019,
        EditionFormat.VIDEO,
        EditionState.MOVED,
        "Перенесено с ноября 2018 года",
    )
    assert [e.year for e in db.session.get(Event, event.id).editions] == [2019]


@pytest.mark.parametrize(
    "data,message",
    [
        (EditionData(year=2018, state=EditionState.NOT_HELD), "примечание"),
        (EditionData(year=2018, state=EditionState.MOVED, note="  "), "примечание"),
        (EditionData(year=2018, starts_on=date(2018, 5, 2), ends_on=date(2018, 5, 1)), "раньше"),
        (EditionData(year=1999), "Отчётный год"),
    ],
)
def test_edition_refusals(setup, data, message):
    with pytest.raises(OperationError, match=message):
        save_edition(setup[3], data)


def test_one_edition_per_event_and_year(setup):
    event = setup[3]
    first = save_edition(event, EditionData(year=2019))
    db.session.commit()
    with pytest.raises(OperationError, match="уже есть"):
        save_edition(event, EditionData(year=2019))
    # editing the same edition keeps its year
    save_edition(event, EditionData(year=2019, format=EditionFormat.REMOTE), first)
    assert first.format is EditionFormat.REMOTE


def _grid(tenant):
    return {m.id: m for m in tenant.municipalities}


def test_counts_grid_replaces_all_and_skips_zeros(setup):
    tenant, _, _, event = setup
    edition = save_edition(event, EditionData(year=2019))
    m1, m2 = tenant.municipalities
    totals = save_counts(
        edition,
        {
            (m1.id, C.STUDENTS): "120",
            (m1.id, C.TEACHERS): " 7 ",
            (m1.id, C.EXPERTS): "",
            (m2.id, C.STUDENTS): "3",
            (m2.id, C.TEACHERS): "0",
            (m2.id, C.EXPERTS): "2",
        },
    )
    db.session.commit()
    assert totals == {"students": 123, "teachers": 7, "experts": 2}
    rows = db.session.execute(
        sa.select(
            ParticipationCount.municipality_id,
            ParticipationCount.category,
            ParticipationCount.count,
        )
        .where(ParticipationCount.edition_id == edition.id)
        .order_by(ParticipationCount.id)
    ).all()
    assert sorted(rows) == sorted(
        [
            (m1.id, C.STUDENTS, 120),
            (m1.id, C.TEACHERS, 7),
            (m2.id, C.STUDENTS, 3),
            (m2.id, C.EXPERTS, 2),
        ]
    )
    save_counts(edition, {(m1.id, C.STUDENTS): "5"})
    db.session.commit()
    assert db.session.execute(
        sa.select(
            ParticipationCount.municipality_id,
            ParticipationCount.category,
            ParticipationCount.count,
        ).where(ParticipationCount.edition_id == edition.id)
    ).all() == [(m1.id, C.STUDENTS, 5)]


def test_counts_grid_is_all_or_nothing(setup):
    tenant, _, _, event = setup
    edition = save_edition(event, EditionData(year=2019))
    m1, m2 = tenant.municipalities
    save_counts(edition, {(m1.id, C.STUDENTS): "10"})
    db.session.commit()
    with pytest.raises(CountsError) as exc:
        save_counts(
            edition,
            {
                (m1.id, C.STUDENTS): "20",
                (m2.id, C.STUDENTS): "-1",
                (m2.id, C.TEACHERS): "abc",
                (m2.id, C.EXPERTS): "100001",
            },
        )
    assert exc.value.errors == {
        (m2.id, C.STUDENTS): "целое неотрицательное число",
        (m2.id, C.TEACHERS): "целое неотрицательное число",
        (m2.id, C.EXPERTS): "не больше 100000",
    }
    db.session.rollback()
    assert db.session.scalars(sa.select(ParticipationCount.count)).all() == [10]


def test_counts_refused_for_not_held_edition_and_foreign_municipality(setup, factory):
    tenant, _, _, event = setup
    edition = save_edition(
        event, EditionData(year=2018, state=EditionState.NOT_HELD, note="Не проводилось")
    )
    m1 = tenant.municipalities[0]
    with pytest.raises(OperationError, match="не проводилось"):
        save_counts(edition, {(m1.id, C.STUDENTS): "1"})
    assert save_counts(edition, {(m1.id, C.STUDENTS): ""}) == {
        "students": 0,
        "teachers": 0,
        "experts": 0,
    }
    foreign = factory.tenant().municipalities[0]
    with pytest.raises(OperationError, match="другого проекта"):
        save_counts(edition, {(foreign.id, C.STUDENTS): "1"})


def test_add_participants_matches_by_normalised_name_and_birth_date(setup):
    tenant, org, _, event = setup
    school = org
    muni = tenant.municipalities[0]
    edition = save_edition(event, EditionData(year=2019))
    known = Person(
        tenant_id=tenant.id,
        surname="Котёнкина",
        name="Алёна",
        patronymic="Игоревна",
        birth_on=date(2004, 5, 6),
    )
    known.refresh_search_name()
    db.session.add(known)
    db.session.commit()
    rows = [
        ParticipantRow(
            "  котенкина ",
            "АЛЕНА",
            "игоревна",
            date(2004, 5, 6),
            None,
            None,
            ParticipationRole.WINNER,
            1,
            "Педагогика",
        ),
        ParticipantRow(
            "Котёнкина",
            "Алёна",
            "Игоревна",
            date(2005, 5, 6),
            muni,
            school,
            ParticipationRole.PARTICIPANT,
        ),  # another birth date: another person
        ParticipantRow(
            "Петров",
            "Пётр",
            None,
            date(2006, 1, 2),
            None,
            school,
            ParticipationRole.PRIZE_WINNER,
            2,
        ),
        ParticipantRow(
            "Петров",
            "Петр",
            None,
            date(2006, 1, 2),
            None,
            school,
            ParticipationRole.PRIZE_WINNER,
            2,
        ),
        ParticipantRow(
            "Петров", "Пётр", None, date(2006, 1, 2), None, None, ParticipationRole.MENTOR
        ),
    ]
    result = add_participants(edition, rows)
    db.session.commit()
    assert (
        result.persons_created,
        result.persons_matched,
        result.participations_added,
        result.duplicates,
    ) == (2, 3, 4, 1)
    persons = db.session.scalars(
        sa.select(Person).where(Person.tenant_id == tenant.id).order_by(Person.id)
    ).all()
    assert [(p.surname, p.birth_on) for p in persons] == [
        ("Котёнкина", date(2004, 5, 6)),
        ("Котёнкина", date(2005, 5, 6)),
        ("Петров", date(2006, 1, 2)),
    ]
    assert persons[1].municipality_id == muni.id and persons[1].organization_id == school.id
    # the organisation's municipality is used when no municipality is given
    assert persons[2].municipality_id == school.municipality_id
    parts = db.session.execute(
        sa.select(
            Participation.person_id, Participation.role, Participation.place, Participation.section
        ).order_by(Participation.id)
    ).all()
    assert parts == [
        (known.id, ParticipationRole.WINNER, 1, "Педагогика"),
        (persons[1].id, ParticipationRole.PARTICIPANT, None, None),
        (persons[2].id, ParticipationRole.PRIZE_WINNER, 2, None),
        (persons[2].id, ParticipationRole.MENTOR, None, None),
    ]
    # the same list again adds nothing
    again = add_participants(edition, rows)
    assert (again.persons_created, again.participations_added, again.duplicates) == (0, 0, 5)
    audit = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.details).where(AuditEntry.action == "person.create")
    ).all()
    assert len(audit) == 2 and all(set(d) == {"source", "edition_id"} for _, d in audit)


def test_add_participants_refusals(setup, factory):
    tenant, org, _, event = setup
    not_held = save_edition(
        event, EditionData(year=2018, state=EditionState.NOT_HELD, note="перенос")
    )
    with pytest.raises(OperationError, match="не проводилось"):
        add_participants(not_held, [])
    edition = save_edition(event, EditionData(year=2019))
    with pytest.raises(OperationError, match="фамилии"):
        add_participants(edition, [ParticipantRow(" ", "Имя", None, date(2005, 1, 1), None, None)])
    foreign = factory.organization(factory.tenant(), "Первый район")
    with pytest.raises(OperationError, match="другого проекта"):
        add_participants(edition, [ParticipantRow("Ф", "И", None, date(2005, 1, 1), None, foreign)])
