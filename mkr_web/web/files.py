"""Sending stored files, and certificates that may still have to be rendered by a worker."""

from __future__ import annotations

from flask import abort, redirect, request, send_file, url_for
from flask_login import current_user

from workflows.review import ReviewState

from ..documents.storage import absolute_path
from ..models import AccreditationApplication, CertificateKind, Job, StoredFile
from ..operations import certificates

CERTIFIED = (ReviewState.ACCREDITED, ReviewState.EXPIRED)


def send_stored(stored: StoredFile, download_name: str | None = None):
    return send_file(
        absolute_path(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=download_name or stored.filename,
        max_age=0,
    )


def start_certificate_job(tenant_id: int, kind: CertificateKind, subject_id: int) -> Job:
    """Number and render the certificate in a worker (reusing this user's unfinished job)."""
    return certificates.queue_certificate(
        tenant_id, kind, subject_id, user_id=current_user.id, base_url=request.url_root
    )


def certificate_response(tenant_id: int, kind: CertificateKind, subject_id: int):
    """The PDF if it is ready, else the progress page of the job that renders it."""
    cert = certificates.find(kind, subject_id)
    if cert is not None and cert.file is not None:
        return send_stored(cert.file, certificates.certificate_type(kind).filename(cert))
    job = start_certificate_job(tenant_id, kind, subject_id)
    return redirect(url_for("auth.job", job_id=job.id))


def regulation_response(application: AccreditationApplication):
    """An accreditation application's regulation PDF, or 404 when it has none."""
    if application.regulation_file is None:
        abort(404)
    return send_stored(application.regulation_file)


def accreditation_certificate_response(application: AccreditationApplication):
    """The certificate of an accredited (or expired) application; 404 before that."""
    if application.state not in CERTIFIED:
        abort(404)
    return certificate_response(
        application.tenant_id, CertificateKind.ACCREDITATION, application.id
    )
