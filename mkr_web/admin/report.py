"""The operator's annual report: dashboard, JSON, XLSX, the PDF job (whole programme); the
export for the federal register (ГИР) of a year."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, request

from workflows.roles import Role

from ..access import current_tenant, roles
from ..operations.gir_export import TYPES, export_gir
from ..web import report as rv
from ..web.commit import commit_or_refuse
from ..web.params import parse_int
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


@bp.route("/gir-export.<fmt>")
@roles(Role.ADMIN)
def gir_export(fmt: str):
    """Residents with their achievements of ``?year=`` (default: last year), keyed by СНИЛС (XLSX with the errors
    on a second sheet, CSV, JSON): :mod:`mkr_web.operations.gir_export`."""
    if fmt not in TYPES:
        abort(404)
    raw = request.args.get("year")
    year = parse_int(raw, minimum=2000, maximum=2100) if raw else date.today().year - 1
    if year is None:
        abort(400)
    outcome = commit_or_refuse(export_gir, current_tenant().id, year, fmt)
    if not outcome.ok:
        abort(400)
    _export, body = outcome.result
    return Response(
        body,
        mimetype=TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="gir-{year}.{fmt}"'},
    )
