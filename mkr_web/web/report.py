"""The report pages shared by the admin's and the coordinator's blueprints (their route
modules, ``admin/report.py`` and ``coordinator/report.py``, declare the routes and the scope).

Every output is rendered from one :func:`build_report` dict. The PDF is rendered by a Celery
task (``mkr.report.render_pdf`` in :mod:`mkr_web.tasks`) into a Job row; its page polls ``…/jobs/<id>.json``.
"""

from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..access import current_tenant
from ..documents.report_format import HELPERS
from ..documents.report_outputs import CONTENT_TYPES, WRITERS, report_filename
from ..documents.storage import read_bytes
from ..extensions import db
from ..models import Job, JobState
from ..operations.exports import REPORT_PDF_JOB, REPORT_PDF_TASK
from ..operations.jobs import start_job
from ..queries.report import build_report, default_as_of, report_years, thresholds_of

JOB_KIND = REPORT_PDF_JOB
MIN_YEAR, MAX_YEAR = 2000, 2100
JOB_STATES = {
    "pending": "В очереди",
    "running": "Формируется",
    "done": "Готово",
    "failed": "Ошибка",
}


def _year(raw: str | None, tenant_id: int) -> int:
    if raw:
        try:
            year = int(raw)
        except ValueError:
            abort(400)
        if not MIN_YEAR <= year <= MAX_YEAR:
            abort(400)
        return year
    years = report_years(tenant_id)
    return years[0] if years else date.today().year - 1


def _as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def report_params(source=None) -> tuple[int, date | None]:
    """(year, as_of) from the query string (or a posted form); 400 when malformed."""
    source = request.args if source is None else source
    return _year(source.get("year"), current_tenant().id), _as_of(source.get("as_of"))


def _query(year: int, as_of: date | None) -> dict:
    return {"year": year, **({"as_of": as_of.isoformat()} if as_of else {})}


def dashboard(prefix: str, municipality_ids: list[int] | None):
    tenant = current_tenant()
    year, as_of = report_params()
    report = build_report(tenant.id, year, as_of, municipality_ids)
    years = sorted(set(report_years(tenant.id)) | {year}, reverse=True)
    return render_template(
        "report/dashboard.html",
        r=report,
        prefix=prefix,
        years=years,
        query=_query(year, as_of),
        as_of_default=default_as_of(year).isoformat(),
        thresholds=thresholds_of(tenant),
        **HELPERS,
    )


def report_file(fmt: str, municipality_ids: list[int] | None):
    year, as_of = report_params()
    report = build_report(current_tenant().id, year, as_of, municipality_ids)
    data = WRITERS[fmt](report)
    if fmt == "json":
        return Response(data, mimetype=CONTENT_TYPES["json"])
    return send_file(
        io.BytesIO(data),
        mimetype=CONTENT_TYPES[fmt],
        as_attachment=True,
        download_name=report_filename(report, fmt),
    )


def start_pdf(prefix: str, municipality_ids: list[int] | None):
    year, as_of = report_params(request.form)
    params = {
        "year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "municipality_ids": municipality_ids,
    }
    job = start_job(
        current_tenant().id,
        JOB_KIND,
        task=REPORT_PDF_TASK,
        key=str(year),
        params=params,
        user_id=current_user.id,
    )
    return redirect(url_for(f"{prefix}.report_job", job_id=job.id))


def job_or_404(job_id: int, own_only: bool) -> Job:
    """A report job of the current tenant (and, for ``own_only``, started by this user)."""
    query = db.select(Job).where(
        Job.id == job_id, Job.tenant_id == current_tenant().id, Job.kind == JOB_KIND
    )
    if own_only:
        query = query.where(Job.created_by_id == current_user.id)
    job = db.session.execute(query).scalar_one_or_none()
    if job is None:
        abort(404)
    return job


def job_status(job: Job, prefix: str) -> dict:
    done = job.state is JobState.DONE and job.result_file_id is not None
    return {
        "state": job.state.value,
        "state_title": JOB_STATES[job.state.value],
        "progress": job.progress,
        "message": job.message,
        "download_url": url_for(f"{prefix}.report_job_download", job_id=job.id) if done else None,
    }


def job_page(job: Job, prefix: str):
    return render_template(
        "report/job.html", job=job, status=job_status(job, prefix), prefix=prefix
    )


def job_download(job: Job):
    if job.state is not JobState.DONE or job.result_file is None:
        abort(404)
    return send_file(
        io.BytesIO(read_bytes(job.result_file)),
        mimetype=job.result_file.content_type,
        as_attachment=True,
        download_name=job.result_file.filename,
    )
