"""Stored files: uploads and rendered documents, kept per tenant."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import TenantScoped, db, tenant_key, utcnow


class StoredFile(TenantScoped, db.Model):
    """An uploaded or generated file. The bytes live under MKR_UPLOAD_DIR/<path>; the
    original file name is kept for downloads only (never used as a path)."""

    __table_args__ = (
        tenant_key(),
        # <tenant_id>/<kind>/<random>: starts with the tenant, so unique across tenants by
        # construction; checked per tenant (a shard)
        sa.UniqueConstraint("tenant_id", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # consent, regulation, evidence, certificate…
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
