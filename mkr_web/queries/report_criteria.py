"""Criteria 2 (accreditations), 3, 5 and 6 of the annual report: one aggregate query each
(two for placements). Definitions: see :mod:`mkr_web.queries.report`."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState

from ..extensions import db
from ..models import (
    AccreditationApplication,
    Opportunity,
    OpportunityKind,
    OutletKind,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
)

DECIDED = (ReviewState.ACCREDITED, ReviewState.EXPIRED)
RESIDENT_STATUSES = (PersonStatus.RESIDENT_SCHOOL, PersonStatus.RESIDENT_STUDENT)


def accreditations(tenant_id, year, start, end) -> dict:
    aa = AccreditationApplication
    decided_from = datetime.combine(start, datetime.min.time())
    decided_to = datetime.combine(end + timedelta(days=1), datetime.min.time())
    is_new = sa.or_(
        aa.valid_from_year == year,
        sa.and_(aa.decided_at >= decided_from, aa.decided_at < decided_to),
    )
    is_expired = aa.valid_to_year == year - 1
    is_valid = sa.and_(aa.valid_from_year <= year, aa.valid_to_year >= year)
    rows = db.session.execute(
        sa.select(aa.title, is_new, is_expired, is_valid)
        .where(
            aa.tenant_id == tenant_id, aa.state.in_(DECIDED), sa.or_(is_new, is_expired, is_valid)
        )
        .order_by(aa.number)
    ).all()
    return {
        "newly_accredited": sum(1 for r in rows if r[1]),
        "newly_accredited_titles": [r[0] for r in rows if r[1]],
        "expired": sum(1 for r in rows if r[2]),
        "expired_titles": [r[0] for r in rows if r[2]],
        "accredited_valid": sum(1 for r in rows if r[3]),
    }


def partners(tenant_id, as_of, start, end) -> tuple[int, int]:
    p = Partnership
    active = sa.and_(p.started_on <= as_of, sa.or_(p.ended_on.is_(None), p.ended_on >= as_of))
    new = sa.and_(p.started_on >= start, p.started_on <= end)
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((active, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((new, 1), else_=0)), 0),
        ).where(p.tenant_id == tenant_id)
    ).one()
    return int(row[0]), int(row[1])


def placements_of(tenant_id, start, end, ids) -> dict:
    """Criterion 5 (DOMAIN 8.2): distinct persons placed in the period who were active
    Residents on the placement's start date (their status history as of ``placed_on``)."""
    psc = PersonStatusChange
    status_at_start = (
        sa.select(psc.to_status)
        .where(psc.person_id == Placement.person_id, psc.changed_on <= Placement.placed_on)
        .order_by(psc.changed_on.desc(), psc.id.desc())
        .limit(1)
        .correlate(Placement)
        .scalar_subquery()
    )
    in_period = sa.and_(
        Placement.tenant_id == tenant_id, Placement.placed_on >= start, Placement.placed_on <= end
    )
    resident = status_at_start.in_(RESIDENT_STATUSES)
    local = sa.func.count(
        sa.distinct(
            sa.case((sa.and_(resident, Person.municipality_id.in_(ids or [])), Placement.person_id))
        )
    )
    total, in_scope, placed = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(sa.case((resident, Placement.person_id)))),
            local,
            sa.func.count(sa.distinct(Placement.person_id)),
        )
        .join(Person, Person.id == Placement.person_id)
        .where(in_period)
    ).one()
    kinds = dict(
        db.session.execute(
            sa.select(Opportunity.kind, sa.func.count(sa.distinct(Placement.person_id)))
            .join(Opportunity, Opportunity.id == Placement.opportunity_id)
            .where(in_period, resident)
            .group_by(Opportunity.kind)
        ).all()
    )
    return {
        "value": int(total),
        "local_value": int(in_scope) if ids is not None else None,
        "not_residents": int(placed) - int(total),
        "by_kind": [
            {"kind": k.value, "title": k.title_ru, "persons": int(kinds.get(k, 0))}
            for k in OpportunityKind
        ],
    }


def publications_of(tenant_id, start, end) -> dict:
    rows = dict(
        (kind, (int(n), int(outlets)))
        for kind, n, outlets in db.session.execute(
            sa.select(
                Publication.outlet_kind,
                sa.func.count(),
                sa.func.count(sa.distinct(Publication.outlet)),
            )
            .where(
                Publication.tenant_id == tenant_id,
                Publication.published_on >= start,
                Publication.published_on <= end,
            )
            .group_by(Publication.outlet_kind)
        ).all()
    )
    by_kind = [
        {
            "kind": k.value,
            "title": k.title_ru,
            "publications": rows.get(k, (0, 0))[0],
            "outlets": rows.get(k, (0, 0))[1],
        }
        for k in OutletKind
    ]
    return {"value": sum(r["publications"] for r in by_kind), "by_outlet_kind": by_kind}
