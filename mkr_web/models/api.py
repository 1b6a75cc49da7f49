"""Personal API tokens: a user's key to the JSON API (``/api/v1/``), bound to one of their
role contexts (a membership), limited to scopes, expiring. Only a SHA-256 digest of the secret
is stored (the secret is shown once, at creation); ``prefix`` lets the owner tell tokens
apart. The per-token rate limit is a fixed window counted on the row itself."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, tenant_fk, utcnow
from .users import Membership, User


class ApiToken(db.Model):
    __table_args__ = (
        tenant_fk("membership_id", "membership", "CASCADE"),
        # the digest of a random secret: unique across tenants by construction, checked per
        # tenant (a shard); a bearer token is found by the plain index before its tenant is known
        sa.UniqueConstraint("tenant_id", "token_hash"),
        sa.Index("ix_api_token_token_hash", "token_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(index=True)
    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the secret's first characters
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # the rate limit's current window: when it began and how many requests it has seen
    window_started_at: Mapped[datetime | None]
    window_count: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    membership: Mapped[Membership] = relationship(
        primaryjoin="ApiToken.membership_id == Membership.id", foreign_keys=[membership_id]
    )

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
