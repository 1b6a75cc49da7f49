"""The duplicate search (on demand from the admin's page, and nightly: ``mkr.duplicates.find``)
stores its pairs; a pair the admin dismissed ("two different persons") is not proposed again."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import DuplicatePair, Tenant
from ..models.base import utcnow
from ..queries.duplicates import candidate_pairs
from .audit import record


def find_duplicates(tenant_id: int) -> dict[str, int]:
    """Refresh the tenant's pairs: new ones added, scores updated, vanished ones removed
    (dismissed ones are kept so they stay dismissed)."""
    found = {(c.a, c.b): c for c in candidate_pairs(tenant_id)}
    stored = {
        (p.person_a_id, p.person_b_id): p
        for p in db.session.scalars(
            sa.select(DuplicatePair).where(DuplicatePair.tenant_id == tenant_id)
        )
    }
    added = removed = 0
    now = utcnow()
    for key, c in found.items():
        pair = stored.get(key)
        if pair is None:
            db.session.add(
                DuplicatePair(
                    tenant_id=tenant_id,
                    person_a_id=c.a,
                    person_b_id=c.b,
                    score=c.score,
                    reason=c.reason,
                    found_at=now,
                )
            )
            added += 1
        elif not pair.is_dismissed:
            pair.score, pair.reason = c.score, c.reason
    for key, pair in stored.items():
        if key not in found and not pair.is_dismissed:
            db.session.delete(pair)
            removed += 1
    db.session.flush()
    result = {"pairs": len(found), "added": added, "removed": removed}
    record("duplicates.search", None, tenant_id=tenant_id, **result)
    return result


def find_duplicates_everywhere() -> dict[int, dict]:
    """The nightly task: every tenant."""
    return {t: find_duplicates(t) for t in db.session.scalars(sa.select(Tenant.id))}


def dismiss_pair(pair: DuplicatePair) -> None:
    pair.is_dismissed = True
    db.session.flush()
    record(
        "duplicates.dismiss",
        pair,
        tenant_id=pair.tenant_id,
        person_a_id=pair.person_a_id,
        person_b_id=pair.person_b_id,
    )
