"""The retention schedule: persons kept past the tenant's retention are listed in one proposed
batch (nightly ``mkr.retention.propose``, or now from the admin's page); the admin approves the
batch, and its persons are anonymised in one transaction, with a destruction act (PDF) and an
extract of the audit log for those persons (XLSX), both kept as stored files."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..documents.destruction_act import act_pdf, audit_extract_xlsx
from ..documents.storage import save_bytes
from ..errors import OperationError
from ..extensions import db
from ..models import DestructionBatch, DestructionState, Person, Tenant, User
from ..models.base import utcnow
from ..queries.privacy import (
    audit_of_persons,
    open_destruction,
    persons_by_ids,
    persons_past_retention,
    retention_years,
)
from . import numbering
from .audit import record
from .privacy import anonymize_person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_PREFIX = "УНИЧ"  # destruction acts: УНИЧ-2026-001


def _next_number(tenant_id: int, year: int) -> str:
    return numbering.next_number(DestructionBatch, tenant_id, NUMBER_PREFIX, year)


def propose_retention(tenant_id: int, today: date | None = None) -> DestructionBatch | None:
    """List the persons past retention in the tenant's one proposed batch (refreshed if it
    exists); None when nobody is due and nothing is proposed."""
    today = today or date.today()
    tenant = db.session.get(Tenant, tenant_id)
    due = persons_past_retention(tenant, today)
    batch = open_destruction(tenant_id)
    if batch is None:
        if not due:
            return None
        batch = DestructionBatch(
            tenant_id=tenant_id,
            number=_next_number(tenant_id, today.year),
            state=DestructionState.PROPOSED,
            created_at=utcnow(),
        )
        db.session.add(batch)
    batch.person_ids = list(due)
    batch.reasons = {str(pid): why for pid, why in due.items()}
    db.session.flush()
    record("retention.propose", batch, tenant_id=tenant_id, persons=len(due))
    return batch


def propose_everywhere(today: date | None = None) -> dict[str, int]:
    done = {}
    for tenant_id in db.session.scalars(sa.select(Tenant.id).order_by(Tenant.id)):
        batch = propose_retention(tenant_id, today)
        done[str(tenant_id)] = len(batch.person_ids) if batch else 0
    return done


def approve_destruction(
    batch: DestructionBatch, *, user: User, today: date | None = None
) -> tuple[DestructionBatch, list]:
    """Anonymise the batch's persons (those still due), store the act and the log extract.
    Returns the batch and the paths of the deleted scans (unlinked after the commit)."""
    today = today or date.today()
    if batch.state is not DestructionState.PROPOSED:
        raise OperationError("Этот акт уже утверждён.")
    tenant = db.session.get(Tenant, batch.tenant_id)
    due = persons_past_retention(tenant, today)
    persons = [p for p in persons_by_ids(batch.tenant_id, batch.person_ids) if p.id in due]
    if not persons:
        raise OperationError("В списке нет людей, чей срок хранения истёк: обновите список.")
    paths = []
    for person in persons:
        paths += anonymize_person(person, any_status=True, reason="retention")
    ids = [p.id for p in persons]
    entries = audit_of_persons(batch.tenant_id, ids)
    log_name = f"{batch.number}-журнал.xlsx"
    log = save_bytes(
        batch.tenant_id, "destruction_log", log_name, audit_extract_xlsx(entries), XLSX, user.id
    )
    act = save_bytes(
        batch.tenant_id,
        "destruction_act",
        f"{batch.number}-акт.pdf",
        act_pdf(
            number=batch.number,
            approved_on=today,
            operator=tenant.operator_name or tenant.name,
            tenant_name=tenant.name,
            count=len(ids),
            record_numbers=", ".join(map(str, ids)),
            reasons=[(pid, due[pid]) for pid in ids],
            retention_years=retention_years(tenant),
            approver=user.full_name or user.email,
            log_name=log_name,
            log_count=len(entries),
        ),
        "application/pdf",
        user.id,
    )
    batch.person_ids = ids
    batch.reasons = {str(pid): due[pid] for pid in ids}
    batch.state = DestructionState.DONE
    batch.approved_by_id, batch.approved_on = user.id, today
    batch.act_file, batch.log_file = act, log
    db.session.flush()
    record("retention.destroy", batch, tenant_id=batch.tenant_id, persons=len(ids), user=user)
    return batch, paths


__all__ = ["Person", "approve_destruction", "propose_everywhere", "propose_retention"]
