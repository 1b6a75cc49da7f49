"""Reads for the programme's records (criteria 3, 5, 6) and the admin's person search."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Opportunity,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
    Placement,
    Publication,
    normalize_name,
)

SEARCH_LIMIT = 20


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_persons(tenant_id: int, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons of the tenant whose normalised name contains every word of ``query``
    (case- and ё/е-insensitive, as ``Person.search_name`` is)."""
    words = normalize_name(query).split()[:5]
    if not words:
        return []
    q = sa.select(Person).where(Person.tenant_id == tenant_id)
    for word in words:
        q = q.where(Person.search_name.like(f"%{_like_escape(word)}%", escape="\\"))
    return list(
        db.session.scalars(
            q.options(sa.orm.selectinload(Person.municipality))
            .order_by(Person.search_name, Person.id)
            .limit(limit)
        )
    )


def opportunities(tenant_id: int, year: int | None = None) -> sa.Select:
    q = (
        sa.select(Opportunity)
        .where(Opportunity.tenant_id == tenant_id)
        .options(sa.orm.joinedload(Opportunity.partner))
    )
    if year:
        q = q.where(Opportunity.year == year)
    return q.order_by(Opportunity.year.desc(), Opportunity.kind, Opportunity.title, Opportunity.id)


def placement_counts(opportunity_ids: list[int]) -> dict[int, int]:
    """{opportunity id: persons placed} in one grouped query."""
    if not opportunity_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Placement.opportunity_id, sa.func.count())
            .where(Placement.opportunity_id.in_(opportunity_ids))
            .group_by(Placement.opportunity_id)
        ).all()
    )


def placements_of(tenant_id: int, opportunity_ids: list[int]) -> list[Placement]:
    if not opportunity_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Placement)
            .join(Person, Person.id == Placement.person_id)
            .where(Placement.tenant_id == tenant_id, Placement.opportunity_id.in_(opportunity_ids))
            .options(
                sa.orm.contains_eager(Placement.person).selectinload(Person.municipality),
                sa.orm.joinedload(Placement.opportunity),
            )
            .order_by(Placement.opportunity_id, Person.search_name)
        )
    )


def distinct_placed(tenant_id: int, year: int) -> int:
    """Distinct persons placed on an opportunity of ``year``."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Placement.person_id)))
            .join(Opportunity, Opportunity.id == Placement.opportunity_id)
            .where(Placement.tenant_id == tenant_id, Opportunity.year == year)
        )
        or 0
    )


def publications(tenant_id: int, year: int | None = None) -> sa.Select:
    q = sa.select(Publication).where(Publication.tenant_id == tenant_id)
    if year:
        q = q.where(Publication.published_on.between(date(year, 1, 1), date(year, 12, 31)))
    return q.order_by(Publication.published_on.desc(), Publication.id.desc())


def partnerships(tenant_id: int) -> sa.Select:
    return (
        sa.select(Partnership)
        .join(Organization, Organization.id == Partnership.organization_id)
        .where(Partnership.tenant_id == tenant_id)
        .options(sa.orm.contains_eager(Partnership.organization))
        .order_by(Partnership.started_on, Organization.name)
    )


def partner_candidates(tenant_id: int) -> list[Organization]:
    """Organisations an admin may pick as a partner or an opportunity's host (not schools)."""
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(
                Organization.tenant_id == tenant_id, Organization.kind != OrganizationKind.SCHOOL
            )
            .order_by(Organization.name)
        )
    )


def all_rows(query: sa.Select) -> list:
    """Every row of one of the selects above (an XLSX export)."""
    return list(db.session.scalars(query).unique())
