"""Notifications as their reader (or the admin's outbox) lists them."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import MailState, Notification

OUTBOX_STATES = (MailState.QUEUED, MailState.FAILED)


def notifications_of(user_id: int) -> sa.Select:
    """A user's notifications in every tenant, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
    )


def outbox_of(tenant_id: int) -> sa.Select:
    """A tenant's e-mails that have not gone out: failed ones first (the worker gave up),
    then those waiting (no SMTP, no worker yet), newest first."""
    return (
        sa.select(Notification)
        .where(Notification.tenant_id == tenant_id, Notification.mail_state.in_(OUTBOX_STATES))
        .order_by((Notification.mail_state == MailState.FAILED).desc(), Notification.id.desc())
    )


def outbox_failures(tenant_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(
                Notification.tenant_id == tenant_id,
                Notification.mail_state == MailState.FAILED,
            )
        )
        or 0
    )
