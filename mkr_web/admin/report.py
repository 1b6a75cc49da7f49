"""The operator's annual report: dashboard, JSON, XLSX, the PDF job (whole programme)."""

from __future__ import annotations

from workflows.roles import Role

from ..access import roles
from ..web import report as rv
from . import bp

PREFIX = "admin"


@bp.route("/report")
@roles(Role.ADMIN)
def report():
    return rv.dashboard(PREFIX, None)


@bp.route("/report.json")
@roles(Role.ADMIN)
def report_json():
    return rv.report_file("json", None)


@bp.route("/report.xlsx")
@roles(Role.ADMIN)
def report_xlsx():
    return rv.report_file("xlsx", None)


@bp.route("/report/pdf", methods=["POST"])
@roles(Role.ADMIN)
def report_pdf():
    return rv.start_pdf(PREFIX, None)


@bp.route("/report/jobs/<int:job_id>")
@roles(Role.ADMIN)
def report_job(job_id: int):
    return rv.job_page(rv.job_or_404(job_id, own_only=False), PREFIX)


@bp.route("/report/jobs/<int:job_id>.json")
@roles(Role.ADMIN)
def report_job_status(job_id: int):
    return rv.job_status(rv.job_or_404(job_id, own_only=False), PREFIX)


@bp.route("/report/jobs/<int:job_id>/download")
@roles(Role.ADMIN)
def report_job_download(job_id: int):
    return rv.job_download(rv.job_or_404(job_id, own_only=False))
