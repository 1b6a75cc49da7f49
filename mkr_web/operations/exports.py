"""Job bodies of the large exports (see :func:`.jobs.run_job`): the registry's current filter as
XLSX/CSV, and the annual report's PDF. Each stores its file and returns it."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from ..documents.registry_export import EXPORT_TYPES, registry_file
from ..documents.report_outputs import report_filename, report_pdf
from ..documents.storage import save_bytes
from ..extensions import db
from ..models import Job, Membership, StoredFile
from ..queries.people import RegistryFilter, export_select
from .report_snapshot import report_for

PROGRESS_EVERY = 5000
REGISTRY_JOB, REGISTRY_TASK = "registry_export", "mkr.registry.export"
REPORT_PDF_JOB, REPORT_PDF_TASK = "report_pdf", "mkr.report.render_pdf"


def registry_filename(fmt: str) -> str:
    return f"registry-{date.today():%Y%m%d}.{fmt}"


def export_registry(job: Job, progress) -> StoredFile:
    """The registry rows the job's membership may see under the job's filter, as one file."""
    membership = db.session.get(Membership, job.params["membership_id"])
    if membership is None or membership.tenant_id != job.tenant_id:
        raise LookupError("membership gone")
    fmt = job.params["format"]
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

    return save_bytes(
        job.tenant_id,
        "export",
        registry_filename(fmt),
        registry_file(fmt, counted()),
        EXPORT_TYPES[fmt],
        job.created_by_id,
    )


def render_report_pdf(job: Job, progress) -> StoredFile:
    """The annual report of ``job.params`` (year, as_of, municipality_ids) as a PDF."""
    params = job.params or {}
    progress(10, "Сбор данных")
    as_of = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    report = report_for(job.tenant_id, int(params["year"]), as_of, params.get("municipality_ids"))
    progress(40, "Вёрстка PDF")
    data = report_pdf(report)
    progress(90, "Сохранение файла")
    return save_bytes(
        job.tenant_id,
        "report",
        report_filename(report, "pdf"),
        data,
        "application/pdf",
        job.created_by_id,
    )
