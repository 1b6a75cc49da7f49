"""Notifications as their reader (or the admin's outbox) lists them."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import AccountNotification, MailState, Notification

OUTBOX_STATES = (MailState.QUEUED, MailState.FAILED)


#: the reader's list names each row's table by this key
SOURCES = {"t": Notification, "a": AccountNotification}


def unread_count_of(user_id) -> sa.ColumnElement[int]:
    """The number of unread notifications and account mails of ``user_id`` (a value or a
    column), as one SQL expression."""
    return sum(
        (
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.user_id == user_id, model.read_at.is_(None))
            .scalar_subquery()
            for model in SOURCES.values()
        ),
        start=sa.literal(0),
    )


def notifications_of(user_id: int) -> sa.Select:
    """A user's notifications in every tenant and account mails, newest first: rows of
    ``(source, id)`` (``source`` a key of :data:`SOURCES`), one UNION ALL;
    :func:`notification_rows` loads a page of them."""
    both = sa.union_all(
        *(
            sa.select(
                sa.literal(key).label("source"),
                model.id.label("id"),
                model.created_at.label("created_at"),
            ).where(model.user_id == user_id)
            for key, model in SOURCES.items()
        )
    ).subquery("notifications")
    return sa.select(both.c.source, both.c.id).order_by(
        both.c.created_at.desc(), both.c.source.desc(), both.c.id.desc()
    )


def notification_rows(rows) -> list:
    """The notifications of ``rows`` (``(source, id)`` from :func:`notifications_of`) in that
    order: one query per table."""
    wanted: dict[str, list[int]] = {}
    for source, id_ in rows:
        wanted.setdefault(source, []).append(id_)
    found = {}
    for source, ids in wanted.items():
        model = SOURCES[source]
        for n in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
            found[source, n.id] = n
    return [found[source, id_] for source, id_ in rows]


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
