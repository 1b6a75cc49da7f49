"""Background jobs: a row with progress, committed before its Celery task is sent.

Usage in a view: ``job = start_job(tenant, "report_pdf", key="2019", params={...},
task=render_report_pdf)``; ``start_job`` commits the row, then sends ``task.delay(job.id)``.
A task wraps its work in :func:`run_job`, which does nothing if the job is already done,
marks it running, lets the work report progress, and stores the result file or the error.
"""

from __future__ import annotations

from collections.abc import Callable

from ..extensions import db
from ..models import Job, JobState, StoredFile
from ..models.base import utcnow


def start_job(
    tenant_id: int,
    kind: str,
    *,
    task,
    key: str | None = None,
    params: dict | None = None,
    user_id: int | None = None,
) -> Job:
    job = Job(tenant_id=tenant_id, kind=kind, key=key, params=params or {}, created_by_id=user_id)
    db.session.add(job)
    db.session.commit()
    task.delay(job.id)
    return job


def run_job(
    job_id: int, work: Callable[[Job, Callable[[int, str], None]], StoredFile | None]
) -> None:
    """Run ``work(job, progress)`` for the job; ``progress(percent, message)`` commits."""
    job = db.session.get(Job, job_id)
    if job is None or job.state is JobState.DONE:
        return
    job.state = JobState.RUNNING
    job.started_at = utcnow()
    job.progress = 0
    db.session.commit()

    def progress(percent: int, message: str = "") -> None:
        job.progress = max(0, min(100, int(percent)))
        job.message = message[:500]
        db.session.commit()

    try:
        result = work(job, progress)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.state = JobState.FAILED
        job.message = f"Ошибка: {type(exc).__name__}"
        job.finished_at = utcnow()
        db.session.commit()
        raise
    job.result_file = result
    job.state = JobState.DONE
    job.progress = 100
    job.finished_at = utcnow()
    db.session.commit()
