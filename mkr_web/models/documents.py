"""Stored files, background jobs with progress, notifications."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, utcnow


class StoredFile(TenantScoped, db.Model):
    """An uploaded or generated file. The bytes live under MKR_UPLOAD_DIR/<path>; the
    original file name is kept for downloads only (never used as a path)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # consent, regulation, evidence, certificate…
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(TenantScoped, db.Model):
    """A long piece of work run by Celery; the page polls it for a progress bar."""

    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.Index("ix_job_tenant_kind_key", "tenant_id", "kind", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # report_pdf, certificates, …
    key: Mapped[str | None] = mapped_column(sa.String(100))  # e.g. "2019" or a batch id
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, "state"), default=JobState.PENDING
    )
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result_file_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    result_file: Mapped[StoredFile | None] = relationship()


class Notification(TenantScoped, db.Model):
    """An in-app notification; e-mailed when SMTP is configured, else it waits in the
    outbox that admin can read."""

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    # Account mails (invitation, password reset) belong to no tenant: no tenant admin's
    # outbox shows their single-use links.
    tenant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
