"""The audit log as the admin reads it."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import AuditEntry, User


def audit_select(tenant_id: int, *, action: str = "", object_type: str = "", user_email: str = ""):
    """A tenant's audit entries, newest first, filtered by action prefix, type and user."""
    q = sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if object_type:
        q = q.where(AuditEntry.object_type == object_type)
    if user_email:
        q = q.join(User, User.id == AuditEntry.user_id).where(User.email == user_email)
    return q.options(sa.orm.joinedload(AuditEntry.user)).order_by(AuditEntry.id.desc())
