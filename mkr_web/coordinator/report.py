"""The coordinator's annual report: the same report limited to their municipalities (see
:mod:`mkr_web.queries.report` for what is limited and what stays programme-wide)."""

from __future__ import annotations

from workflows.roles import Role

from ..access import current_membership, roles
from ..queries.reference import municipality_ids_for
from ..web import report as rv
from . import bp

PREFIX = "coordinator"


def _scope() -> list[int]:
    return municipality_ids_for(current_membership()) or []


@bp.route("/report")
@roles(Role.COORDINATOR)
def report():
    return rv.dashboard(PREFIX, _scope())


@bp.route("/report.json")
@roles(Role.COORDINATOR)
def report_json():
    return rv.report_file("json", _scope())


@bp.route("/report.xlsx")
@roles(Role.COORDINATOR)
def report_xlsx():
    return rv.report_file("xlsx", _scope())


@bp.route("/report/pdf", methods=["POST"])
@roles(Role.COORDINATOR)
def report_pdf():
    return rv.start_pdf(PREFIX, _scope())


@bp.route("/report/jobs/<int:job_id>")
@roles(Role.COORDINATOR)
def report_job(job_id: int):
    return rv.job_page(rv.job_or_404(job_id, own_only=True), PREFIX)


@bp.route("/report/jobs/<int:job_id>.json")
@roles(Role.COORDINATOR)
def report_job_status(job_id: int):
    return rv.job_status(rv.job_or_404(job_id, own_only=True), PREFIX)


@bp.route("/report/jobs/<int:job_id>/download")
@roles(Role.COORDINATOR)
def report_job_download(job_id: int):
    return rv.job_download(rv.job_or_404(job_id, own_only=True))
