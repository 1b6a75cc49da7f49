"""Resident certificates: admission queues one per new Resident (DOMAIN 4.2) through the
generic certificate machinery (:mod:`.certificates`: kind ``resident``, subject = the person's
id, so a person has one number however often it is asked for), and a batch's certificates are
rendered by one job into one ZIP file.

Jobs are committed before their Celery task is sent (:func:`.jobs.start_job`); call these
after the request's commit.
"""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from workflows.admission import CandidateState

from ..documents.storage import read_bytes, save_bytes
from ..errors import OperationError
from ..extensions import db
from ..models import (
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    Job,
    MatchKind,
    Person,
    StoredFile,
)
from . import certificates
from .jobs import start_or_reuse_job

BATCH_JOB = "resident_certificates"  # a batch's certificates as one ZIP
BATCH_TASK = "mkr.admission.render_certificates"
K = CertificateKind.RESIDENT


def queue_one(tenant_id: int, person_id: int, *, user_id: int | None) -> Job:
    """Number and render one person's certificate in a worker (reuses an unfinished job)."""
    return certificates.queue_certificate(tenant_id, K, person_id, user_id=user_id)


def batch_person_ids(batch: AdmissionBatch) -> list[int]:
    """The persons this batch made Residents (not those already Residents: theirs was an
    achievement), in protocol order."""
    return list(
        db.session.scalars(
            sa.select(AdmissionCandidate.person_id)
            .where(
                AdmissionCandidate.batch_id == batch.id,
                AdmissionCandidate.state == CandidateState.ADMITTED,
                AdmissionCandidate.person_id.is_not(None),
                AdmissionCandidate.match != MatchKind.ACTIVE_RESIDENT,
            )
            .order_by(AdmissionCandidate.row_no)
        )
    )


def issued_count(person_ids: list[int]) -> int:
    if not person_ids:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.kind == K, Certificate.subject_id.in_(person_ids))
        )
        or 0
    )


def start_batch_job(batch: AdmissionBatch, *, user_id: int | None) -> Job:
    """One job for the batch's certificates; reuses this user's unfinished one."""
    if not batch_person_ids(batch):
        raise OperationError(
            "В протоколе нет кандидатов, включённых в банк: свидетельства выдавать некому."
        )
    return start_or_reuse_job(
        batch.tenant_id,
        BATCH_JOB,
        task=BATCH_TASK,
        key=f"batch:{batch.id}",
        user_id=user_id,
        params={"batch_id": batch.id},
    )


def latest_batch_job(batch: AdmissionBatch) -> Job | None:
    return db.session.execute(
        sa.select(Job)
        .where(
            Job.tenant_id == batch.tenant_id, Job.kind == BATCH_JOB, Job.key == f"batch:{batch.id}"
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def zip_entry_name(cert) -> str:
    """``РЕЗ-2026-001 Иванов И.И.pdf``: the number and whose it is, for the person who prints
    and hands them out (a ZIP names entries in UTF-8)."""
    person = db.session.get(Person, cert.subject_id)
    who = ""
    if person is not None and person.surname:
        letters = "".join(
            f"{p.strip()[0].upper()}." for p in (person.name, person.patronymic) if p and p.strip()
        )
        who = " " + " ".join(x for x in (person.surname.strip(), letters) if x)
    name = f"{cert.number}{who}".rstrip(".") + ".pdf"
    return "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name)


def render_batch(job: Job, progress) -> StoredFile:
    """A job's work (see :func:`.jobs.run_job`): number and render every certificate of the
    batch that has no file yet, then pack them all into one ZIP. Each number is committed as
    soon as it is taken, so a retry (or a second run) reuses it."""
    params = job.params or {}
    batch = db.session.get(AdmissionBatch, int(params["batch_id"]))
    if batch is None or batch.tenant_id != job.tenant_id:
        raise OperationError("Протокол не найден.")
    person_ids = batch_person_ids(batch)
    total = len(person_ids)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, person_id in enumerate(person_ids, start=1):
            cert = certificates.issue(job.tenant_id, K, person_id)
            db.session.commit()
            if cert.file is None:
                certificates.render(cert, certificates.verify_url(cert.code))
                db.session.commit()
            zf.writestr(zip_entry_name(cert), read_bytes(cert.file))
            progress(int(95 * i / total), f"Готово свидетельств: {i} из {total}")
    stored = save_bytes(
        job.tenant_id,
        "certificates_zip",
        f"certificates-{batch.number}.zip",
        buf.getvalue(),
        "application/zip",
        job.created_by_id,
    )
    from .certificate_notices import batch_certificates_ready

    batch_certificates_ready(batch, person_ids)
    db.session.commit()
    return stored
