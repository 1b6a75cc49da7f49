"""Events, editions, participation and accreditation applications as a user may see them:
the admin sees the whole tenant, an organiser their organisation's."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflows.review import ReviewState
from workflows.roles import Role

from ..extensions import db
from ..models import (
    AccreditationApplication,
    CountCategory,
    Event,
    EventEdition,
    EventKind,
    Membership,
    Municipality,
    Participation,
    ParticipationCount,
    Person,
)
from .reference import municipalities_of


def organiser_scope(q: sa.Select, membership: Membership, organizer_id) -> sa.Select:
    """What an organiser's records are: the admin sees the tenant's, an organiser those whose
    ``organizer_id`` column is their organisation, anyone else none."""
    if membership.role is Role.ORGANIZER:
        return q.where(organizer_id == membership.organization_id)
    if membership.role is not Role.ADMIN:
        return q.where(sa.false())
    return q


def events_for(membership: Membership) -> sa.Select:
    q = sa.select(Event).where(Event.tenant_id == membership.tenant_id)
    return organiser_scope(q, membership, Event.organizer_id)


def editions_for(membership: Membership) -> sa.Select:
    q = (
        sa.select(EventEdition)
        .join(Event, Event.id == EventEdition.event_id)
        .where(EventEdition.tenant_id == membership.tenant_id)
    )
    return organiser_scope(q, membership, Event.organizer_id)


def applications_for(membership: Membership) -> sa.Select:
    q = sa.select(AccreditationApplication).where(
        AccreditationApplication.tenant_id == membership.tenant_id
    )
    return organiser_scope(q, membership, AccreditationApplication.organizer_id)


def event_rows(query: sa.Select) -> list[tuple[Event, int, int]]:
    """Events with their number of editions and all-time counted participants (3 queries)."""
    events = db.session.scalars(
        query.options(selectinload(Event.organizer)).order_by(Event.kind, Event.title)
    ).all()
    ids = [e.id for e in events]
    editions = (
        dict(
            db.session.execute(
                sa.select(EventEdition.event_id, sa.func.count())
                .where(EventEdition.event_id.in_(ids))
                .group_by(EventEdition.event_id)
            ).all()
        )
        if ids
        else {}
    )
    totals = (
        dict(
            db.session.execute(
                sa.select(EventEdition.event_id, sa.func.sum(ParticipationCount.count))
                .join(ParticipationCount, ParticipationCount.edition_id == EventEdition.id)
                .where(EventEdition.event_id.in_(ids))
                .group_by(EventEdition.event_id)
            ).all()
        )
        if ids
        else {}
    )
    return [(e, editions.get(e.id, 0), int(totals.get(e.id) or 0)) for e in events]


def _count_sums(edition_ids: list[int], by):
    """(edition id, ``by``, counted participants summed) of the editions, per edition and
    value of the count's column ``by`` (its category or municipality)."""
    return db.session.execute(
        sa.select(ParticipationCount.edition_id, by, sa.func.sum(ParticipationCount.count))
        .where(ParticipationCount.edition_id.in_(edition_ids))
        .group_by(ParticipationCount.edition_id, by)
    )


def edition_totals(edition_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per edition: counted participants by category, their total, and listed persons."""
    out = {i: {c.value: 0 for c in CountCategory} | {"total": 0, "persons": 0} for i in edition_ids}
    if not edition_ids:
        return out
    for edition_id, category, n in _count_sums(edition_ids, ParticipationCount.category):
        out[edition_id][category.value] = int(n)
        out[edition_id]["total"] += int(n)
    for edition_id, n in db.session.execute(
        sa.select(Participation.edition_id, sa.func.count(sa.distinct(Participation.person_id)))
        .where(Participation.edition_id.in_(edition_ids))
        .group_by(Participation.edition_id)
    ):
        out[edition_id]["persons"] = int(n)
    return out


def counts_grid(edition: EventEdition) -> dict[tuple[int, CountCategory], int]:
    return {
        (r.municipality_id, r.category): r.count
        for r in db.session.scalars(
            sa.select(ParticipationCount).where(ParticipationCount.edition_id == edition.id)
        )
    }


def grid_municipalities(tenant_id: int) -> list[Municipality]:
    """Rows of the counts grid: the tenant's municipalities, then other regions (their sort
    order puts them last)."""
    return municipalities_of(tenant_id)


def participants_of(edition: EventEdition) -> list[tuple[Participation, Person]]:
    return db.session.execute(
        sa.select(Participation, Person)
        .join(Person, Person.id == Participation.person_id)
        .where(Participation.edition_id == edition.id)
        .options(selectinload(Person.municipality), selectinload(Person.organization))
        .order_by(Participation.role, Participation.place.nulls_last(), Person.search_name)
    ).all()


def counts_by_municipality(edition_ids: list[int]) -> dict[int, dict[int, int]]:
    """edition id -> municipality id -> all categories summed."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for edition_id, municipality_id, n in _count_sums(
        edition_ids, ParticipationCount.municipality_id
    ):
        out[edition_id][municipality_id] = int(n)
    return out


def application_list(
    membership: Membership, state: str = "", *, valid_until: int | None = None
) -> list[AccreditationApplication]:
    """The accreditation applications a membership may see, newest first; ``state`` filters
    when it is one of :class:`ReviewState`'s values, ``valid_until`` keeps accreditations that
    end by that year (the dashboard's "expiring")."""
    q = applications_for(membership).order_by(AccreditationApplication.id.desc())
    if state in ReviewState._value2member_map_:
        q = q.where(AccreditationApplication.state == ReviewState(state))
    if valid_until is not None:
        q = q.where(AccreditationApplication.valid_to_year <= valid_until)
    return list(
        db.session.scalars(q.options(sa.orm.selectinload(AccreditationApplication.organizer)))
    )


def events_of_organization(tenant_id: int, organization_id: int | None) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.tenant_id == tenant_id, Event.organizer_id == organization_id)
            .order_by(Event.title)
        )
    )


def accredited_events(tenant_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.tenant_id == tenant_id, Event.kind == EventKind.ACCREDITED)
            .order_by(Event.title)
        )
    )
