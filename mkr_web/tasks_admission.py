"""Celery tasks of admission: thin, they take ids and reload rows. (One Resident's
certificate is the generic ``mkr.certificate`` task of :mod:`.tasks_events`.)"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="mkr.resident_certificates", bind=True)
def render_batch_certificates(self, job_id: int) -> None:
    """Number and render the certificates of an admission batch into one ZIP (a :class:`Job`)."""
    from .operations.jobs import run_job
    from .operations.resident_certificates import render_batch
    from .tasks import redelivered

    run_job(job_id, render_batch, redelivered=redelivered(self))
