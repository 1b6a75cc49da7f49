"""Notifications in the app (and their e-mail delivery state)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import TenantScoped, db, utcnow


class Notification(TenantScoped, db.Model):
    """An in-app notification; e-mailed when SMTP is configured, else it waits in the
    outbox that admin can read."""

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    # Account mails (invitation, password reset) belong to no tenant: no tenant admin's
    # outbox shows their single-use links.
    tenant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
