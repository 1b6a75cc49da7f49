"""Admission reads: what each role may see (batches, candidates, editions) and person matching."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from workflows.admission import CandidateState
from workflows.lifecycle import ACTIVE_RESIDENT
from workflows.roles import Role

from ..extensions import db
from ..models import (
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    Event,
    EventEdition,
    EventKind,
    MatchKind,
    Membership,
    Person,
    membership_municipality,
    normalize_name,
)
from .duplicates import name_score
from .events import organiser_scope

#: A name at least this similar (the duplicate search's ``name_score`` / 100, same birth date)
#: is a near match.
NEAR_RATIO = 0.85


def accredited_editions_for(membership: Membership) -> sa.Select:
    """Editions of the accredited events of the organiser's own organisation."""
    return (
        sa.select(EventEdition)
        .join(Event, Event.id == EventEdition.event_id)
        .where(
            EventEdition.tenant_id == membership.tenant_id,
            Event.kind == EventKind.ACCREDITED,
            Event.organizer_id == membership.organization_id,
        )
        .options(sa.orm.contains_eager(EventEdition.event))
    )


def batches_for(membership: Membership) -> sa.Select:
    q = sa.select(AdmissionBatch).where(AdmissionBatch.tenant_id == membership.tenant_id)
    return organiser_scope(q, membership, AdmissionBatch.organizer_id)


def coordinated_municipality_ids(tenant_id: int) -> sa.Select:
    """Municipalities of the tenant that have at least one coordinator."""
    return (
        sa.select(membership_municipality.c.municipality_id)
        .join(Membership, Membership.id == membership_municipality.c.membership_id)
        .where(Membership.tenant_id == tenant_id, Membership.role == Role.COORDINATOR)
    )


def candidates_for(membership: Membership) -> sa.Select:
    """Candidate rows the membership may see: admin all; coordinator own municipalities;
    organiser their organisation's batches; anyone else nothing."""
    q = sa.select(AdmissionCandidate).where(AdmissionCandidate.tenant_id == membership.tenant_id)
    if membership.role is Role.ADMIN:
        return q
    if membership.role is Role.COORDINATOR:
        ids = [m.id for m in membership.municipalities]
        return q.where(AdmissionCandidate.municipality_id.in_(ids))
    if membership.role is Role.ORGANIZER:
        return q.join(AdmissionBatch, AdmissionBatch.id == AdmissionCandidate.batch_id).where(
            AdmissionBatch.organizer_id == membership.organization_id
        )
    return q.where(sa.false())


def unassigned_candidates(tenant_id: int) -> sa.Select:
    """Submitted candidates from municipalities that have no coordinator: admin checks them."""
    return sa.select(AdmissionCandidate).where(
        AdmissionCandidate.tenant_id == tenant_id,
        AdmissionCandidate.state == CandidateState.SUBMITTED,
        AdmissionCandidate.municipality_id.not_in(coordinated_municipality_ids(tenant_id)),
    )


def state_counts(batch_ids: Iterable[int]) -> dict[int, dict[CandidateState, int]]:
    """{batch id: {state: count}} in one grouped query."""
    ids = list(batch_ids)
    counts: dict[int, dict[CandidateState, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        sa.select(AdmissionCandidate.batch_id, AdmissionCandidate.state, sa.func.count())
        .where(AdmissionCandidate.batch_id.in_(ids))
        .group_by(AdmissionCandidate.batch_id, AdmissionCandidate.state)
    )
    for batch_id, state, n in rows:
        counts[batch_id][state] = n
    return counts


# --- matching candidates to persons -------------------------------------------------------


def _pool(tenant_id: int, keys: list[tuple[str, date]], numbers=()) -> list[Person]:
    """Persons who might match any of ``keys`` (same birth date or same full name) or hold
    one of the СНИЛС ``numbers``: one query."""
    if not keys:
        return []
    births = {b for _, b in keys}
    names = {n for n, _ in keys}
    numbers = {n for n in numbers if n}
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(
                Person.tenant_id == tenant_id,
                sa.or_(
                    Person.birth_on.in_(births),
                    Person.search_name.in_(names),
                    *([Person.snils.in_(numbers)] if numbers else []),
                ),
            )
            .options(sa.orm.selectinload(Person.municipality))
            .order_by(Person.id)
        )
    )


def _classify(
    key: str, birth_on: date, pool: list[Person], snils: str | None = None
) -> tuple[MatchKind, Person | None, list[Person]]:
    # the СНИЛС first: the same number is the same person whatever the name says
    exact = next((p for p in pool if snils and p.snils == snils), None)
    exact = exact or next(
        (p for p in pool if p.search_name == key and p.birth_on == birth_on), None
    )
    if exact is not None:
        kind = MatchKind.ACTIVE_RESIDENT if exact.status in ACTIVE_RESIDENT else MatchKind.EXISTING
        return kind, exact, []
    surname = key.split(" ", 1)[0]
    near = []
    for p in pool:
        if p.birth_on == birth_on:
            same_surname = p.search_name.split(" ", 1)[0] == surname
            similar = name_score(p.search_name, key) >= NEAR_RATIO * 100
            if same_surname or similar:
                near.append(p)
        elif p.search_name == key:
            near.append(p)
    return (MatchKind.NEAR, None, near) if near else (MatchKind.NEW, None, [])


def match_persons(
    tenant_id: int, people: list[tuple[str, str, str | None, date]], snils: list | None = None
):
    """For each (surname, name, patronymic, birth date) and its СНИЛС (``snils``, parallel,
    optional): (MatchKind, person, near persons); a person holding the СНИЛС matches first."""
    keys = [(normalize_name(s, n, p), b) for s, n, p, b in people]
    numbers = snils or [None] * len(keys)
    pool = _pool(tenant_id, keys, numbers)
    return [
        _classify(key, birth_on, pool, number)
        for (key, birth_on), number in zip(keys, numbers, strict=True)
    ]


def near_matches(candidates: list[AdmissionCandidate]) -> dict[int, list[Person]]:
    """Suggestions for the NEAR candidates among ``candidates`` (one query for all)."""
    near = [c for c in candidates if c.match is MatchKind.NEAR]
    if not near:
        return {}
    found = match_persons(
        near[0].tenant_id, [(c.surname, c.name, c.patronymic, c.birth_on) for c in near]
    )
    return {c.id: suggestions for c, (_, _, suggestions) in zip(near, found, strict=True)}


def _with_batch_and_event(q: sa.Select) -> sa.Select:
    return q.options(
        sa.orm.joinedload(AdmissionCandidate.batch)
        .joinedload(AdmissionBatch.edition)
        .joinedload(EventEdition.event),
        sa.orm.joinedload(AdmissionCandidate.municipality),
    )


def candidate_list(membership: Membership, state: CandidateState | None = None) -> sa.Select:
    """The candidate rows a membership may see (of one state): the nearest deadline first (so
    overdue rows lead), then in protocol order."""
    q = _with_batch_and_event(candidates_for(membership))
    if state is not None:
        q = q.where(AdmissionCandidate.state == state)
    return q.order_by(*CANDIDATE_ORDER)


CANDIDATE_ORDER = (
    AdmissionCandidate.due_on.is_(None),
    AdmissionCandidate.due_on,
    AdmissionCandidate.batch_id,
    AdmissionCandidate.row_no,
)


def candidate_in_scope(membership: Membership, candidate_id: int) -> sa.Select:
    """A select of one candidate row through the membership's scope (with batch and event)."""
    return _with_batch_and_event(candidates_for(membership)).where(
        AdmissionCandidate.id == candidate_id
    )


def unassigned_list(tenant_id: int) -> sa.Select:
    return _with_batch_and_event(unassigned_candidates(tenant_id)).order_by(
        AdmissionCandidate.batch_id, AdmissionCandidate.row_no
    )


def unassigned_count(tenant_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(unassigned_candidates(tenant_id).subquery())
    )


def batch_list(
    membership: Membership, *, ready: bool = False, missing_certificates: bool = False
) -> sa.Select:
    """The protocols a membership may see, newest first (with edition and event); ``ready``:
    those with confirmed candidates to decide; ``missing_certificates``: those with new
    Residents still without a certificate."""
    q = batches_for(membership)
    if ready:
        q = q.where(
            sa.exists().where(
                AdmissionCandidate.batch_id == AdmissionBatch.id,
                AdmissionCandidate.state == CandidateState.CONFIRMED,
            )
        )
    if missing_certificates:
        q = q.where(
            sa.exists().where(
                AdmissionCandidate.batch_id == AdmissionBatch.id,
                AdmissionCandidate.state == CandidateState.ADMITTED,
                AdmissionCandidate.match != MatchKind.ACTIVE_RESIDENT,
                ~sa.exists().where(
                    Certificate.kind == CertificateKind.RESIDENT,
                    Certificate.subject_id == AdmissionCandidate.person_id,
                ),
            )
        )
    return q.options(
        sa.orm.joinedload(AdmissionBatch.edition).joinedload(EventEdition.event)
    ).order_by(AdmissionBatch.id.desc())


def batch_with_candidates(membership: Membership, batch_id: int) -> AdmissionBatch | None:
    return (
        db.session.execute(
            batches_for(membership)
            .where(AdmissionBatch.id == batch_id)
            .options(
                sa.orm.joinedload(AdmissionBatch.edition).joinedload(EventEdition.event),
                sa.orm.selectinload(AdmissionBatch.candidates).joinedload(
                    AdmissionCandidate.municipality
                ),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def coordinated_municipalities(tenant_id: int) -> set[int]:
    """Ids of the tenant's municipalities that have at least one coordinator."""
    return set(db.session.scalars(coordinated_municipality_ids(tenant_id)))


def editions_for_protocols(membership: Membership) -> list[EventEdition]:
    """The organiser's accredited editions, newest year first."""
    return list(
        db.session.scalars(
            accredited_editions_for(membership).order_by(EventEdition.year.desc(), Event.title)
        )
    )


def batches_of(membership: Membership) -> list[AdmissionBatch]:
    return list(db.session.scalars(batch_list(membership)))


def confirmed_count(batch_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AdmissionCandidate)
            .where(
                AdmissionCandidate.batch_id == batch_id,
                AdmissionCandidate.state == CandidateState.CONFIRMED,
            )
        )
        or 0
    )


def edition_protocols(edition_id: int) -> list[tuple[AdmissionBatch, int, dict]]:
    """The protocols already recorded for an edition: ``(batch, rows, {state: count})``."""
    batches = list(
        db.session.scalars(
            sa.select(AdmissionBatch)
            .where(AdmissionBatch.edition_id == edition_id)
            .order_by(AdmissionBatch.id)
        )
    )
    counts = state_counts(b.id for b in batches)
    return [(b, sum(counts[b.id].values()), counts[b.id]) for b in batches]


def recorded_results(edition_id: int) -> dict[tuple[str, date], str]:
    """``{(normalised name, birth date): protocol number}`` of the results an edition's
    protocols already hold (a second protocol's repeated rows are skipped)."""
    rows = db.session.execute(
        sa.select(
            AdmissionCandidate.surname,
            AdmissionCandidate.name,
            AdmissionCandidate.patronymic,
            AdmissionCandidate.birth_on,
            AdmissionBatch.number,
        )
        .join(AdmissionBatch, AdmissionBatch.id == AdmissionCandidate.batch_id)
        .where(AdmissionBatch.edition_id == edition_id)
        .order_by(AdmissionCandidate.id)
    )
    found: dict[tuple[str, date], str] = {}
    for surname, name, patronymic, born, number in rows:
        found.setdefault((normalize_name(surname, name, patronymic), born), number)
    return found
