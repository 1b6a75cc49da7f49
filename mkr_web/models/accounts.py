"""Accounts people run themselves: sessions, failed-login counters, invitations, password
resets, second factors and a tenant's single sign-on.

Secrets that a link or a cookie carries (session ids, invitation and reset tokens, recovery
codes) are stored as SHA-256 digests only: a copy of the database opens no account.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.roles import Role

from .base import db, enum_column, tenant_fk, tenant_key, tenant_link, utcnow
from .tenancy import Municipality, Organization, Tenant
from .users import User


class UserSession(db.Model):
    """One logged-in browser. The session cookie holds the random id whose digest is here;
    a request whose row is ended, idle too long or too old is anonymous."""

    __table_args__ = (sa.Index("ix_user_session_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    method: Mapped[str] = mapped_column(sa.String(32), default="password")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship()

    #: Not a column: the user's unread notifications and account mails, read in the same
    #: query as the row by the user loader (``queries.accounts.session_by_token_hash``) for
    #: the navbar's badge; None when the row was loaded otherwise.
    unread_notifications = None


class LoginFailure(db.Model):
    """A failed attempt (password, second factor, reset request), counted per key in a
    sliding window. Keys are digests of the e-mail or the address, never the values."""

    __table_args__ = (sa.Index("ix_login_failure_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


invitation_municipality = tenant_link(
    "invitation_municipality",
    ("invitation_id", "invitation"),
    ("municipality_id", "municipality"),
)


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"  # never stored: computed from ``expires_at``

    @property
    def title_ru(self) -> str:
        return {
            "pending": "ожидает",
            "accepted": "принято",
            "revoked": "отозвано",
            "expired": "просрочено",
        }[self.value]


class Invitation(db.Model):
    """A role offered to an e-mail address; accepted through a single-use signed link."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("organization_id", "organization", "CASCADE"),
        # the digest of a random secret, read through the invitation's id in the signed link
        sa.UniqueConstraint("tenant_id", "token_hash"),
        sa.Index("ix_invitation_tenant_state", "tenant_id", "state"),
        sa.CheckConstraint(
            "state <> 'accepted' OR accepted_at IS NOT NULL", name="accepted_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organization_id: Mapped[int | None] = mapped_column()
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState, "state"), default=InvitationState.PENDING
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    tenant: Mapped[Tenant] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    organization: Mapped[Organization | None] = relationship(
        primaryjoin="Invitation.organization_id == Organization.id", foreign_keys=[organization_id]
    )
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=invitation_municipality, order_by="Municipality.sort_order"
    )

    def state_at(self, now: datetime) -> InvitationState:
        if self.state is InvitationState.PENDING and self.expires_at <= now:
            return InvitationState.EXPIRED
        return self.state


class PasswordReset(db.Model):
    """A password-reset link sent to a user: single use, short-lived."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that replaces the authenticator app once (stored as a digest)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class TenantSSO(db.Model):
    """A tenant's OpenID Connect provider. The client secret is written, never shown back."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), unique=True
    )
    label: Mapped[str] = mapped_column(sa.String(100))
    issuer: Mapped[str] = mapped_column(sa.String(300))
    client_id: Mapped[str] = mapped_column(sa.String(200))
    client_secret: Mapped[str] = mapped_column(sa.String(500))
    email_claim: Mapped[str] = mapped_column(sa.String(64), default="email")
    create_unknown: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tenant: Mapped[Tenant] = relationship()
