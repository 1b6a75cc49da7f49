"""Background jobs as a user may see them: their own, or (``any_user``) all of the tenant's."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import Job


def jobs_for(tenant_id: int, user_id: int, *, kind: str | None = None, any_user: bool = False):
    """A select of the tenant's jobs (of ``kind``) started by ``user_id``, or by anyone."""
    q = sa.select(Job).where(Job.tenant_id == tenant_id)
    if kind is not None:
        q = q.where(Job.kind == kind)
    if not any_user:
        q = q.where(Job.created_by_id == user_id)
    return q
