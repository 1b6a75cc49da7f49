"""Nominations as a user may see them: the admin the whole tenant, a coordinator those of
their municipalities (whoever of them nominated); the choices a nomination form offers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from workflows.review import ReviewState
from workflows.roles import Role

from ..extensions import db
from ..models import Membership, Nomination, Opportunity, Person, normalize_name
from .people import persons_for
from .reference import municipality_ids_for

SEARCH_LIMIT = 20


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def nominations_for(membership: Membership) -> sa.Select:
    q = sa.select(Nomination).where(Nomination.tenant_id == membership.tenant_id)
    if membership.role is Role.ADMIN:
        return q
    if membership.role is Role.COORDINATOR:
        return q.where(Nomination.municipality_id.in_(municipality_ids_for(membership) or []))
    return q.where(sa.false())


def nomination_in_scope(membership: Membership, nomination_id: int) -> Nomination | None:
    return (
        db.session.execute(
            nominations_for(membership)
            .where(Nomination.id == nomination_id)
            .options(
                joinedload(Nomination.person).joinedload(Person.organization),
                joinedload(Nomination.municipality),
                joinedload(Nomination.opportunity),
                selectinload(Nomination.files),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def opportunities_of(tenant_id: int) -> list[Opportunity]:
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(Opportunity.tenant_id == tenant_id)
            .options(joinedload(Opportunity.partner))
            .order_by(Opportunity.year.desc(), Opportunity.title)
        )
    )


def search_persons(membership: Membership, text: str) -> list[Person]:
    """Persons in the membership's scope whose name contains ``text`` (ё/е and case ignored)."""
    key = normalize_name(text)
    if len(key) < 2:
        return []
    return list(
        db.session.scalars(
            persons_for(membership)
            .where(Person.search_name.like(f"%{_escape_like(key)}%", escape="\\"))
            .options(joinedload(Person.municipality), joinedload(Person.organization))
            .order_by(Person.search_name)
            .limit(SEARCH_LIMIT)
        )
    )


def nomination_list(membership: Membership, state: str = "") -> sa.Select:
    """The nominations a membership may see, newest first; ``state`` filters when it is one of
    :class:`ReviewState`'s values (anything else lists all)."""
    q = nominations_for(membership).options(
        sa.orm.joinedload(Nomination.person), sa.orm.joinedload(Nomination.municipality)
    )
    if state in ReviewState._value2member_map_:
        q = q.where(Nomination.state == ReviewState(state))
    return q.order_by(Nomination.id.desc())


def opportunity_in_tenant(tenant_id: int, opportunity_id: int) -> Opportunity | None:
    return db.session.execute(
        sa.select(Opportunity).where(
            Opportunity.tenant_id == tenant_id, Opportunity.id == opportunity_id
        )
    ).scalar_one_or_none()
