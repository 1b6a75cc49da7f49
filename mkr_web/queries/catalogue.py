"""The public catalogue of a tenant (no login): its accredited events with the years their
accreditation covers, and the upcoming editions of its events. Only facts about events and
organisations, never about persons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflows.review import ReviewState

from ..extensions import db
from ..models import AccreditationApplication, Event, EventEdition, Organization, Tenant


@dataclass(frozen=True)
class CatalogueEvent:
    event_id: int
    title: str
    direction: str
    level: str
    organizer: str
    valid_from_year: int
    valid_to_year: int
    is_valid: bool


@dataclass(frozen=True)
class CatalogueEdition:
    edition_id: int
    event_title: str
    title: str
    starts_on: date
    ends_on: date | None
    format: str
    organizer: str
    is_accredited: bool


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def accredited_events(tenant_id: int, today: date) -> list[CatalogueEvent]:
    """Events with an accreditation (the latest per event), still valid ones first."""
    rows = db.session.execute(
        sa.select(AccreditationApplication, Event, Organization.name)
        .join(Event, Event.id == AccreditationApplication.event_id)
        .join(Organization, Organization.id == AccreditationApplication.organizer_id)
        .where(
            AccreditationApplication.tenant_id == tenant_id,
            AccreditationApplication.state.in_([ReviewState.ACCREDITED, ReviewState.EXPIRED]),
            AccreditationApplication.valid_to_year.is_not(None),
        )
        .order_by(Event.title, AccreditationApplication.valid_to_year.desc())
    ).all()
    latest: dict[int, CatalogueEvent] = {}
    for app, event, organizer in rows:
        if event.id in latest:
            continue
        latest[event.id] = CatalogueEvent(
            event_id=event.id,
            title=event.title,
            direction=event.direction.title_ru,
            level=event.level.value,
            organizer=organizer,
            valid_from_year=app.valid_from_year or app.valid_to_year,
            valid_to_year=app.valid_to_year,
            is_valid=app.state is ReviewState.ACCREDITED and app.valid_to_year >= today.year,
        )
    return sorted(latest.values(), key=lambda e: (not e.is_valid, e.title))


def upcoming_editions(tenant_id: int, today: date, limit: int = 200) -> list[CatalogueEdition]:
    """Editions starting today or later (or under way), soonest first."""
    accredited = {e.event_id for e in accredited_events(tenant_id, today) if e.is_valid}
    rows = db.session.execute(
        sa.select(EventEdition, Event, Organization.name)
        .join(Event, Event.id == EventEdition.event_id)
        .outerjoin(Organization, Organization.id == Event.organizer_id)
        .where(
            EventEdition.tenant_id == tenant_id,
            EventEdition.starts_on.is_not(None),
            sa.func.coalesce(EventEdition.ends_on, EventEdition.starts_on) >= today,
        )
        .order_by(EventEdition.starts_on, Event.title)
        .limit(limit)
    ).all()
    return [
        CatalogueEdition(
            edition_id=ed.id,
            event_title=event.title,
            title=ed.title or event.title,
            starts_on=ed.starts_on,
            ends_on=ed.ends_on,
            format=ed.format.value,
            organizer=organizer or "",
            is_accredited=event.id in accredited,
        )
        for ed, event, organizer in rows
    ]
