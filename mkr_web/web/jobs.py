"""The pages of a background job (a certificate, a registry export, the report's PDF): one
loader, one JSON status that ``static/job_progress.js`` polls, one template (``_job.html``),
and the result file. A job is 404 outside the current tenant and, unless the page lets the
role see every job, for anyone but the user who started it."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import current_tenant
from ..models import Job, JobState
from ..queries.jobs import jobs_for
from .files import send_stored
from .loading import by_id_or_404

STATE_TITLES = {
    JobState.PENDING: _l("В очереди"),
    JobState.RUNNING: _l("Формируется"),
    JobState.DONE: _l("Готово"),
    JobState.FAILED: _l("Ошибка"),
}


def job_or_404(job_id: int, *, kind: str | None = None, any_user: bool = False) -> Job:
    scope = jobs_for(current_tenant().id, current_user.id, kind=kind, any_user=any_user)
    return by_id_or_404(scope, Job, job_id)


def is_ready(job: Job) -> bool:
    return job.state is JobState.DONE and job.result_file_id is not None


def job_status(job: Job, download_url: str | None) -> dict:
    """The one JSON shape of a job's status; ``download_url`` is given once it is ready."""
    return {
        "state": job.state.value,
        "state_title": str(STATE_TITLES[job.state]),
        "progress": job.progress,
        "message": job.message,
        "download_url": download_url if is_ready(job) else None,
    }


def job_page(job: Job, status_url: str, download_url: str, **texts):
    """The progress page: ``texts`` may set title, heading, waiting, download, failed, label
    and back (a link back, as ``(url, text)``)."""
    return render_template(
        "job.html",
        job=job,
        status=job_status(job, download_url),
        status_url=status_url,
        **texts,
    )


def job_file(job: Job):
    if not is_ready(job) or job.result_file is None:
        abort(404)
    return send_stored(job.result_file)
