"""Small builders of report rows for tests (events, editions, counts, persons with histories)."""

from __future__ import annotations

from datetime import date, datetime

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    CountCategory,
    Direction,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    MunicipalityKind,
    Opportunity,
    OpportunityKind,
    Organization,
    OutletKind,
    Participation,
    ParticipationCount,
    ParticipationRole,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    User,
)
from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState


def other_region(tenant, name="г. Кемерово"):
    m = Municipality(
        tenant_id=tenant.id, name=name, kind=MunicipalityKind.OTHER_REGION, sort_order=100
    )
    db.session.add(m)
    db.session.flush()
    return m


def event(tenant, title, kind=EventKind.ACCREDITED, direction=Direction.PROJECT_RESEARCH):
    e = Event(
        tenant_id=tenant.id, title=title, kind=kind, direction=direction, level=EventLevel.REGIONAL
    )
    db.session.add(e)
    db.session.flush()
    return e


def edition(ev, year, state=EditionState.HELD, note=None, counts=None):
    """``counts``: {municipality or None: students}; teachers/experts via (muni, category) keys."""
    ed = EventEdition(tenant_id=ev.tenant_id, event_id=ev.id, year=year, state=state, note=note)
    db.session.add(ed)
    db.session.flush()
    for key, n in (counts or {}).items():
        muni, category = key if isinstance(key, tuple) else (key, CountCategory.STUDENTS)
        db.session.add(
            ParticipationCount(
                tenant_id=ev.tenant_id,
                edition_id=ed.id,
                category=category,
                municipality_id=muni.id if muni else None,
                count=n,
            )
        )
    db.session.flush()
    return ed


def person(tenant, municipality=None, organization=None, history=(), surname="Тестов"):
    """``history``: [(date, PersonStatus)], in the order they are recorded (ids ascend)."""
    p = Person(
        tenant_id=tenant.id,
        surname=surname,
        name="Тест",
        search_name=surname.lower(),
        municipality_id=municipality.id if municipality else None,
        organization_id=organization.id if organization else None,
        status=history[-1][1] if history else PersonStatus.NONE,
        status_reason="Исключён по заявлению"
        if history and history[-1][1] is PersonStatus.EXCLUDED
        else None,
    )
    db.session.add(p)
    db.session.flush()
    previous = PersonStatus.NONE
    for on, status in history:
        db.session.add(
            PersonStatusChange(
                tenant_id=tenant.id,
                person_id=p.id,
                from_status=previous,
                to_status=status,
                changed_on=on,
                action="test",
            )
        )
        previous = status
    db.session.flush()
    return p


def participate(ed, p, role=ParticipationRole.PARTICIPANT):
    db.session.add(
        Participation(tenant_id=ed.tenant_id, edition_id=ed.id, person_id=p.id, role=role)
    )
    db.session.flush()


def org(tenant, municipality, name, regional=False):
    o = Organization(
        tenant_id=tenant.id,
        name=name,
        kind="school",
        municipality_id=municipality.id,
        is_regional_subordination=regional,
    )
    db.session.add(o)
    db.session.flush()
    return o


def decider():
    u = db.session.execute(
        db.select(User).where(User.email == "decider@example.test")
    ).scalar_one_or_none()
    if u is None:
        u = User(email="decider@example.test", password_hash="!", full_name="Оператор")
        db.session.add(u)
        db.session.flush()
    return u


def accreditation(
    tenant, organizer, number, state, valid=(None, None), decided_at=None, title=None
):
    a = AccreditationApplication(
        tenant_id=tenant.id,
        number=number,
        organizer_id=organizer.id,
        title=title or number,
        direction=Direction.PROJECT_RESEARCH,
        level=EventLevel.REGIONAL,
        state=state,
        valid_from_year=valid[0],
        valid_to_year=valid[1],
        decided_at=decided_at,
        decided_by_id=decider().id
        if state in (ReviewState.ACCREDITED, ReviewState.REJECTED, ReviewState.EXPIRED)
        else None,
    )
    db.session.add(a)
    db.session.flush()
    return a


def partnership(tenant, organization, started_on, ended_on=None):
    db.session.add(
        Partnership(
            tenant_id=tenant.id,
            organization_id=organization.id,
            started_on=started_on,
            ended_on=ended_on,
        )
    )
    db.session.flush()


def placement(tenant, p, on, kind=OpportunityKind.INTERNSHIP, title=None):
    o = Opportunity(tenant_id=tenant.id, kind=kind, title=title or f"Стажировка {on}", year=on.year)
    db.session.add(o)
    db.session.flush()
    db.session.add(
        Placement(tenant_id=tenant.id, opportunity_id=o.id, person_id=p.id, placed_on=on)
    )
    db.session.flush()


def publication(tenant, on, outlet, kind=OutletKind.PARTNER_SITE):
    db.session.add(
        Publication(
            tenant_id=tenant.id, title="Материал", outlet=outlet, outlet_kind=kind, published_on=on
        )
    )
    db.session.flush()


__all__ = ["date", "datetime"]
