"""Who hears of each admission step (DOMAIN 9), one notice per batch and reader, never one per
child: the protocol arrives (coordinators, admins where none; the confirmation deadline starts),
all candidates are confirmed (admins), a row is returned (the organiser), candidates are
admitted or rejected (the organiser and the coordinators), the certificates are ready."""

from __future__ import annotations

import sqlalchemy as sa

from workflows.admission import CandidateState

from ..extensions import db
from ..models import AdmissionBatch, AdmissionCandidate
from .deadlines import confirmation_due_on, tell_checkers
from .notification_kinds import batch_context, fmt_date
from .notifications import admin_ids, coordinators_of, emit, organizer_ids


def organiser_ids(batch: AdmissionBatch) -> list[int]:
    ids = organizer_ids(batch.tenant_id, batch.organizer_id)
    return ids + ([batch.created_by_id] if batch.created_by_id else [])


def protocol_committed(batch: AdmissionBatch, candidates: list[AdmissionCandidate]) -> None:
    """The confirmation deadline starts; each checker hears of their candidates."""
    due_on = confirmation_due_on(batch.tenant_id)
    for c in candidates:
        c.due_on, c.due_reminded_at, c.overdue_at = due_on, None, None
    db.session.flush()
    tell_checkers(batch, "admission.arrived", candidates, due_on=fmt_date(due_on))


def resubmitted(candidate: AdmissionCandidate) -> None:
    """A fixed row goes back to its checker with a fresh deadline."""
    due_on = confirmation_due_on(candidate.tenant_id)
    candidate.due_on, candidate.due_reminded_at, candidate.overdue_at = due_on, None, None
    tell_checkers(candidate.batch, "admission.arrived", [candidate], due_on=fmt_date(due_on))


def returned(candidate: AdmissionCandidate) -> None:
    batch = candidate.batch
    emit(
        "admission.returned",
        batch.tenant_id,
        organiser_ids(batch),
        {**batch_context(batch), "row": candidate.row_no, "reason": candidate.reason or ""},
        endpoint="organizer.admission_batch",
        batch_id=batch.id,
    )


def maybe_all_confirmed(batch: AdmissionBatch) -> bool:
    """Admins hear once no row of the batch waits for a checker (none submitted or to fix)."""
    counts = dict(
        db.session.execute(
            sa.select(AdmissionCandidate.state, sa.func.count())
            .where(AdmissionCandidate.batch_id == batch.id)
            .group_by(AdmissionCandidate.state)
        ).all()
    )
    waiting = counts.get(CandidateState.SUBMITTED, 0) + counts.get(CandidateState.NEEDS_FIX, 0)
    confirmed = counts.get(CandidateState.CONFIRMED, 0)
    if waiting or not confirmed:
        return False
    emit(
        "admission.confirmed_all",
        batch.tenant_id,
        admin_ids(batch.tenant_id),
        batch_context(batch, confirmed),
        endpoint="admin.admission_batch",
        batch_id=batch.id,
    )
    return True


def tell_organiser_and_coordinators(
    batch: AdmissionBatch, kind: str, candidates: list[AdmissionCandidate], **extra
) -> None:
    """The organiser hears of every candidate; each coordinator of their municipalities'."""
    if not candidates:
        return
    emit(
        kind,
        batch.tenant_id,
        organiser_ids(batch),
        {**batch_context(batch, len(candidates)), **extra},
        endpoint="organizer.admission_batch",
        batch_id=batch.id,
    )
    by_coordinator = coordinators_of(batch.tenant_id, {c.municipality_id for c in candidates})
    for user_id, municipality_ids in by_coordinator.items():
        mine = [c for c in candidates if c.municipality_id in municipality_ids]
        emit(
            kind,
            batch.tenant_id,
            [user_id],
            {**batch_context(batch, len(mine)), **extra},
            endpoint="coordinator.admission",
            state="all",
        )
