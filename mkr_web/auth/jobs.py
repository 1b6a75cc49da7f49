"""Progress of background jobs (a certificate, a batch of certificates): a page with a progress
bar that polls a JSON endpoint, the result file, and the restart of a job that failed or is
stuck (its worker died). A job is visible to the user who started it and to the tenant's
admin; anyone else gets 404."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_login import current_user

from workflows.roles import Role

from ..access import authenticated, current_context
from ..operations.jobs import restart_job
from ..web.commit import commit_or_refuse
from ..web.forms import Form
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


@bp.route("/jobs/<int:job_id>/restart", methods=["POST"])
@authenticated
def job_restart(job_id: int):
    job = job_or_404(job_id)
    if not Form().validate_on_submit():
        abort(400)
    outcome = commit_or_refuse(restart_job, job, current_user.id)
    if not outcome.ok:
        return redirect(url_for(".job", job_id=job.id))
    return redirect(url_for(".job", job_id=outcome.result.id))
