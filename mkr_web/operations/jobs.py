"""Background jobs: a row with progress, run by a Celery task that may die and be re-run.

Usage: ``job = start_job(tenant_id, "report_pdf", task="mkr.report.render_pdf", key="2019",
params={...})`` (tasks are sent by name, see :mod:`mkr_web.tasks`). The life of a job:

- :func:`start_job` commits the row, then queues the task with the job's id. When the broker
  cannot take it, the row is marked failed with the reason and :class:`QueueUnavailable`
  ("фоновая обработка недоступна, повторите позже") is raised: no job stays ``pending``
  because of a broker that is down. Operations that change data and then queue work call
  :func:`require_queue` first, so that nothing is committed half-way.
- A task wraps its work in :func:`run_job`, which *claims* the row (``pending``, or
  ``running`` in a worker that died: the task was redelivered, or its heartbeat is stale),
  so a task delivered twice runs once; the work reports progress, each report is a heartbeat.
  The work must be idempotent (certificates keep their numbers; files are replaced).
- Tasks are acknowledged late and given back to the queue when their worker dies (see the
  ``CELERY`` settings in :mod:`mkr_web.config`). A job whose worker died and whose task is
  not redelivered is failed by the beat task ``mkr.jobs.fail_stuck`` (:func:`fail_stuck_jobs`)
  after ``MKR_JOB_STALE_MINUTES`` without a heartbeat; :func:`restart_job` starts it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..errors import OperationError
from ..extensions import db
from ..models import Job, JobState, StoredFile
from ..models.base import utcnow

log = logging.getLogger(__name__)

QUEUE_DOWN = "Фоновая обработка недоступна, повторите позже."
QUEUE_DOWN_REASON = "Фоновая обработка недоступна: задание не поставлено в очередь."
PENDING_FACTOR = 6  # a job never started is stuck after this many stale periods


class QueueUnavailable(OperationError):
    """The broker does not take tasks: work that needs a worker cannot start now."""

    def __init__(self, message: str = QUEUE_DOWN):
        super().__init__(message)


def stale_after() -> timedelta:
    return timedelta(minutes=current_app.config.get("MKR_JOB_STALE_MINUTES", 10))


def _celery():
    return current_app.extensions["celery"]


def queue_is_available() -> bool:
    """Whether the broker answers (within about a second); always true for eager tasks."""
    celery = _celery()
    if celery.conf.task_always_eager:
        return True
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=1)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "not available"
        log.warning("broker unavailable: %s", type(exc).__name__)
        return False
    return True


def require_queue() -> None:
    """Refuse (:class:`QueueUnavailable`) before changing anything whose follow-up work needs
    a worker, when the broker is down."""
    if not queue_is_available():
        raise QueueUnavailable()


def send_task(name: str, *args, **options):
    """Send the registered Celery task ``name`` through this Flask app's Celery (eagerly
    without a broker)."""
    return _celery().tasks[name].apply_async(args, **options)


def _send(task, job_id: int) -> None:
    """Queue ``task`` (a registered name or a task object) with the job's id."""
    send_task(task if isinstance(task, str) else task.name, job_id)


def start_job(
    tenant_id: int,
    kind: str,
    *,
    task,
    key: str | None = None,
    params: dict | None = None,
    user_id: int | None = None,
) -> Job:
    """Commit a new job and queue its task (a task object or its registered name)."""
    job = Job(tenant_id=tenant_id, kind=kind, key=key, params=params or {}, created_by_id=user_id)
    db.session.add(job)
    db.session.commit()  # the worker must find the row
    if _celery().conf.task_always_eager:
        _send(task, job.id)  # runs here; the job row records its outcome
        return job
    try:
        _send(task, job.id)
    except Exception as exc:  # noqa: BLE001 - a broker that is down, refuses or times out
        log.warning("job %s not queued: %s", job.id, type(exc).__name__)
        job_id = job.id
        db.session.rollback()
        failed = db.session.get(Job, job_id)
        failed.state = JobState.FAILED
        failed.message = QUEUE_DOWN_REASON
        failed.finished_at = utcnow()
        db.session.commit()
        raise QueueUnavailable() from None
    return job


def is_stuck(job: Job, now=None) -> bool:
    """Running without a heartbeat for longer than the stale period, or never started."""
    now = now or utcnow()
    if job.state is JobState.RUNNING:
        seen = job.heartbeat_at or job.started_at or job.created_at
        return seen < now - stale_after()
    if job.state is JobState.PENDING:
        return job.created_at < now - PENDING_FACTOR * stale_after()
    return False


def _latest_unfinished(tenant_id: int, kind: str, key: str, user_id: int | None) -> Job | None:
    return db.session.execute(
        sa.select(Job)
        .where(
            Job.tenant_id == tenant_id,
            Job.kind == kind,
            Job.key == key,
            Job.created_by_id == user_id,
            Job.state.in_([JobState.PENDING, JobState.RUNNING]),
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def unfinished_job(tenant_id: int, kind: str, key: str, user_id: int | None) -> Job | None:
    """This user's latest pending or running job of ``kind`` for ``key`` that is alive (a double
    click reuses it); a stuck one is not reused: asking again starts a new job."""
    job = _latest_unfinished(tenant_id, kind, key, user_id)
    return None if job is None or is_stuck(job) else job


def start_or_reuse_job(
    tenant_id: int, kind: str, *, task: str, key: str, params: dict, user_id: int | None
) -> Job:
    """:func:`start_job`, unless this user already has an unfinished, alive job for ``key``;
    a stuck one is failed (with the reason) and replaced by the new job."""
    job = _latest_unfinished(tenant_id, kind, key, user_id)
    if job is not None and not is_stuck(job):
        return job
    if job is not None:
        _fail(job, "Задание прервано (нет хода выполнения) и запущено заново.")
    return start_job(tenant_id, kind, task=task, key=key, params=params, user_id=user_id)


def _fail(job: Job, message: str, now=None) -> None:
    job.state = JobState.FAILED
    job.message = message
    job.finished_at = now or utcnow()


def _claim(job_id: int, redelivered: bool) -> bool:
    """Mark the job running for this worker; false when it is done, failed, or running
    elsewhere with a fresh heartbeat (a duplicate delivery)."""
    now = utcnow()
    takeable = [Job.state == JobState.PENDING]
    running = Job.state == JobState.RUNNING
    if redelivered:  # the worker that had it died (or its time limit passed): take it over
        takeable.append(running)
    else:
        takeable.append(
            sa.and_(
                running,
                sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
                < now - stale_after(),
            )
        )
    claimed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, sa.or_(*takeable))
        .values(
            state=JobState.RUNNING,
            started_at=sa.func.coalesce(Job.started_at, now),
            heartbeat_at=now,
            attempts=Job.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def run_job(
    job_id: int,
    work: Callable[[Job, Callable[[int, str], None]], StoredFile | None],
    *,
    redelivered: bool = False,
) -> None:
    """Run ``work(job, progress)`` for the job if this worker can claim it;
    ``progress(percent, message)`` commits and is the job's heartbeat."""
    if not _claim(job_id, redelivered):
        return
    job = db.session.get(Job, job_id)
    db.session.refresh(job)

    def progress(percent: int, message: str = "") -> None:
        job.progress = max(0, min(100, int(percent)))
        job.message = message[:500]
        job.heartbeat_at = utcnow()
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
    job.heartbeat_at = job.finished_at = utcnow()
    db.session.commit()


def fail_stuck_jobs(now=None) -> int:
    """Fail every job that is stuck (:func:`is_stuck`), with the reason; flush only. Run by the
    beat task every minute. Returns how many."""
    now = now or utcnow()
    stale = stale_after()
    minutes = int(stale.total_seconds() // 60)
    seen = sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    jobs = db.session.scalars(
        sa.select(Job).where(
            sa.or_(
                sa.and_(Job.state == JobState.RUNNING, seen < now - stale),
                sa.and_(
                    Job.state == JobState.PENDING, Job.created_at < now - PENDING_FACTOR * stale
                ),
            )
        )
    ).all()
    for job in jobs:
        never_started = job.state is JobState.PENDING
        job.state = JobState.FAILED
        job.finished_at = now
        job.message = (
            f"Задание не начато за {PENDING_FACTOR * minutes} мин (воркер недоступен): "
            "перезапустите его."
            if never_started
            else f"Задание прервано: нет хода выполнения {minutes} мин. Перезапустите его."
        )
    db.session.flush()
    if jobs:
        log.warning("failed %d stuck job(s): %s", len(jobs), [j.id for j in jobs])
    return len(jobs)


#: The task that runs each kind of job (names registered in the task modules).
TASKS: dict[str, str] = {
    "certificate": "mkr.certificates.render",
    "resident_certificates": "mkr.admission.render_certificates",
    "report_pdf": "mkr.report.render_pdf",
    "registry_export": "mkr.registry.export",
}


def can_restart(job: Job) -> bool:
    return job.kind in TASKS and (job.state is JobState.FAILED or is_stuck(job))


def restart_job(job: Job, user_id: int | None) -> Job:
    """A new job doing what ``job`` (failed or stuck) was to do; a stuck one is failed first.
    Commits (the new row must exist before its task is queued)."""
    if not can_restart(job):
        raise OperationError("Это задание не прервано: перезапускать нечего.")
    if job.state is not JobState.FAILED:
        _fail(job, "Задание прервано и перезапущено.")
    return start_job(
        job.tenant_id,
        job.kind,
        task=TASKS[job.kind],
        key=job.key,
        params=dict(job.params or {}),
        user_id=user_id,
    )
