"""The audit log as the admin reads it."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEntry, Membership, PlatformAuditEntry, User

# account events belong to no tenant: a tenant admin sees those of the tenant's members
ACCOUNT_ACTIONS = ("auth.", "2fa.")

#: the journal's rows name their table by this key
SOURCES = {"t": AuditEntry, "p": PlatformAuditEntry}


def _filtered(q, model, action: str, object_type: str, user_email: str):
    if action:
        q = q.where(model.action.startswith(action))
    if object_type:
        q = q.where(model.object_type == object_type)
    if user_email:
        q = q.join(User, User.id == model.user_id).where(User.email == user_email)
    return q


def audit_select(tenant_id: int, *, action: str = "", object_type: str = "", user_email: str = ""):
    """A tenant's audit entries (``audit_entry``) and its members' account events (logins,
    second factor, password: ``platform_audit_entry``), newest first, filtered by action
    prefix, type and user: rows of ``(source, id, at)`` (``source`` a key of
    :data:`SOURCES`), one UNION ALL; :func:`audit_entries` loads a page of them."""
    members = sa.select(Membership.user_id).where(Membership.tenant_id == tenant_id)
    own = sa.select(
        sa.literal("t").label("source"), AuditEntry.id.label("id"), AuditEntry.at.label("at")
    ).where(AuditEntry.tenant_id == tenant_id)
    account = sa.select(
        sa.literal("p").label("source"),
        PlatformAuditEntry.id.label("id"),
        PlatformAuditEntry.at.label("at"),
    ).where(
        PlatformAuditEntry.user_id.in_(members),
        sa.or_(*(PlatformAuditEntry.action.startswith(a) for a in ACCOUNT_ACTIONS)),
    )
    both = sa.union_all(
        _filtered(own, AuditEntry, action, object_type, user_email),
        _filtered(account, PlatformAuditEntry, action, object_type, user_email),
    ).subquery("journal")
    return sa.select(both.c.source, both.c.id).order_by(
        both.c.at.desc(), both.c.source.desc(), both.c.id.desc()
    )


def audit_entries(rows) -> list:
    """The entries of ``rows`` (``(source, id)`` from :func:`audit_select`) in that order, with
    their users: one query per table."""
    wanted: dict[str, list[int]] = {}
    for source, id_ in rows:
        wanted.setdefault(source, []).append(id_)
    found = {}
    for source, ids in wanted.items():
        model = SOURCES[source]
        for e in db.session.scalars(
            sa.select(model).where(model.id.in_(ids)).options(sa.orm.joinedload(model.user))
        ):
            found[source, e.id] = e
    return [found[source, id_] for source, id_ in rows]
