"""Progress of background jobs (a certificate, a batch of certificates): a page with a progress
bar that polls a JSON endpoint, and the result file. A job is visible to the user who started
it and to the tenant's admin; anyone else gets 404."""

from __future__ import annotations

from flask import abort, url_for

from workflows.roles import Role

from ..access import authenticated, current_context
from ..web.jobs import (
    job_file as send_job_file,
    job_or_404 as load_job,
    job_page,
    job_status as status_of,
)
from . import bp


def job_or_404(job_id: int):
    ctx = current_context()
    if ctx is None or ctx.tenant is None:
        abort(404)
    return load_job(job_id, any_user=ctx.role is Role.ADMIN)


@bp.route("/jobs/<int:job_id>")
@authenticated
def job(job_id: int):
    job = job_or_404(job_id)
    return job_page(
        job,
        url_for(".job_status", job_id=job.id),
        url_for(".job_file", job_id=job.id),
    )


@bp.route("/jobs/<int:job_id>/status")
@authenticated
def job_status(job_id: int):
    job = job_or_404(job_id)
    return status_of(job, url_for(".job_file", job_id=job.id))


@bp.route("/jobs/<int:job_id>/file")
@authenticated
def job_file(job_id: int):
    return send_job_file(job_or_404(job_id))
