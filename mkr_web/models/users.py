"""Users (platform-wide accounts) and memberships (a role held in one tenant)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.roles import Role

from .base import db, enum_column, tenant_fk, tenant_key, tenant_link, utcnow
from .tenancy import Municipality, Organization, Tenant

PASSWORD_HASH = "scrypt"

membership_municipality = tenant_link(
    "membership_municipality",
    ("membership_id", "membership"),
    ("municipality_id", "municipality"),
)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None]
    # Second factor (TOTP, RFC 6238): the shared secret (base32), when it was confirmed,
    # and the last time step accepted (a code is good once).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @staticmethod
    def normalize_email(email: str) -> str:
        return (email or "").strip().lower()

    def set_password(self, password: str) -> None:
        # scrypt (a memory-hard KDF) with a random salt; only the test app may choose a cheap
        # method (``MKR_PASSWORD_HASH``, refused by create_app outside TESTING).
        method = PASSWORD_HASH
        if has_app_context():
            method = current_app.config.get("MKR_PASSWORD_HASH", PASSWORD_HASH)
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        # An invited user who has not chosen a password yet has an empty hash: no match.
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A user's role in a tenant. Coordinators are scoped to municipalities, organisers to
    one organisation."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("organization_id", "organization", "RESTRICT"),
        sa.UniqueConstraint("user_id", "tenant_id", "role"),
        sa.CheckConstraint(
            "role <> 'organizer' OR organization_id IS NOT NULL", name="organizer_has_org"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organization_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship()
    organization: Mapped[Organization | None] = relationship(
        primaryjoin="Membership.organization_id == Organization.id", foreign_keys=[organization_id]
    )
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=membership_municipality, order_by="Municipality.sort_order"
    )
