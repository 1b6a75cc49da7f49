"""The audit log: every change, and every read of personal data by a non-admin.

Details never hold personal data themselves: they name objects by id and fields by name.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .users import User


class AuditEntry(db.Model):
    __table_args__ = (
        sa.Index("ix_audit_entry_tenant_at", "tenant_id", "at"),
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
        sa.Index("ix_audit_entry_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))  # the client's address, if any

    user: Mapped[User | None] = relationship()
