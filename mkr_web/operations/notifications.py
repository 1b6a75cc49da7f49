"""Notifications: one row per reader in the app, and e-mail as each reader chose.

- :func:`emit` raises one kind of event of the registry (:mod:`.notification_kinds`): it renders
  the tenant's wording of the kind (or the default) in a sandbox and calls :func:`notify`.
- :func:`notify` is the one function every notification of a tenant goes through
  (``notify(tenant_id, user_ids, subject, body, link, kind=...)``): it adds the rows (flush
  only) and decides each reader's channel (in the app only, e-mail at once, or the daily
  digest). E-mails to send at once are queued on the session and handed to the Celery task
  ``mkr.mail.send`` (ids only) right after the transaction commits, never for a rolled-back
  one. A broker that is down loses nothing: the row stays ``queued``, visible in the admin's
  outbox, and the beat task ``mkr.mail.flush`` hands it over again.
- :func:`send_account_mail` is the one way an account mail (invitation, password reset: no
  tenant) leaves: an :class:`AccountNotification` row (a table of its own), e-mailed at once
  the same way by the task ``mkr.mail.send_account``; the platform admin's outbox lists those
  not e-mailed, ``mkr.mail.flush`` hands them over again too.
- Sending itself (SMTP with STARTTLS/SSL and login, retries, the digest) is :mod:`.mail`.

Logs name notification ids only, never addresses or texts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_app_context
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflows.roles import Role

from ..documents.formats import nest_quotes
from ..extensions import db
from ..models import (
    AccountNotification,
    Channel,
    MailState,
    Membership,
    Notification,
    NotificationPreference,
    NotificationTemplate,
    membership_municipality,
)
from ..models.base import utcnow
from ..navigation import app_path, external_url
from ..queries.notifications import unread_count_of
from .notification_kinds import GENERAL, KINDS, Kind

log = logging.getLogger(__name__)
PENDING_KEY = "mkr_pending_mail"
ACCOUNT_PENDING_KEY = "mkr_pending_account_mail"
SUPPRESS_KEY = "mkr_suppress_notifications"
SEND_TASK = "mkr.mail.send"
ACCOUNT_SEND_TASK = "mkr.mail.send_account"
# A broker that is down answers within a fraction of a second, not after Celery's long retries.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# Plain-text mail: nothing to escape; the sandbox keeps a tenant's template away from
# attributes and callables, StrictUndefined turns an unknown placeholder into an error.
TEMPLATES = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class TemplateProblem(ValueError):
    """A template that does not parse or names an unknown placeholder (a form error)."""


def render_text(source: str, context: dict) -> str:
    try:
        return nest_quotes(TEMPLATES.from_string(source).render(**context))
    except TemplateError as exc:
        raise TemplateProblem(str(exc)) from None


def template_of(tenant_id: int | None, kind: Kind) -> tuple[str, str, bool]:
    """The kind's ``(subject, body, is_custom)`` for the tenant."""
    row = None
    if tenant_id is not None:
        row = db.session.execute(
            sa.select(NotificationTemplate).where(
                NotificationTemplate.tenant_id == tenant_id, NotificationTemplate.kind == kind.key
            )
        ).scalar_one_or_none()
    if row is None:
        return kind.subject, kind.body, False
    return row.subject, row.body, True


def render(kind: Kind, tenant_id: int | None, context: dict) -> tuple[str, str]:
    """Subject and body of ``kind`` for ``context``; a tenant template that fails (it was
    checked when saved, so only a context change can break it) falls back to the default."""
    subject, body, custom = template_of(tenant_id, kind)
    try:
        return _clean_subject(render_text(subject, context)), render_text(body, context)
    except TemplateProblem:
        if not custom:
            raise
        log.warning("tenant template of %s failed, default used", kind.key)
        return _clean_subject(render_text(kind.subject, context)), render_text(kind.body, context)


def _clean_subject(subject: str) -> str:
    return " ".join(subject.split())[:300]


# ---- who is told -------------------------------------------------------------------------------


ACCOUNT_KIND = "account"  # always e-mailed at once, whatever the user's preferences


def send_account_mail(
    user_id: int, subject: str, body: str, link: str
) -> AccountNotification | None:
    """The one way account mails (invitation, password reset) leave: an
    :class:`AccountNotification` (no tenant, a table of its own), mailed after commit like
    every notification (task ``mkr.mail.send_account``).

    No tenant means no tenant admin's outbox lists it: its link opens the account. The kind
    ``account`` is not configurable: it is e-mailed at once (by the mail worker, like every
    notification), whatever the user's preferences.
    """
    if db.session.info.get(SUPPRESS_KEY) or user_id is None:
        return None
    row = AccountNotification(
        user_id=user_id,
        kind=ACCOUNT_KIND,
        subject=subject[:300],
        body=body,
        link=link,
        url=link,
        mail_state=MailState.QUEUED,
    )
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(ACCOUNT_PENDING_KEY, []).append(row.id)
    return row


def admin_ids(tenant_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Membership.user_id)
            .where(Membership.tenant_id == tenant_id, Membership.role == Role.ADMIN)
            .order_by(Membership.user_id)
        )
    )


def organizer_ids(tenant_id: int, organization_id: int | None) -> list[int]:
    if organization_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Membership.user_id)
            .where(
                Membership.tenant_id == tenant_id,
                Membership.role == Role.ORGANIZER,
                Membership.organization_id == organization_id,
            )
            .order_by(Membership.user_id)
        )
    )


def coordinators_of(tenant_id: int, municipality_ids: Iterable[int]) -> dict[int, set[int]]:
    """``{coordinator user id: the given municipalities they coordinate}`` (one query)."""
    ids = set(municipality_ids)
    out: dict[int, set[int]] = {}
    if not ids:
        return out
    rows = db.session.execute(
        sa.select(Membership.user_id, membership_municipality.c.municipality_id)
        .join(membership_municipality, membership_municipality.c.membership_id == Membership.id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role == Role.COORDINATOR,
            membership_municipality.c.municipality_id.in_(ids),
        )
        .order_by(Membership.user_id)
    )
    for user_id, municipality_id in rows:
        out.setdefault(user_id, set()).add(municipality_id)
    return out


# ---- preferences -------------------------------------------------------------------------------


def channels_for(user_ids: list[int], kind: str) -> dict[int, Channel]:
    """Each user's channel for ``kind`` (their preference, else the kind's default)."""
    spec = KINDS.get(kind)
    default = spec.default if spec else Channel.EMAIL
    if spec is not None and not spec.configurable:
        return {u: Channel.EMAIL for u in user_ids}
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.channel).where(
                NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind
            )
        ).all()
    )
    return {u: chosen.get(u, default) for u in user_ids}


def preferences_of(user_id: int) -> dict[str, Channel]:
    """Every configurable kind with the user's channel."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {k.key: chosen.get(k.key, k.default) for k in KINDS.values() if k.configurable}


def set_preferences(user_id: int, channels: dict[str, Channel]) -> int:
    """Store the user's channels (unknown or fixed kinds refused); returns how many changed."""
    current = {
        p.kind: p
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    changed = 0
    for key, channel in channels.items():
        spec = KINDS.get(key)
        if spec is None or not spec.configurable:
            from ..errors import OperationError

            raise OperationError("Неизвестный вид уведомлений.")
        channel = Channel(channel)
        row = current.get(key)
        if row is None:
            if channel is spec.default:
                continue
            db.session.add(NotificationPreference(user_id=user_id, kind=key, channel=channel))
            changed += 1
        elif row.channel is not channel:
            row.channel = channel
            changed += 1
    db.session.flush()
    if changed:
        from .audit import record

        record("notification.preferences", None, user_id=user_id, changed=changed)
    return changed


# ---- raising notifications ---------------------------------------------------------------------


def _absolute(link: str | None) -> str | None:
    """An in-app path made absolute under ``MKR_BASE_URL`` (never the request's host)."""
    if not link or not has_app_context():
        return None
    if link.startswith(("http://", "https://")):
        return link
    base = urlsplit(current_app.config["MKR_BASE_URL"])
    return f"{base.scheme}://{base.netloc}{link}"


def notify(
    tenant_id: int,
    user_ids: Iterable[int],
    subject: str,
    body: str = "",
    link: str | None = None,
    *,
    kind: str = GENERAL,
    url: str | None = None,
) -> list[Notification]:
    """Notify each user once (duplicates in ``user_ids`` are dropped). ``link`` is an in-app
    path (or an absolute URL); ``url`` the absolute link for e-mail."""
    if db.session.info.get(SUPPRESS_KEY):
        return []
    users = list(dict.fromkeys(u for u in user_ids if u is not None))
    if not users:
        return []
    channels = channels_for(users, kind)
    url = url or _absolute(link)
    rows = []
    for user_id in users:
        channel = channels[user_id]
        row = Notification(
            tenant_id=tenant_id,
            user_id=user_id,
            kind=kind,
            subject=subject[:300],
            body=body,
            link=link,
            url=url,
            mail_state={
                Channel.APP: MailState.NONE,
                Channel.EMAIL: MailState.QUEUED,
                Channel.DIGEST: MailState.DIGEST,
            }[channel],
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    queue = db.session.info.setdefault(PENDING_KEY, [])
    queue.extend(r.id for r in rows if r.mail_state is MailState.QUEUED)
    return rows


def emit(
    key: str,
    tenant_id: int,
    user_ids: Iterable[int],
    context: dict,
    *,
    endpoint: str | None = None,
    **values,
) -> list[Notification]:
    """Raise the registry's event ``key``: render its template with ``context`` and notify
    ``user_ids``; the link is ``endpoint`` with ``values`` (in-app path and absolute URL)."""
    if db.session.info.get(SUPPRESS_KEY):
        return []
    kind = KINDS[key]
    subject, body = render(kind, tenant_id, context)
    link = url = None
    if endpoint is not None and has_app_context():
        link = app_path(endpoint, **values)
        url = external_url(endpoint, **values)
    return notify(tenant_id, user_ids, subject, body, link, kind=key, url=url)


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
    """The user's unread notifications and account mails (one query)."""
    return db.session.scalar(sa.select(unread_count_of(user_id))) or 0


def mark_read(user_id: int) -> int:
    """Every unread notification and account mail of the user read; returns how many."""
    now = utcnow()
    return sum(
        db.session.execute(
            sa.update(model)
            .where(model.user_id == user_id, model.read_at.is_(None))
            .values(read_at=now)
        ).rowcount
        for model in (Notification, AccountNotification)
    )


def resend(notification: Notification) -> None:
    """The outbox's resend: the e-mail goes to the worker again after the commit."""
    if notification.mail_state not in (MailState.QUEUED, MailState.FAILED):
        from ..errors import OperationError

        raise OperationError("Это уведомление не ждёт отправки.")
    notification.mail_state = MailState.QUEUED
    notification.mail_attempts = 0
    notification.mail_error = None
    db.session.flush()
    from .audit import record

    record("notification.resend", notification, tenant_id=notification.tenant_id)
    db.session.info.setdefault(PENDING_KEY, []).append(notification.id)


# ---- handing e-mails to the worker after the commit ----------------------------------------------


def mail_configured() -> bool:
    return bool(has_app_context() and current_app.config.get("MAIL_SERVER"))


def hand_over(ids: list[int], task_name: str = SEND_TASK) -> int:
    """Send ``mkr.mail.send`` (or ``task_name``: ``mkr.mail.send_account`` for account mails)
    for each id; stops at the first broker failure (the rows stay queued: the outbox shows
    them and ``mkr.mail.flush`` tries again). Returns how many went."""
    if not ids or not mail_configured():
        return 0
    task = current_app.extensions["celery"].tasks[task_name]
    handed = 0
    for notification_id in ids:
        try:
            task.apply_async((notification_id,), ignore_result=True, retry_policy=PUBLISH_RETRY)
        except Exception as exc:  # noqa: BLE001 - a broker that is down must not fail the page
            log.warning(
                "mail of notification %s not handed to a worker (%s); %d stay queued",
                notification_id,
                type(exc).__name__,
                len(ids) - handed,
            )
            break
        handed += 1
    return handed


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _mail_after_commit(session) -> None:
    for key, task_name in ((PENDING_KEY, SEND_TASK), (ACCOUNT_PENDING_KEY, ACCOUNT_SEND_TASK)):
        ids = session.info.pop(key, None)
        if ids and has_app_context():
            hand_over(ids, task_name)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(ACCOUNT_PENDING_KEY, None)
