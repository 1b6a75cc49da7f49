"""Demo: the 2019 admissions as batches of the five accredited events, and (through
:mod:`.programme`) partners, publications, opportunities and placements.

Runs after the events and people loaders. The people loader already wrote every person's
status history (their ``PersonStatusChange`` rows): this loader adds the admission records
behind the 124 admissions of 2019 (batches, candidates, consents, transition history,
participations as winners) and writes no status change. Without the events or the persons
it creates no batch. Idempotent: a batch exists per edition, or nothing is done for it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from workflows.admission import CandidateState
from workflows.consent import expiry_of
from workflows.roles import Role

from ..extensions import db
from ..models import (
    AdmissionBatch,
    AdmissionCandidate,
    Consent,
    ConsentGiver,
    Event,
    EventEdition,
    EventKind,
    MatchKind,
    Membership,
    Municipality,
    Organization,
    Participation,
    ParticipationRole,
    Person,
    SubjectType,
    Tenant,
    TransitionLog,
    membership_municipality,
    normalize_name,
)
from ..operations.admission import next_batch_number
from ..operations.admission_rows import age_on
from . import programme
from .plan import PersonSpec, people_plan
from .seed import ACCREDITED_EVENTS, ADMISSIONS_2019

YEAR = 2019
SECTIONS = ["Естественные науки", "Гуманитарные науки", "Социальные проекты", "Инженерные проекты"]
C = CandidateState


def load(tenant: Tenant) -> dict[str, int]:
    persons = plan_persons(tenant)
    made = programme.load(tenant, persons)
    made.update(load_admissions(tenant, persons))
    return {k: v for k, v in made.items() if v}


def plan_persons(tenant: Tenant) -> dict[str, Person]:
    """The plan's persons found in the bank (same normalised name and birth date), by plan key."""
    rows = db.session.scalars(sa.select(Person).where(Person.tenant_id == tenant.id))
    index = {(p.search_name, p.birth_on): p for p in rows}
    found = {}
    for spec in people_plan():
        person = index.get(
            (normalize_name(spec.surname, spec.name, spec.patronymic), spec.birth_on)
        )
        if person is not None:
            found[spec.key] = person
    return found


def _editions(tenant: Tenant) -> dict[str, EventEdition] | None:
    editions = {}
    for key in ADMISSIONS_2019:
        edition = db.session.execute(
            sa.select(EventEdition)
            .join(Event, Event.id == EventEdition.event_id)
            .where(
                Event.tenant_id == tenant.id,
                Event.kind == EventKind.ACCREDITED,
                Event.title == ACCREDITED_EVENTS[key][0],
                EventEdition.year == YEAR,
            )
        ).scalar_one_or_none()
        if edition is None:
            return None
        editions[key] = edition
    return editions


def _admitted_by(key: str) -> list[PersonSpec]:
    return [
        s
        for s in people_plan()
        if s.admission and s.admission.event_key == key and s.admission.year == YEAR
    ]


def _users(tenant: Tenant) -> tuple[int | None, dict[int, int], dict[int, int]]:
    """(admin user id, coordinator user id by municipality id, organiser user id by organisation id)."""
    members = db.session.scalars(
        sa.select(Membership).where(Membership.tenant_id == tenant.id).order_by(Membership.id)
    ).all()
    admin = next((m.user_id for m in members if m.role is Role.ADMIN), None)
    organisers = {}
    for m in members:
        if m.role is Role.ORGANIZER:
            organisers.setdefault(m.organization_id, m.user_id)
    coordinators = {}
    for muni_id, user_id in db.session.execute(
        sa.select(membership_municipality.c.municipality_id, Membership.user_id)
        .join(Membership, Membership.id == membership_municipality.c.membership_id)
        .where(Membership.tenant_id == tenant.id, Membership.role == Role.COORDINATOR)
        .order_by(Membership.id)
    ):
        coordinators.setdefault(muni_id, user_id)
    return admin, coordinators, organisers


def load_admissions(tenant: Tenant, persons: dict[str, Person]) -> dict[str, int]:
    editions = _editions(tenant)
    admin_id, coordinators, organisers = _users(tenant)
    plan = {key: _admitted_by(key) for key in ADMISSIONS_2019}
    if editions is None or admin_id is None:
        return {}
    if any(s.key not in persons for specs in plan.values() for s in specs):
        return {}
    munis = {
        m.name: m
        for m in db.session.scalars(
            sa.select(Municipality).where(Municipality.tenant_id == tenant.id)
        )
    }
    orgs = {
        o.name: o
        for o in db.session.scalars(
            sa.select(Organization).where(Organization.tenant_id == tenant.id)
        )
    }
    done = set(
        db.session.scalars(
            sa.select(AdmissionBatch.edition_id).where(AdmissionBatch.tenant_id == tenant.id)
        )
    )
    made = {"admission_batches": 0, "admission_candidates": 0}
    for key, edition in editions.items():
        if edition.id in done:
            continue
        _batch(tenant, edition, plan[key], persons, munis, orgs, admin_id, coordinators, organisers)
        made["admission_batches"] += 1
        made["admission_candidates"] += len(plan[key])
    db.session.flush()
    return made


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def _batch(
    tenant, edition, specs, persons, munis, orgs, admin_id, coordinators, organisers
) -> None:
    end = edition.ends_on or edition.starts_on or date(YEAR, 1, 1)
    submitted_on = end + timedelta(days=3)
    event = edition.event
    batch = AdmissionBatch(
        tenant_id=tenant.id,
        number=next_batch_number(tenant.id, YEAR),
        edition_id=edition.id,
        organizer_id=event.organizer_id,
        created_by_id=organisers.get(event.organizer_id),
        source_filename="protocol.xlsx",
        created_at=_at(submitted_on, 9),
    )
    db.session.add(batch)
    db.session.flush()
    winners = max(1, len(specs) // 4)
    existing = set(
        db.session.scalars(
            sa.select(Participation.person_id).where(
                Participation.edition_id == edition.id,
                Participation.role.in_([ParticipationRole.WINNER, ParticipationRole.PRIZE_WINNER]),
            )
        )
    )
    for row_no, spec in enumerate(specs, start=1):
        person = persons[spec.key]
        muni = munis[spec.municipality]
        org = orgs.get(spec.organization)
        admitted_on = spec.admission.on
        confirmed_on = min(end + timedelta(days=10), admitted_on)
        minor = age_on(spec.birth_on, confirmed_on) < 18
        confirmer = coordinators.get(muni.id, admin_id)
        # The consent the coordinator confirmed is the one on file (the people loader's);
        # only a person without one gets it here.
        consent = db.session.execute(
            sa.select(Consent).where(Consent.person_id == person.id).order_by(Consent.id).limit(1)
        ).scalar_one_or_none()
        if consent is None:
            consent = Consent(
                tenant_id=tenant.id,
                person_id=person.id,
                given_on=confirmed_on,
                given_by=ConsentGiver.PARENT if minor else ConsentGiver.SELF,
                covers_publication=True,
                covers_transfer=True,
                expires_on=expiry_of(confirmed_on, person.birth_on),
                recorded_by_id=confirmer,
                recorded_at=_at(confirmed_on, 10),
            )
            db.session.add(consent)
            db.session.flush()
        result = ParticipationRole.WINNER if row_no <= winners else ParticipationRole.PRIZE_WINNER
        candidate = AdmissionCandidate(
            tenant_id=tenant.id,
            batch_id=batch.id,
            row_no=row_no,
            surname=spec.surname,
            name=spec.name,
            patronymic=spec.patronymic,
            birth_on=spec.birth_on,
            organization_id=org.id if org else None,
            organization_name=spec.organization,
            grade=spec.grade,
            municipality_id=muni.id,
            result=result,
            place=1 if result is ParticipationRole.WINNER else 2 + row_no % 2,
            section=SECTIONS[row_no % 4],
            parent_contact=_parent_contact(person, row_no) if minor else None,
            is_student=False,
            person_id=person.id,
            match=MatchKind.NEW,
            state=C.ADMITTED,
            consent_id=consent.id,
            confirmed_by_id=confirmer,
            decided_by_id=admin_id,
            decided_at=_at(admitted_on, 12),
            decided_on=admitted_on,
        )
        db.session.add(candidate)
        db.session.flush()
        confirm_role = Role.COORDINATOR if muni.id in coordinators else Role.ADMIN
        db.session.add_all(
            [
                _log(
                    tenant,
                    candidate,
                    "confirm",
                    C.SUBMITTED,
                    C.CONFIRMED,
                    confirm_role,
                    confirmer,
                    _at(confirmed_on, 10),
                ),
                _log(
                    tenant,
                    candidate,
                    "admit",
                    C.CONFIRMED,
                    C.ADMITTED,
                    Role.ADMIN,
                    admin_id,
                    _at(admitted_on, 12),
                ),
            ]
        )
        if person.id not in existing:
            db.session.add(
                Participation(
                    tenant_id=tenant.id,
                    edition_id=edition.id,
                    person_id=person.id,
                    role=result,
                    place=candidate.place,
                    section=candidate.section,
                )
            )


def _parent_contact(person: Person, row_no: int) -> str:
    phone = (
        person.parent_phone or f"+7 900 5{row_no:02d}-{person.id % 100:02d}-{row_no * 7 % 100:02d}"
    )
    return f"{person.parent_name or 'Законный представитель'}, {phone}"


def _log(tenant, candidate, action, from_state, to_state, role, user_id, at) -> TransitionLog:
    return TransitionLog(
        tenant_id=tenant.id,
        machine="admission",
        subject_type=SubjectType.CANDIDATE,
        subject_id=candidate.id,
        action=action,
        from_state=from_state.value,
        to_state=to_state.value,
        role=str(role),
        user_id=user_id,
        at=at,
    )
