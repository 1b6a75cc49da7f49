"""The audit log: every change, and every read of personal data by a non-admin.

Details never hold personal data themselves: they name objects by id and fields by name.

A tenant's entries are :class:`AuditEntry` (distributed by ``tenant_id`` on Citus); the
entries of no tenant (the platform admin's actions, the members' logins, second factor and
password events) are :class:`PlatformAuditEntry`, the same columns without ``tenant_id`` (a
reference table: Citus refuses NULL in the distribution column). ``operations.audit.record``
picks the table.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .base import db, utcnow
from .users import User


class _AuditColumns:
    """The columns both audit tables share."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))  # the client's address, if any

    @declared_attr
    def user(cls) -> Mapped[User | None]:
        return relationship(User)


class AuditEntry(_AuditColumns, db.Model):
    """A tenant's entry."""

    __table_args__ = (
        sa.Index("ix_audit_entry_tenant_at", "tenant_id", "at"),
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
        sa.Index("ix_audit_entry_user_at", "user_id", "at"),
    )

    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))


class PlatformAuditEntry(_AuditColumns, db.Model):
    """An entry of no tenant: the platform admin's actions, the account events."""

    __table_args__ = (sa.Index("ix_platform_audit_entry_user_at", "user_id", "at"),)
