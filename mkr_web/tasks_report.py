"""Celery task of the annual report: render its PDF into the Job's result file."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="mkr.report.render_pdf", bind=True)
def render_report_pdf(self, job_id: int) -> None:
    from .documents.report_outputs import report_filename, report_pdf
    from .documents.storage import save_bytes
    from .operations.jobs import run_job
    from .queries.report import build_report

    def work(job, progress):
        params = job.params or {}
        progress(10, "Сбор данных")
        as_of = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
        report = build_report(
            job.tenant_id, int(params["year"]), as_of, params.get("municipality_ids")
        )
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

    from .tasks import redelivered

    run_job(job_id, work, redelivered=redelivered(self))
