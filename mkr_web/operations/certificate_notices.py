"""Who hears that a certificate is ready (DOMAIN 9): an accreditation certificate's organiser;
a Resident's certificate goes to the organiser of the protocol that admitted the person, or to
the coordinator whose nomination did; a batch's certificates to its organiser and
coordinators."""

from __future__ import annotations

import sqlalchemy as sa

from workflows.admission import CandidateState
from workflows.review import ReviewState

from ..extensions import db
from ..models import (
    AccreditationApplication,
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    Nomination,
    NominationKind,
)
from .admission_notices import organiser_ids, tell_organiser_and_coordinators
from .notifications import emit


def certificate_ready(cert: Certificate) -> None:
    if cert.kind is CertificateKind.ACCREDITATION:
        from .accreditation import notify_organizer

        application = db.session.get(AccreditationApplication, cert.subject_id)
        if application is not None:
            notify_organizer(
                application, "accreditation.certificate_ready", certificate=cert.number
            )
        return
    batch = db.session.scalars(
        sa.select(AdmissionBatch)
        .join(AdmissionCandidate, AdmissionCandidate.batch_id == AdmissionBatch.id)
        .where(
            AdmissionCandidate.person_id == cert.subject_id,
            AdmissionCandidate.state == CandidateState.ADMITTED,
        )
        .order_by(AdmissionCandidate.decided_at.desc())
        .limit(1)
    ).first()
    if batch is not None:
        emit(
            "certificate.resident_ready",
            cert.tenant_id,
            organiser_ids(batch),
            {"certificate": cert.number},
            endpoint="organizer.admission_batch",
            batch_id=batch.id,
        )
        return
    nomination = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.person_id == cert.subject_id,
            Nomination.kind == NominationKind.ADMISSION,
            Nomination.state == ReviewState.APPROVED,
        )
        .order_by(Nomination.id.desc())
        .limit(1)
    ).first()
    if nomination is not None and nomination.created_by_id:
        emit(
            "certificate.resident_ready",
            cert.tenant_id,
            [nomination.created_by_id],
            {"certificate": cert.number},
            endpoint="coordinator.nomination_detail",
            nomination_id=nomination.id,
        )


def batch_certificates_ready(batch: AdmissionBatch, person_ids: list[int]) -> None:
    candidates = [
        c
        for c in batch.candidates
        if c.state is CandidateState.ADMITTED and c.person_id in set(person_ids)
    ]
    tell_organiser_and_coordinators(batch, "admission.certificates_ready", candidates)


__all__ = ["batch_certificates_ready", "certificate_ready"]
