"""In-app notifications, e-mailed after commit when SMTP is configured.

:func:`notify` adds a :class:`Notification` row (flush only). When ``MAIL_SERVER`` is set the
message is queued on the session and sent with :mod:`smtplib` right after the transaction
commits (never for a rolled-back one); a sent notification gets ``emailed_at``. Without SMTP,
or when sending fails, ``emailed_at`` stays empty and the admin reads it in the outbox.
Logs name notification ids only, never addresses or texts.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, has_app_context

from workflows.roles import Role

from ..extensions import db
from ..models import Membership, Notification, User
from ..models.base import utcnow

log = logging.getLogger(__name__)
PENDING_KEY = "mkr_pending_mail"
SUPPRESS_KEY = "mkr_suppress_notifications"


def notify(
    tenant_id: int | None,
    user_ids: Iterable[int],
    subject: str,
    body: str = "",
    link: str | None = None,
) -> list[Notification]:
    """Notify each user once (duplicates in ``user_ids`` are dropped)."""
    if db.session.info.get(SUPPRESS_KEY):
        return []
    rows = []
    for user_id in dict.fromkeys(u for u in user_ids if u is not None):
        row = Notification(
            tenant_id=tenant_id, user_id=user_id, subject=subject[:300], body=body, link=link
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    if rows and has_app_context() and current_app.config.get("MAIL_SERVER"):
        emails = dict(
            db.session.execute(
                sa.select(User.id, User.email).where(User.id.in_([r.user_id for r in rows]))
            ).all()
        )
        queue = db.session.info.setdefault(PENDING_KEY, [])
        queue.extend((r.id, emails[r.user_id], r.subject, r.body, r.link) for r in rows)
    return rows


def send_account_mail(user_id: int, subject: str, body: str, link: str) -> Notification | None:
    """The one way account mails (invitation, password reset) leave: a notification row with
    no tenant, mailed after commit like every notification.

    No tenant means no tenant admin's outbox lists it: its link opens the account. Whatever
    way notifications are delivered (SMTP after commit today), these mails go the same way.
    """
    rows = notify(None, [user_id], subject, body, link)
    return rows[0] if rows else None


def admin_ids(tenant_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Membership.user_id)
            .where(Membership.tenant_id == tenant_id, Membership.role == Role.ADMIN)
            .order_by(Membership.user_id)
        )
    )


def notify_admins(tenant_id: int, subject: str, body: str = "", link: str | None = None):
    return notify(tenant_id, admin_ids(tenant_id), subject, body, link)


@contextmanager
def suppressed() -> Iterator[None]:
    """No notifications inside (the demo loader replays old history)."""
    db.session.info[SUPPRESS_KEY] = True
    try:
        yield
    finally:
        db.session.info.pop(SUPPRESS_KEY, None)


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    q = sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        q = q.where(Notification.id.in_(list(ids)))
    return db.session.execute(q.values(read_at=utcnow())).rowcount


def send_pending(messages: list[tuple], config) -> list[int]:
    """Send queued messages over SMTP; returns the ids that were sent."""
    sent = []
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT") or 25, timeout=10) as smtp:
            for notification_id, email, subject, body, link in messages:
                msg = EmailMessage()
                msg["From"] = config.get("MAIL_FROM") or "mkr@localhost"
                msg["To"] = email
                msg["Subject"] = subject
                text = body or subject
                if link:
                    text += f"\n\n{link}"
                msg.set_content(text)
                try:
                    smtp.send_message(msg)
                    sent.append(notification_id)
                except smtplib.SMTPException as exc:
                    log.warning(
                        "notification %s not e-mailed: %s", notification_id, type(exc).__name__
                    )
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "SMTP unavailable, %d notification(s) stay in the outbox: %s",
            len(messages) - len(sent),
            type(exc).__name__,
        )
    return sent


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _mail_after_commit(session) -> None:
    messages = session.info.pop(PENDING_KEY, None)
    if not messages or not has_app_context():
        return
    sent = send_pending(messages, current_app.config)
    if sent:
        # The committed session cannot run SQL here: stamp the rows on a fresh connection.
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(Notification).where(Notification.id.in_(sent)).values(emailed_at=utcnow())
            )


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)
