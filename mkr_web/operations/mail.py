"""E-mail delivery of notifications (the bodies of the ``mkr.mail.*`` tasks).

SMTP goes through Flask-Mailman's backend with the settings of :mod:`mkr_web.config`
(``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS`` for STARTTLS or ``MAIL_USE_SSL``,
``MAIL_USERNAME``/``MAIL_PASSWORD``, ``MAIL_TIMEOUT``, ``MAIL_CA_FILE``). Certificates are
verified on both TLS paths (the library's STARTTLS alone would not).

- :func:`deliver` sends one notification (or account mail) that waits for it (``queued``); an
  error is kept on the row (its kind, never the address) and raised for the task's retry; the
  last try marks the row ``failed``: the admin's outbox offers a resend.
- :func:`send_digests` sends each user one e-mail with their digest notifications (beat, daily).
- :func:`queued_to_flush` lists rows a worker never got (the broker was down) for the beat task
  ``mkr.mail.flush``, of the notifications or of the account mails.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMessage
from flask_mailman.backends.smtp import EmailBackend
from flask_mailman.utils import DNS_NAME

from ..extensions import db
from ..models import AccountNotification, MailState, Notification, User
from ..models.base import utcnow
from ..navigation import external_url

log = logging.getLogger(__name__)

FLUSH_AFTER = timedelta(minutes=10)  # a row queued this long ago never reached a worker
FLUSH_WITHIN = timedelta(days=2)  # older ones are left to the outbox's resend button
FLUSH_LIMIT = 500


class MailFailure(RuntimeError):
    """Sending failed; the message names the error's kind only (no addresses)."""


class VerifiedSMTPBackend(EmailBackend):
    """Flask-Mailman's SMTP backend, with a verifying TLS context for STARTTLS too."""

    def __init__(self, *, ca_file: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.ca_file = ca_file

    @property
    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def open(self):
        if self.connection:
            return False
        params = {"local_hostname": DNS_NAME.get_fqdn(), "timeout": self.timeout}
        if self.use_ssl:
            params["context"] = self.tls_context
        self.connection = self.connection_class(self.host, self.port, **params)
        try:
            if self.use_tls and not self.use_ssl:
                self.connection.starttls(context=self.tls_context)
            if self.username and self.password:
                self.connection.login(self.username, self.password)
        except BaseException:
            self.connection.close()
            self.connection = None
            raise
        return True


def backend() -> VerifiedSMTPBackend:
    cfg = current_app.config
    return VerifiedSMTPBackend(
        host=cfg["MAIL_SERVER"],
        port=cfg.get("MAIL_PORT") or 25,
        username=cfg.get("MAIL_USERNAME") or "",
        password=cfg.get("MAIL_PASSWORD") or "",
        use_tls=bool(cfg.get("MAIL_USE_TLS")),
        use_ssl=bool(cfg.get("MAIL_USE_SSL")),
        timeout=cfg.get("MAIL_TIMEOUT") or 10,
        ca_file=cfg.get("MAIL_CA_FILE") or None,
    )


def _footer() -> str:
    return "\n\n--\n" + "Настроить уведомления: " + external_url("auth.notification_settings")


def message_text(notification: Notification | AccountNotification) -> str:
    text = notification.body or notification.subject
    if notification.url:
        text += f"\n\n{notification.url}"
    if notification.kind != "account":
        text += _footer()
    return text


def _send(to: str, subject: str, text: str) -> None:
    cfg = current_app.config
    msg = EmailMessage(subject=subject, body=text, from_email=cfg.get("MAIL_FROM"), to=[to])
    try:
        with backend() as connection:
            connection.send_messages([msg])
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        code = getattr(exc, "smtp_code", None)
        raise MailFailure(type(exc).__name__ + (f" {code}" if code else "")) from None


def deliver(notification_id: int, *, final: bool, account: bool = False) -> str:
    """Send one queued notification (an :class:`AccountNotification` if ``account``); returns ``sent`` or why nothing was sent. On an SMTP error the row keeps it (and
    ``failed`` on the ``final`` try) and :class:`MailFailure` is raised for the retry."""
    model = AccountNotification if account else Notification
    row = db.session.get(model, notification_id)
    if row is None or row.mail_state is not MailState.QUEUED:
        return "skipped"
    if not current_app.config.get("MAIL_SERVER"):
        return "no-smtp"
    email = db.session.scalar(sa.select(User.email).where(User.id == row.user_id))
    row.mail_attempts += 1
    try:
        _send(email, row.subject, message_text(row))
    except MailFailure as exc:
        row.mail_error = str(exc)[:200]
        if final:
            row.mail_state = MailState.FAILED
        db.session.commit()
        log.warning(
            "%s %s not e-mailed (try %d): %s",
            model.__tablename__,
            row.id,
            row.mail_attempts,
            exc,
        )
        raise
    row.mail_state, row.emailed_at, row.mail_error = MailState.SENT, utcnow(), None
    db.session.commit()
    return "sent"


def queued_to_flush(now=None, *, account: bool = False) -> list[int]:
    """Queued notifications (account mails if ``account``) that a worker never took (created
    10 minutes to 2 days ago, not tried)."""
    now = now or utcnow()
    model = AccountNotification if account else Notification
    return list(
        db.session.scalars(
            sa.select(model.id)
            .where(
                model.mail_state == MailState.QUEUED,
                model.mail_attempts == 0,
                model.created_at <= now - FLUSH_AFTER,
                model.created_at >= now - FLUSH_WITHIN,
            )
            .order_by(model.id)
            .limit(FLUSH_LIMIT)
        )
    )


def send_digests() -> dict[str, int]:
    """One e-mail per user with every notification waiting for the digest; a user whose
    digest fails gets those rows marked ``failed`` (the outbox resends them one by one)."""
    done = {"users": 0, "notifications": 0, "failed": 0}
    if not current_app.config.get("MAIL_SERVER"):
        return done
    user_ids = list(
        db.session.scalars(
            sa.select(Notification.user_id)
            .where(Notification.mail_state == MailState.DIGEST)
            .group_by(Notification.user_id)
            .order_by(Notification.user_id)
        )
    )
    for user_id in user_ids:
        rows = list(
            db.session.scalars(
                sa.select(Notification)
                .where(Notification.user_id == user_id, Notification.mail_state == MailState.DIGEST)
                .order_by(Notification.id)
            )
        )
        email = db.session.scalar(sa.select(User.email).where(User.id == user_id))
        lines = [f"Уведомлений за сутки: {len(rows)}.", ""]
        for row in rows:
            lines.append(f"— {row.subject}")
            if row.body:
                lines.append(f"  {row.body}")
            if row.url:
                lines.append(f"  {row.url}")
        subject = f"МКР: ежедневная сводка уведомлений ({len(rows)})"
        try:
            _send(email, subject, "\n".join(lines) + _footer())
        except MailFailure as exc:
            for row in rows:
                row.mail_state, row.mail_error = MailState.FAILED, str(exc)[:200]
                row.mail_attempts += 1
            db.session.commit()
            done["failed"] += len(rows)
            log.warning("digest of user %s not sent: %s", user_id, exc)
            continue
        now = utcnow()
        for row in rows:
            row.mail_state, row.emailed_at = MailState.DIGESTED, now
        db.session.commit()
        done["users"] += 1
        done["notifications"] += len(rows)
    return done
