"""Background jobs: a row with state, progress and the result file."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, utcnow
from .documents import StoredFile


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(TenantScoped, db.Model):
    """A long piece of work run by Celery; the page polls it for a progress bar."""

    __table_args__ = (
        tenant_fk("result_file_id", "stored_file", "SET NULL"),
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
    result_file_id: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # the last sign of life of the worker running it (start, each progress step); a running
    # job whose heartbeat is older than MKR_JOB_STALE_MINUTES is failed by the beat task
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # times claimed

    result_file: Mapped[StoredFile | None] = relationship(
        primaryjoin="Job.result_file_id == StoredFile.id", foreign_keys=[result_file_id]
    )
