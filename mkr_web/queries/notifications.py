"""Notifications as their reader (or the admin's outbox) lists them."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import Notification


def notifications_of(user_id: int) -> sa.Select:
    """A user's notifications in every tenant, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
    )


def outbox_of(tenant_id: int) -> sa.Select:
    """A tenant's notifications not e-mailed (no SMTP, or sending failed), newest first."""
    return (
        sa.select(Notification)
        .where(Notification.tenant_id == tenant_id, Notification.emailed_at.is_(None))
        .order_by(Notification.id.desc())
    )
