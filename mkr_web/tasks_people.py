"""Celery tasks of the persons registry: a large export of the registry's current filter
(the page starts it as a job above ``MKR_EXPORT_INLINE_MAX`` rows and shows its progress)."""

from __future__ import annotations

from celery import shared_task
from werkzeug.datastructures import MultiDict

from .extensions import db
from .models import Job, Membership
from .operations.jobs import run_job

PROGRESS_EVERY = 5000


@shared_task(name="mkr.registry_export", bind=True)
def export_registry(self, job_id: int) -> None:
    from .tasks import redelivered

    run_job(job_id, _work, redelivered=redelivered(self))


def _work(job: Job, progress):
    from .queries.people import RegistryFilter, export_select
    from .registry import export_body

    membership = db.session.get(Membership, job.params["membership_id"])
    if membership is None or membership.tenant_id != job.tenant_id:
        raise LookupError("membership gone")
    f = RegistryFilter.from_args(MultiDict(job.params["args"]))
    # Fetched whole before writing: progress() commits, which would close a streaming cursor.
    rows = db.session.execute(export_select(membership, f)).all()
    total = max(1, len(rows))
    progress(10, f"Строк: {len(rows)}")

    def counted():
        for i, row in enumerate(rows, start=1):
            if i % PROGRESS_EVERY == 0:
                progress(10 + int(85 * i / total), f"Записано строк: {i}")
            yield row

    return export_body(job.tenant_id, job.params["format"], counted(), job.created_by_id)
