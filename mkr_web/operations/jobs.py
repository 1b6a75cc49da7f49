"""Background jobs: a row with progress, committed before its Celery task is sent.

Usage: ``job = start_job(tenant_id, "report_pdf", task="mkr.report.render_pdf", key="2019",
params={...})``; ``start_job`` commits the row, then sends the task (named, see
:mod:`mkr_web.tasks`) with the job's id. A task wraps its work in :func:`run_job`, which does
nothing if the job is already done, marks it running, lets the work report progress, and stores
the result file or the error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from celery import current_app as current_celery

from ..extensions import db
from ..models import Job, JobState, StoredFile
from ..models.base import utcnow

STUCK_AFTER = timedelta(minutes=10)


def send_task(name: str, *args):
    """Send the registered Celery task ``name`` (eagerly without a broker)."""
    return current_celery.tasks[name].delay(*args)


def start_job(
    tenant_id: int,
    kind: str,
    *,
    task: str,
    key: str | None = None,
    params: dict | None = None,
    user_id: int | None = None,
) -> Job:
    job = Job(tenant_id=tenant_id, kind=kind, key=key, params=params or {}, created_by_id=user_id)
    db.session.add(job)
    db.session.commit()
    send_task(task, job.id)
    return job


def unfinished_job(tenant_id: int, kind: str, key: str, user_id: int | None) -> Job | None:
    """This user's latest pending or running job of ``kind`` for ``key`` (a double click reuses
    it), unless it has been stuck for longer than :data:`STUCK_AFTER`."""
    return db.session.execute(
        sa.select(Job)
        .where(
            Job.tenant_id == tenant_id,
            Job.kind == kind,
            Job.key == key,
            Job.created_by_id == user_id,
            Job.state.in_([JobState.PENDING, JobState.RUNNING]),
            Job.created_at > utcnow() - STUCK_AFTER,
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def start_or_reuse_job(
    tenant_id: int, kind: str, *, task: str, key: str, params: dict, user_id: int | None
) -> Job:
    """:func:`start_job`, unless this user already has an unfinished one for ``key``."""
    job = unfinished_job(tenant_id, kind, key, user_id)
    if job is not None:
        return job
    return start_job(tenant_id, kind, task=task, key=key, params=params, user_id=user_id)


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
