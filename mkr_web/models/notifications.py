"""Notifications in the app, their e-mail delivery state, each user's channel per kind of
event, and the tenant's own wording of each kind (templates)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import TenantScoped, db, enum_column, utcnow


class Channel(enum.StrEnum):
    """How a user wants to hear of one kind of event."""

    APP = "app"  # in the app only
    EMAIL = "email"  # in the app and by e-mail at once
    DIGEST = "digest"  # in the app and in one e-mail a day

    @property
    def title_ru(self) -> str:
        return {
            "app": "Только в приложении",
            "email": "Сразу по e-mail",
            "digest": "Ежедневная сводка по e-mail",
        }[self.value]


class MailState(enum.StrEnum):
    """Where a notification's e-mail is."""

    NONE = "none"  # no e-mail wanted (in the app only)
    QUEUED = "queued"  # to be sent at once: handed to a worker, or waiting for one
    SENT = "sent"
    FAILED = "failed"  # the worker gave up after its retries: the outbox offers a resend
    DIGEST = "digest"  # waits for the user's daily digest
    DIGESTED = "digested"  # went out in a digest

    @property
    def title_ru(self) -> str:
        return {
            "none": "Только в приложении",
            "queued": "Ждёт отправки",
            "sent": "Отправлено",
            "failed": "Не отправлено",
            "digest": "Ждёт ежедневной сводки",
            "digested": "Отправлено в сводке",
        }[self.value]


class _NotificationColumns:
    """The columns a tenant's notification and an account mail share."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60), default="general", server_default="general")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))  # in-app path
    url: Mapped[str | None] = mapped_column(sa.String(500))  # absolute (MKR_BASE_URL), for mail
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mail_state: Mapped[MailState] = mapped_column(
        enum_column(MailState, "mail_state"), default=MailState.NONE, server_default="none"
    )
    mail_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    mail_error: Mapped[str | None] = mapped_column(sa.String(200))
    emailed_at: Mapped[datetime | None]


class Notification(TenantScoped, _NotificationColumns, db.Model):
    """An in-app notification; e-mailed (at once or in a digest) as its reader chose. One
    that should have gone out and did not waits in the admin's outbox."""

    __table_args__ = (
        sa.Index("ix_notification_user_read", "user_id", "read_at"),
        sa.Index("ix_notification_tenant_mail", "tenant_id", "mail_state"),
        sa.Index("ix_notification_mail_user", "mail_state", "user_id"),
    )


class AccountNotification(_NotificationColumns, db.Model):
    """An account mail (invitation, password reset): a notification of no tenant, always
    e-mailed at once. No tenant admin's outbox shows its single-use link; the platform admin's
    does. A table of its own (a Citus reference table): Citus refuses NULL in
    ``notification.tenant_id``, the distribution column."""

    __table_args__ = (
        sa.Index("ix_account_notification_user_read", "user_id", "read_at"),
        sa.Index("ix_account_notification_mail_user", "mail_state", "user_id"),
    )

    #: no tenant (the reader's list shows a tenant's slug beside its notifications)
    tenant_id = None


class NotificationPreference(db.Model):
    """A user's channel for one kind of event (no row: the kind's default)."""

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))


class NotificationTemplate(TenantScoped, db.Model):
    """A tenant's own subject and body of one kind (no row: the built-in default)."""

    __table_args__ = (sa.UniqueConstraint("tenant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
