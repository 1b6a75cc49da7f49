"""Celery tasks of events and accreditation: thin, they take ids and reload rows."""

from __future__ import annotations

from celery import shared_task

from .extensions import db


@shared_task(name="mkr.certificate", bind=True)
def render_certificate(self, job_id: int) -> None:
    """Number (idempotently) and render a certificate for a :class:`Job` (any kind)."""
    from .operations.certificates import issue_and_render
    from .operations.jobs import run_job
    from .tasks import redelivered

    run_job(job_id, issue_and_render, redelivered=redelivered(self))


@shared_task(name="mkr.expire_accreditations")
def expire_accreditations() -> dict:
    """Daily (Celery beat): expire accreditations past their last year, remind organisers."""
    from .operations.accreditation import process_expiry

    done = process_expiry()
    db.session.commit()
    return done
