"""Celery tasks of the foundation: thin, they take ids and reload rows."""

from __future__ import annotations

from celery import shared_task

from .extensions import db


@shared_task(name="mkr.ping", ignore_result=False)
def ping(token: str) -> dict:
    """A round-trip probe for the health page: proves a worker runs and reaches the DB."""
    db.session.execute(db.text("SELECT 1"))
    return {"token": token, "db": "ok"}


def redelivered(task) -> bool:
    """Whether the broker gave this task again because the worker that had it died."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(name="mkr.jobs.fail_stuck")
def fail_stuck_jobs() -> int:
    """Every minute (Celery beat): fail the jobs whose worker died (no heartbeat for
    ``MKR_JOB_STALE_MINUTES``), so their pages offer a restart."""
    from .operations.jobs import fail_stuck_jobs as fail

    count = fail()
    db.session.commit()
    return count


@shared_task(name="mkr.forms.forget_old_tokens")
def forget_old_form_tokens() -> int:
    """Daily (Celery beat): forget single-use form tokens older than two days."""
    from .operations.submissions import forget_old_tokens

    count = forget_old_tokens()
    db.session.commit()
    return count
