"""Reference data as the current user may see it."""

from __future__ import annotations

import sqlalchemy as sa

from workflows.roles import Role

from ..extensions import db
from ..models import Membership, Municipality, Organization


def municipality_ids_for(membership: Membership) -> list[int] | None:
    """The municipalities a membership is limited to; None means the whole tenant."""
    if membership.role is Role.COORDINATOR:
        return [m.id for m in membership.municipalities]
    return None


def organizations_for(membership: Membership) -> sa.Select:
    q = sa.select(Organization).where(Organization.tenant_id == membership.tenant_id)
    ids = municipality_ids_for(membership)
    if ids is not None:
        q = q.where(Organization.municipality_id.in_(ids))
    if membership.role is Role.ORGANIZER:
        q = q.where(Organization.id == membership.organization_id)
    return q


def municipalities_with_counts(tenant_id: int) -> list:
    """Municipalities with their organisation counts (one grouped query)."""
    counts = (
        sa.select(Organization.municipality_id, sa.func.count().label("n"))
        .where(Organization.tenant_id == tenant_id)
        .group_by(Organization.municipality_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Municipality, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.municipality_id == Municipality.id)
        .where(Municipality.tenant_id == tenant_id)
        .order_by(Municipality.sort_order, Municipality.name)
    ).all()
