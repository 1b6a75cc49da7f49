"""Reads of the personal-data life: a person's merges (the card), duplicate pairs (the admin's
page), destruction batches and persons past retention."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from workflows.consent import ConsentPurpose, add_years
from workflows.lifecycle import PersonStatus

from ..extensions import db
from ..models import (
    AuditEntry,
    Consent,
    DestructionBatch,
    DestructionState,
    Person,
    Tenant,
)
from .consents import holds_clause


def retention_years(tenant: Tenant) -> int:
    return int(tenant.setting("retention_years"))


def persons_past_retention(tenant: Tenant, today: date) -> dict[int, str]:
    """``{person id: why}``: persons kept longer than the tenant's retention after leaving
    the programme (partner or excluded since) or after withdrawing their consent to
    processing (with no valid consent since). Anonymised persons are done already."""
    years = retention_years(tenant)
    limit = add_years(today, -years)
    out: dict[int, str] = {}
    left = db.session.execute(
        sa.select(Person.id, Person.status_since)
        .where(
            Person.tenant_id == tenant.id,
            Person.is_anonymized.is_(False),
            Person.status.in_([PersonStatus.ALUMNI, PersonStatus.EXCLUDED]),
            Person.status_since <= limit,
        )
        .order_by(Person.id)
    ).all()
    for pid, since in left:
        out[pid] = f"вышел из программы {since:%d.%m.%Y}"
    withdrawn = db.session.execute(
        sa.select(Consent.person_id, sa.func.max(Consent.withdrawn_on))
        .join(Person, Person.id == Consent.person_id)
        .where(
            Consent.tenant_id == tenant.id,
            Person.is_anonymized.is_(False),
            Consent.covers_processing.is_(True),
            Consent.withdrawn_on.is_not(None),
            ~holds_clause(ConsentPurpose.PROCESSING, today),
        )
        .group_by(Consent.person_id)
        .having(sa.func.max(Consent.withdrawn_on) <= limit)
        .order_by(Consent.person_id)
    ).all()
    for pid, on in withdrawn:
        out.setdefault(pid, f"согласие отозвано {on:%d.%m.%Y}")
    return dict(sorted(out.items()))


def open_destruction(tenant_id: int) -> DestructionBatch | None:
    return db.session.execute(
        sa.select(DestructionBatch).where(
            DestructionBatch.tenant_id == tenant_id,
            DestructionBatch.state == DestructionState.PROPOSED,
        )
    ).scalar_one_or_none()


def destruction_batches(tenant_id: int) -> sa.Select:
    """The admin's list of acts, newest first."""
    return (
        sa.select(DestructionBatch)
        .where(DestructionBatch.tenant_id == tenant_id)
        .order_by(DestructionBatch.created_at.desc(), DestructionBatch.id.desc())
    )


def persons_by_ids(tenant_id: int, ids) -> list[Person]:
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.tenant_id == tenant_id, Person.id.in_(list(ids)))
            .order_by(Person.id)
        )
    )


def audit_of_persons(tenant_id: int, ids) -> list[AuditEntry]:
    """Every audit entry about these persons (the destruction act's log extract)."""
    ids = list(ids)
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .options(sa.orm.joinedload(AuditEntry.user))
            .where(
                AuditEntry.tenant_id == tenant_id,
                AuditEntry.object_type == "Person",
                AuditEntry.object_id.in_(ids),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def linked_counts(person_ids) -> dict[int, dict[str, int]]:
    """What hangs on each record (the merge page): status changes, consents, achievements,
    participations, placements."""
    from ..models import Achievement, Participation, PersonStatusChange, Placement

    ids = list(person_ids)
    out = {pid: {} for pid in ids}
    for name, model in (
        ("statuses", PersonStatusChange),
        ("consents", Consent),
        ("achievements", Achievement),
        ("participations", Participation),
        ("placements", Placement),
    ):
        counts = dict(
            db.session.execute(
                sa.select(model.person_id, sa.func.count())
                .where(model.person_id.in_(ids))
                .group_by(model.person_id)
            ).all()
        )
        for pid in ids:
            out[pid][name] = counts.get(pid, 0)
    return out
