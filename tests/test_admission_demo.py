"""The admission/programme demo loader against a minimal fake of what the events and people
loaders create (the five accredited events' editions; the plan's persons with their status
history), built from mkr_web/demo/plan.py and seed.py."""

from datetime import date

import sqlalchemy as sa

from mkr_web.demo import TENANT_SLUG, load_demo
from mkr_web.demo.plan import people_plan
from mkr_web.demo.reference import OPERATOR_ORG
from mkr_web.demo.seed import ACCREDITED_EVENTS, ADMISSIONS_2019, edition_dates
from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionBatch,
    AdmissionCandidate,
    Consent,
    Event,
    EventEdition,
    EventKind,
    Municipality,
    Opportunity,
    Organization,
    OutletKind,
    Participation,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    SubjectType,
    Tenant,
    TransitionLog,
)
from workflows.admission import CandidateState
from workflows.lifecycle import ACTIVE_RESIDENT, PersonStatus


def fake_events(tenant):
    rcro = db.session.scalar(sa.select(Organization).where(Organization.tenant_id == tenant.id,
                                                            Organization.name == OPERATOR_ORG))
    for key, (title, short, direction) in ACCREDITED_EVENTS.items():
        event = Event(tenant_id=tenant.id, title=title, short_title=short, kind=EventKind.ACCREDITED,
                      direction=direction, organizer_id=rcro.id)
        db.session.add(event)
        db.session.flush()
        start, end = edition_dates(key, 2019)
        db.session.add(EventEdition(tenant_id=tenant.id, event_id=event.id, year=2019, starts_on=start, ends_on=end))


def fake_people(tenant):
    munis = {m.name: m.id for m in db.session.scalars(sa.select(Municipality).where(Municipality.tenant_id == tenant.id))}
    orgs = {o.name: o.id for o in db.session.scalars(sa.select(Organization).where(Organization.tenant_id == tenant.id))}
    for spec in people_plan():
        person = Person(tenant_id=tenant.id, surname=spec.surname, name=spec.name, patronymic=spec.patronymic,
                        birth_on=spec.birth_on, municipality_id=munis[spec.municipality],
                        organization_id=orgs.get(spec.organization), grade=spec.grade, status=spec.status,
                        status_reason=spec.history[-1].comment if spec.history else None,
                        admission_on=spec.admission.on if spec.admission else None)
        person.refresh_search_name()
        db.session.add(person)
        db.session.flush()
        previous = PersonStatus.NONE
        for step in spec.history:
            db.session.add(PersonStatusChange(tenant_id=tenant.id, person_id=person.id, from_status=previous,
                                              to_status=step.to, changed_on=step.on, action=step.action))
            previous = step.to


def counts():
    tables = [AdmissionBatch, AdmissionCandidate, Consent, TransitionLog, Participation, PersonStatusChange, Person,
              Opportunity, Placement, Publication, Partnership, Organization]
    return {t.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}


def test_demo_admissions_and_programme(app_ctx):
    # without events and persons: no batch, no placement; partners and publications are there
    load_demo("demo-password-1")
    db.session.commit()
    first = counts()
    assert (first["AdmissionBatch"], first["Placement"]) == (0, 0)
    assert first["Partnership"] == 23 and first["Publication"] == 22

    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == TENANT_SLUG)).scalar_one()
    fake_events(tenant)
    fake_people(tenant)
    db.session.commit()
    status_changes = counts()["PersonStatusChange"]

    created = load_demo("demo-password-1")
    db.session.commit()
    assert created == {"admission_batches": 5, "admission_candidates": 124, "placements": 54}
    after = counts()
    assert after["PersonStatusChange"] == status_changes  # no status change written by this loader

    # 124 admitted candidates, batch by batch as in the seed, each the plan's person
    batches = db.session.scalars(sa.select(AdmissionBatch).order_by(AdmissionBatch.number)).all()
    assert [b.number for b in batches] == [f"ADM-2019-00{i}" for i in range(1, 6)]
    by_title = {b.edition.event.title: len(b.candidates) for b in batches}
    assert by_title == {ACCREDITED_EVENTS[k][0]: n for k, n in ADMISSIONS_2019.items()}
    assert db.session.scalar(sa.select(sa.func.count()).where(
        AdmissionCandidate.state == CandidateState.ADMITTED)) == 124
    candidates = db.session.scalars(sa.select(AdmissionCandidate)).all()
    assert all(c.person_id and c.consent_id and c.decided_by_id and c.confirmed_by_id for c in candidates)
    assert len({c.person_id for c in candidates}) == 124
    admitted_2019 = set(db.session.scalars(sa.select(PersonStatusChange.person_id).where(
        PersonStatusChange.changed_on.between(date(2019, 1, 1), date(2019, 12, 31)),
        PersonStatusChange.action == "admit_school")))
    assert {c.person_id for c in candidates} == admitted_2019
    logs = db.session.execute(sa.select(TransitionLog.action, TransitionLog.role, sa.func.count())
                              .where(TransitionLog.subject_type == SubjectType.CANDIDATE)
                              .group_by(TransitionLog.action, TransitionLog.role)).all()
    roles = {(a, r): n for a, r, n in logs}
    assert roles[("admit", "admin")] == 124
    assert roles[("confirm", "coordinator")] + roles[("confirm", "admin")] == 124
    assert roles[("confirm", "coordinator")] > 0  # Seversk and Pervomaisky have demo coordinators
    assert after["Participation"] == 124

    # criterion 5: at least 50 distinct active Residents placed in 2019
    placed = db.session.scalars(sa.select(Person).join(Placement, Placement.person_id == Person.id)
                                .join(Opportunity, Opportunity.id == Placement.opportunity_id)
                                .where(Opportunity.year == 2019).distinct()).all()
    assert len(placed) == 52 and all(p.status in ACTIVE_RESIDENT for p in placed)
    # criterion 3: more than 20 partners, at least 2 new in 2019
    starts = db.session.scalars(sa.select(Partnership.started_on)).all()
    assert len(starts) > 20 and sum(s.year == 2019 for s in starts) == 2 and all(s.year <= 2019 for s in starts)
    # criterion 6: 6 partner sites and 4 news agencies, more than 20 materials in 2019
    pubs = db.session.execute(sa.select(Publication.outlet, Publication.outlet_kind, Publication.published_on)).all()
    assert len(pubs) == 22 and all(p.published_on.year == 2019 for p in pubs)
    assert len({o for o, k, _d in pubs if k is OutletKind.PARTNER_SITE}) == 6
    assert len({o for o, k, _d in pubs if k is OutletKind.NEWS_AGENCY}) == 4

    # a second run changes nothing
    assert load_demo("demo-password-1") == {}
    db.session.commit()
    assert counts() == after
