"""Reads about accounts: sessions, invitations, second factors, single sign-on providers,
account mails waiting to be sent."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    AccountNotification,
    Invitation,
    InvitationState,
    Membership,
    PasswordReset,
    RecoveryCode,
    Tenant,
    TenantSSO,
    User,
    UserSession,
)
from ..models.base import utcnow
from .notifications import unread_count_of


def user_by_id(user_id) -> User | None:
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


@functools.cache
def _session_statement() -> sa.Select:
    """The user loader's SELECT, built once per process (its options and the badge's
    subqueries cost more to build than to run), the token a bound parameter. With the
    tenants it reads their report data versions (``Tenant.data_version``). A lookup by a
    unique key, run on every request: prepared on PostgreSQL (``mkr_web/dbapi.py``)."""
    membership = sa.orm.joinedload(UserSession.user).joinedload(User.memberships)
    return (
        sa.select(UserSession, unread_count_of(UserSession.user_id))
        .where(UserSession.token_hash == sa.bindparam("token_hash"))
        .options(
            membership.joinedload(Membership.tenant).undefer(Tenant.data_version),
            membership.joinedload(Membership.municipalities),
        )
        .execution_options(mkr_prepared=True)
    )


def session_by_token_hash(token_hash: str) -> UserSession | None:
    """The session row with its user, the user's memberships, their tenants and a
    coordinator's municipalities: what every page's user loader and role context need, in
    one query, which also counts the user's unread notifications for the navbar's badge
    (``UserSession.unread_notifications``)."""
    found = (
        db.session.execute(_session_statement(), {"token_hash": token_hash}).unique().one_or_none()
    )
    if found is None:
        return None
    row, row.unread_notifications = found
    return row


def live_session_by_id(user_id: int, session_id: int) -> UserSession | None:
    return db.session.execute(
        sa.select(UserSession).where(
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
        )
    ).scalar_one_or_none()


def active_sessions(user_id: int, idle: timedelta, max_age: timedelta) -> list[UserSession]:
    """A user's live sessions, the most recently used first."""
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
                UserSession.created_at > now - max_age,
                UserSession.last_seen_at > now - idle,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def recovery_codes_left(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def unused_recovery_code(user_id: int, code_hash: str) -> RecoveryCode | None:
    return db.session.execute(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()


def invitation_by_id(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


def reset_by_id(reset_id: int) -> PasswordReset | None:
    return db.session.get(PasswordReset, reset_id)


def pending_invitations(tenant_id: int) -> list[Invitation]:
    """A tenant's invitations awaiting an answer (expired ones too: they can be resent)."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.tenant_id == tenant_id, Invitation.state == InvitationState.PENDING)
            .options(sa.orm.selectinload(Invitation.user))
            .order_by(Invitation.id.desc())
        )
    )


def pending_invitation_exists(tenant_id: int, user_id: int, role, now: datetime) -> bool:
    return (
        db.session.execute(
            sa.select(Invitation.id).where(
                Invitation.tenant_id == tenant_id,
                Invitation.user_id == user_id,
                Invitation.role == role,
                Invitation.state == InvitationState.PENDING,
                Invitation.expires_at > now,
            )
        ).first()
        is not None
    )


def sso_config(tenant_id: int) -> TenantSSO | None:
    return db.session.execute(
        sa.select(TenantSSO).where(TenantSSO.tenant_id == tenant_id)
    ).scalar_one_or_none()


def enabled_sso_by_slug(slug: str) -> TenantSSO | None:
    return db.session.execute(
        sa.select(TenantSSO)
        .join(Tenant, Tenant.id == TenantSSO.tenant_id)
        .where(Tenant.slug == slug[:40], TenantSSO.is_enabled.is_(True))
    ).scalar_one_or_none()


def sso_buttons() -> list[tuple[str, str]]:
    """``(tenant slug, label)`` of every enabled provider, for the login page (empty when the
    database does not answer: the login form must still show)."""
    try:
        rows = db.session.execute(
            sa.select(Tenant.slug, TenantSSO.label)
            .join(Tenant, Tenant.id == TenantSSO.tenant_id)
            .where(TenantSSO.is_enabled.is_(True))
            .order_by(TenantSSO.label)
        ).all()
    except sa.exc.SQLAlchemyError:
        return []
    return [(slug, label) for slug, label in rows]


def sso_origins() -> list[str]:
    """The origins (scheme://host:port) of the enabled providers."""
    try:
        issuers = db.session.scalars(
            sa.select(TenantSSO.issuer).where(TenantSSO.is_enabled.is_(True))
        ).all()
    except sa.exc.SQLAlchemyError:
        return []
    origins = set()
    for issuer in issuers:
        parts = urlsplit(issuer)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def unsent_account_mails() -> sa.Select:
    """Account mails (no tenant) not e-mailed, newest first, for the platform admin."""
    return (
        sa.select(AccountNotification)
        .where(AccountNotification.emailed_at.is_(None))
        .order_by(AccountNotification.id.desc())
    )
