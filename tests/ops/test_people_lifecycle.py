"""Status history queries: the statuses as of any past date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Person
from mkr_web.queries.people import status_counts_as_of, statuses_as_of
from tests.factories import make_person
from workflows.lifecycle import PersonStatus as S


def test_statuses_as_of_any_past_date(app_ctx, factory):
    t = factory.tenant()
    other = factory.tenant()
    make_person(
        t,
        "А",
        history=[
            ("admit_school", date(2017, 5, 1)),
            ("enrol_university", date(2018, 9, 1)),
            ("graduate", date(2020, 7, 1)),
        ],
    )
    make_person(
        t, "Б", history=[("mark_potential", date(2019, 10, 1)), ("admit_school", date(2020, 1, 1))]
    )
    # two changes on the same day: the later recorded one wins
    make_person(
        t,
        "В",
        history=[
            ("mark_potential", date(2019, 3, 3)),
            ("exclude", date(2019, 3, 3), "Ошибка ввода"),
        ],
    )
    make_person(t, "Г")  # no history: not counted
    make_person(other, "Д", history=[("admit_school", date(2017, 1, 1))])

    def counts(on):
        return {s.value: n for s, n in status_counts_as_of(t.id, on).items() if n}

    assert counts(date(2017, 4, 30)) == {}
    assert counts(date(2017, 5, 1)) == {"resident_school": 1}
    assert counts(date(2019, 3, 3)) == {"resident_student": 1, "excluded": 1}
    assert counts(date(2019, 12, 31)) == {"resident_student": 1, "potential": 1, "excluded": 1}
    assert counts(date(2020, 1, 1)) == {"resident_student": 1, "resident_school": 1, "excluded": 1}
    assert counts(date(2021, 1, 1)) == {"alumni": 1, "resident_school": 1, "excluded": 1}
    assert set(status_counts_as_of(t.id, date(2020, 1, 1))) == set(S)

    # usable as a subquery, e.g. residents as of D per municipality
    sub = statuses_as_of(t.id, date(2020, 1, 1))
    rows = db.session.execute(
        sa.select(Person.municipality_id, sa.func.count())
        .join(sub, sub.c.person_id == Person.id)
        .where(sub.c.status.in_([S.RESIDENT_SCHOOL, S.RESIDENT_STUDENT]))
        .group_by(Person.municipality_id)
    ).all()
    assert [n for _, n in rows] == [2]
