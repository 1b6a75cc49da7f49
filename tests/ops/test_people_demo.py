"""The demo's persons: the plan's counts and the seed's Table 1, dated histories that answer
"as of 1 January 2020", consents for minors, links to the events' editions, idempotency."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from mkr_web.demo import TENANT_SLUG, load_demo, reference
from mkr_web.demo.seed import ACCREDITED_EVENTS, ADMISSIONS_2019, RESIDENTS_AS_OF
from mkr_web.extensions import db
from mkr_web.models import (
    Achievement,
    Consent,
    Event,
    EventEdition,
    Municipality,
    Organization,
    Person,
    PersonProject,
    PersonStatusChange,
    Tenant,
)
from mkr_web.queries.people import status_counts_as_of, statuses_as_of
from workflows.lifecycle import PersonStatus as S


def _forum_2019(tenant_id: int) -> EventEdition:
    """The 2019 edition of the forum, created by the events loader before the persons."""
    return db.session.execute(
        sa.select(EventEdition)
        .join(Event)
        .where(
            Event.tenant_id == tenant_id,
            Event.title == ACCREDITED_EVENTS["forum"][0],
            EventEdition.year == 2019,
        )
    ).scalar_one()


def test_demo_persons(app_ctx):
    created = load_demo("demo-password-1")  # its speed is bench/'s business, not a test's
    db.session.commit()
    assert created["persons"] == 552
    t = db.session.execute(sa.select(Tenant).where(Tenant.slug == TENANT_SLUG)).scalar_one()
    edition = _forum_2019(t.id)

    counts = status_counts_as_of(t.id, RESIDENTS_AS_OF)
    assert {s: n for s, n in counts.items() if n} == {
        S.RESIDENT_SCHOOL: 312,
        S.RESIDENT_STUDENT: 151,
        S.POTENTIAL: 77,
        S.ALUMNI: 10,
        S.EXCLUDED: 2,
    }
    current = Counter(db.session.scalars(sa.select(Person.status).where(Person.tenant_id == t.id)))
    assert current == {
        S.RESIDENT_SCHOOL: 312,
        S.RESIDENT_STUDENT: 151,
        S.POTENTIAL: 77,
        S.ALUMNI: 10,
        S.EXCLUDED: 2,
    }

    # Table 1: school Residents as of 1 January 2020 per municipality and their organisations
    sub = statuses_as_of(t.id, RESIDENTS_AS_OF)
    rows = db.session.execute(
        sa.select(
            Municipality.name, sa.func.count(sa.distinct(Person.organization_id)), sa.func.count()
        )
        .join(Person, Person.municipality_id == Municipality.id)
        .join(sub, sub.c.person_id == Person.id)
        .where(sub.c.status == S.RESIDENT_SCHOOL)
        .group_by(Municipality.name)
    ).all()
    assert {name: (orgs, n) for name, orgs, n in rows} == reference.TABLE1
    assert sum(orgs for _, orgs, _ in rows) == 69

    # criterion 1: 124 admitted in 2019
    admitted_2019 = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Person)
        .where(
            Person.tenant_id == t.id,
            Person.admission_on >= date(2019, 1, 1),
            Person.admission_on < date(2020, 1, 1),
        )
    )
    assert admitted_2019 == sum(ADMISSIONS_2019.values()) == 124

    # every person has a dated history in order; the forum's 2019 winners link its edition
    changes = db.session.execute(
        sa.select(PersonStatusChange.person_id, PersonStatusChange.changed_on).order_by(
            PersonStatusChange.person_id, PersonStatusChange.id
        )
    ).all()
    by_person: dict[int, list[date]] = {}
    for pid, on in changes:
        by_person.setdefault(pid, []).append(on)
    assert len(by_person) == 552
    assert all(dates == sorted(dates) for dates in by_person.values())
    linked = db.session.scalars(
        sa.select(Person.admission_basis).where(Person.admission_edition_id == edition.id)
    ).all()
    assert len(linked) == ADMISSIONS_2019["forum"] == 24
    assert set(linked) == {"Победитель (призёр): Форум «Новое поколение», 2019"}
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PersonStatusChange)
            .where(PersonStatusChange.edition_id == edition.id)
        )
        == 24
    )
    unlinked = db.session.scalar(
        sa.select(Person.admission_basis)
        .where(Person.admission_basis.like("%Ассамблея%2019"))
        .limit(1)
    )
    assert unlinked == "Победитель (призёр): Ассамблея «Профессии будущего», 2019"

    # the organisation comes from the reference data, the municipality from the plan
    org_munis = db.session.execute(
        sa.select(Organization.name, Municipality.name)
        .join(Municipality, Municipality.id == Organization.municipality_id)
        .join(Person, Person.organization_id == Organization.id)
        .where(Person.status == S.RESIDENT_SCHOOL)
        .distinct()
    ).all()
    assert all(o.endswith(f"({m})") or o.startswith("ОГБОУ") for o, m in org_munis)

    # consents: one per person with a history, a parent's for minors
    consents = db.session.execute(
        sa.select(
            Consent.given_by,
            Consent.given_on,
            Person.birth_on,
            Consent.giver_name,
            Person.parent_name,
        ).join(Person, Person.id == Consent.person_id)
    ).all()
    assert len(consents) == 552
    for given_by, on, born, giver, parent in consents:
        minor = (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < 18
        assert given_by.value == ("parent" if minor else "self")
        if minor:
            assert giver == parent and parent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Achievement)) > 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonProject)) > 10

    # idempotent
    assert load_demo("demo-password-1") == {}
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 552
