"""Sending stored files, and certificates that may still have to be rendered by a worker."""

from __future__ import annotations

from flask import redirect, send_file, url_for
from flask_login import current_user

from .models import CertificateKind, Job, StoredFile
from .operations import certificates
from .operations.jobs import start_job, unfinished_job

CERTIFICATE_JOB = "certificate"


def send_stored(stored: StoredFile, download_name: str | None = None):
    from .documents.storage import absolute_path

    return send_file(
        absolute_path(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=download_name or stored.filename,
        max_age=0,
    )


def start_certificate_job(tenant_id: int, kind: CertificateKind, subject_id: int) -> Job:
    """Number and render the certificate in a worker; reuses this user's unfinished job (a
    double click), but not a stuck one."""
    from .tasks_events import render_certificate

    key = f"{kind.value}:{subject_id}"
    job = unfinished_job(tenant_id, CERTIFICATE_JOB, key, current_user.id)
    if job is not None:
        return job
    return start_job(
        tenant_id,
        CERTIFICATE_JOB,
        task=render_certificate,
        key=key,
        user_id=current_user.id,
        params={"kind": kind.value, "subject_id": subject_id},
    )


def certificate_response(tenant_id: int, kind: CertificateKind, subject_id: int):
    """The PDF if it is ready, else the progress page of the job that renders it."""
    cert = certificates.find(kind, subject_id)
    if cert is not None and cert.file is not None:
        return send_stored(cert.file, certificates.certificate_type(kind).filename(cert))
    job = start_certificate_job(tenant_id, kind, subject_id)
    return redirect(url_for("auth.job", job_id=job.id))
