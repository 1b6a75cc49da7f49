"""Certificates (accreditation, Resident) with their public verification code."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, utcnow
from .documents import StoredFile


class CertificateKind(enum.StrEnum):
    RESIDENT = "resident"
    ACCREDITATION = "accreditation"


class Certificate(TenantScoped, db.Model):
    """A numbered certificate; ``code`` is the unguessable key of ``/verify/<code>``."""

    __table_args__ = (
        tenant_fk("file_id", "stored_file", "SET NULL"),
        sa.UniqueConstraint("tenant_id", "number"),
        # random (secrets.token_urlsafe(24)): unique across tenants by construction, checked
        # per tenant (a shard); the public /verify/<code> page finds it by the plain index
        sa.UniqueConstraint("tenant_id", "code"),
        sa.Index("ix_certificate_code", "code"),
        sa.UniqueConstraint("tenant_id", "kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "kind"))
    subject_id: Mapped[int]  # person id (resident) or application id (accreditation)
    number: Mapped[str] = mapped_column(sa.String(30))
    code: Mapped[str] = mapped_column(sa.String(40))
    issued_on: Mapped[date]
    file_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[StoredFile | None] = relationship(
        primaryjoin="Certificate.file_id == StoredFile.id", foreign_keys=[file_id]
    )
