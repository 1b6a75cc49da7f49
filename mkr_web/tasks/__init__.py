"""Every Celery task, named ``mkr.<topic>.<verb>``. Tasks are thin: they take ids and call an
operation (a job's body runs through :func:`mkr_web.operations.jobs.run_job`). Operations send
them by name (:func:`mkr_web.operations.jobs.send_task`); the beat schedule is in
:mod:`mkr_web.config`."""

from __future__ import annotations

from celery import shared_task

from ..extensions import db
from ..operations import accreditation, certificates, exports, resident_certificates
from ..operations.jobs import run_job


@shared_task(name="mkr.health.ping")
def ping(token: str) -> dict:
    """A round-trip probe for the health page: proves a worker runs and reaches the DB."""
    db.session.execute(db.text("SELECT 1"))
    return {"token": token, "db": "ok"}


@shared_task(name="mkr.certificates.render")
def render_certificate(job_id: int) -> None:
    """Number (idempotently) and render a certificate for a :class:`Job` (any kind)."""
    run_job(job_id, certificates.issue_and_render)


@shared_task(name="mkr.admission.render_certificates")
def render_batch_certificates(job_id: int) -> None:
    """Number and render the certificates of an admission batch into one ZIP."""
    run_job(job_id, resident_certificates.render_batch)


@shared_task(name="mkr.accreditation.expire")
def expire_accreditations() -> dict:
    """Daily (Celery beat): expire accreditations past their last year, remind organisers."""
    done = accreditation.process_expiry()
    db.session.commit()
    return done


@shared_task(name="mkr.registry.export")
def export_registry(job_id: int) -> None:
    """The registry's current filter as XLSX/CSV (above ``MKR_EXPORT_INLINE_MAX`` rows)."""
    run_job(job_id, exports.export_registry)


@shared_task(name="mkr.report.render_pdf")
def render_report_pdf(job_id: int) -> None:
    """The annual report's PDF into the job's result file."""
    run_job(job_id, exports.render_report_pdf)
