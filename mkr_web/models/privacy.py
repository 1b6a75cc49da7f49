"""Personal data over its life: likely duplicates, merges of two records into one, and the
destruction batches (anonymisation approved by an admin, with its act and log extract)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, utcnow
from .documents import StoredFile
from .people import Person


class DuplicatePair(TenantScoped, db.Model):
    """Two persons of a tenant that look like one (``person_a_id < person_b_id``), with the
    matcher's score (0–100) and why. A dismissed pair is not proposed again."""

    __table_args__ = (
        tenant_fk("person_a_id", "person", "CASCADE"),
        tenant_fk("person_b_id", "person", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "person_a_id", "person_b_id"),
        sa.CheckConstraint("person_a_id < person_b_id", name="duplicate_pair_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column()
    person_b_id: Mapped[int] = mapped_column(index=True)
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200))
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_dismissed: Mapped[bool] = mapped_column(default=False)

    person_a: Mapped[Person] = relationship(
        primaryjoin="DuplicatePair.person_a_id == Person.id", foreign_keys=[person_a_id]
    )
    person_b: Mapped[Person] = relationship(
        primaryjoin="DuplicatePair.person_b_id == Person.id", foreign_keys=[person_b_id]
    )


class PersonMerge(TenantScoped, db.Model):
    """One merge: the record ``merged_id`` was folded into ``survivor_id``. ``fields`` names
    the fields taken from the merged record; ``moved`` counts the rows that changed owner."""

    __table_args__ = (tenant_fk("survivor_id", "person", "CASCADE"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(index=True)
    merged_id: Mapped[int]  # the deleted record's id (no key: the row is gone)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    moved: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    merged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


class DestructionState(enum.StrEnum):
    PROPOSED = "proposed"  # listed by the retention task, waiting for the admin
    DONE = "done"  # approved: persons anonymised, act and extract stored


class DestructionBatch(TenantScoped, db.Model):
    """Persons past retention, anonymised together once an admin approves; the act (PDF) and
    the audit log extract (XLSX) are kept as stored files."""

    __table_args__ = (
        tenant_fk("act_file_id", "stored_file", "RESTRICT"),
        tenant_fk("log_file_id", "stored_file", "RESTRICT"),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.CheckConstraint(
            "state <> 'done' OR (approved_by_id IS NOT NULL AND act_file_id IS NOT NULL)",
            name="destruction_done_has_act",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32))  # УНИЧ-2026-001
    state: Mapped[DestructionState] = mapped_column(
        enum_column(DestructionState, "state"), default=DestructionState.PROPOSED
    )
    person_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    reasons: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # person id -> why due
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    approved_on: Mapped[date | None]
    act_file_id: Mapped[int | None] = mapped_column()
    log_file_id: Mapped[int | None] = mapped_column()

    act_file: Mapped[StoredFile | None] = relationship(
        primaryjoin="DestructionBatch.act_file_id == StoredFile.id", foreign_keys=[act_file_id]
    )
    log_file: Mapped[StoredFile | None] = relationship(
        primaryjoin="DestructionBatch.log_file_id == StoredFile.id", foreign_keys=[log_file_id]
    )
