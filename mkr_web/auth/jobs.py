"""Progress of background jobs (a certificate, a report): a page with a progress bar that
polls a JSON endpoint, and the result file. A job is visible to the user who started it and
to the tenant's admin; anyone else gets 404."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from workflows.roles import Role

from ..access import authenticated, current_context
from ..extensions import db
from ..models import Job, JobState
from ..web.files import send_stored
from . import bp


def job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    ctx = current_context()
    if job is None or ctx is None or ctx.tenant is None or job.tenant_id != ctx.tenant.id:
        abort(404)
    if job.created_by_id != current_user.id and ctx.role is not Role.ADMIN:
        abort(404)
    return job


@bp.route("/jobs/<int:job_id>")
@authenticated
def job(job_id: int):
    return render_template("auth/job.html", job=job_or_404(job_id))


@bp.route("/jobs/<int:job_id>/status")
@authenticated
def job_status(job_id: int):
    job = job_or_404(job_id)
    done = job.state is JobState.DONE and job.result_file_id is not None
    return {
        "state": job.state.value,
        "progress": job.progress,
        "message": job.message,
        "download": url_for(".job_file", job_id=job.id) if done else None,
    }


@bp.route("/jobs/<int:job_id>/file")
@authenticated
def job_file(job_id: int):
    job = job_or_404(job_id)
    if job.state is not JobState.DONE or job.result_file is None:
        abort(404)
    return send_stored(job.result_file)
