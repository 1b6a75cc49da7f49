"""The audit log as the admin reads it."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import AuditEntry, Membership, User

# account events belong to no tenant: a tenant admin sees those of the tenant's members
ACCOUNT_ACTIONS = ("auth.", "2fa.")


def audit_select(tenant_id: int, *, action: str = "", object_type: str = "", user_email: str = ""):
    """A tenant's audit entries and its members' account events (logins, second factor,
    password), newest first, filtered by action prefix, type and user."""
    members = sa.select(Membership.user_id).where(Membership.tenant_id == tenant_id)
    q = sa.select(AuditEntry).where(
        sa.or_(
            AuditEntry.tenant_id == tenant_id,
            sa.and_(
                AuditEntry.tenant_id.is_(None),
                AuditEntry.user_id.in_(members),
                sa.or_(*(AuditEntry.action.startswith(a) for a in ACCOUNT_ACTIONS)),
            ),
        )
    )
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if object_type:
        q = q.where(AuditEntry.object_type == object_type)
    if user_email:
        q = q.join(User, User.id == AuditEntry.user_id).where(User.email == user_email)
    return q.options(sa.orm.joinedload(AuditEntry.user)).order_by(AuditEntry.id.desc())
