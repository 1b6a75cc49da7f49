"""Admission of winners: results protocols (batches) and their candidate rows."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.admission import CandidateState

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, utcnow
from .events import EventEdition, ParticipationRole
from .people import Person
from .tenancy import Municipality, Organization


class AdmissionBatch(TenantScoped, db.Model):
    """One accredited edition's results protocol, submitted for admission."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("edition_id", "event_edition", "RESTRICT"),
        tenant_fk("organizer_id", "organization", "SET NULL"),
        sa.UniqueConstraint("tenant_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30))  # ПРОТ-2019-004
    edition_id: Mapped[int] = mapped_column(index=True)
    organizer_id: Mapped[int | None] = mapped_column()
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    edition: Mapped[EventEdition] = relationship(
        primaryjoin="AdmissionBatch.edition_id == EventEdition.id", foreign_keys=[edition_id]
    )
    candidates: Mapped[list[AdmissionCandidate]] = relationship(
        primaryjoin="AdmissionBatch.id == AdmissionCandidate.batch_id",
        foreign_keys="AdmissionCandidate.batch_id",
        back_populates="batch",
        order_by="AdmissionCandidate.row_no",
    )


class MatchKind(enum.StrEnum):
    NEW = "new"  # no such person in the bank
    EXISTING = "existing"  # same normalised name + birth date, not an active Resident
    ACTIVE_RESIDENT = "active_resident"  # already a Resident: recorded as an achievement
    NEAR = "near"  # similar persons exist: a human decides


class AdmissionCandidate(TenantScoped, db.Model):
    __table_args__ = (
        tenant_fk("batch_id", "admission_batch", "CASCADE"),
        tenant_fk("consent_id", "consent", "SET NULL"),
        tenant_fk("municipality_id", "municipality", "RESTRICT"),
        tenant_fk("organization_id", "organization", "SET NULL"),
        tenant_fk("person_id", "person", "SET NULL"),
        sa.UniqueConstraint("tenant_id", "batch_id", "row_no"),
        sa.Index("ix_candidate_tenant_state_muni", "tenant_id", "state", "municipality_id"),
        sa.Index("ix_candidate_due", "state", "due_on"),
        sa.Index("ix_candidate_batch_state", "batch_id", "state"),
        sa.CheckConstraint(
            "state <> 'needs_fix' OR reason IS NOT NULL", name="needs_fix_has_reason"
        ),
        sa.CheckConstraint(
            "state NOT IN ('admitted', 'rejected') OR decided_by_id IS NOT NULL",
            name="decided_has_decider",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column()
    row_no: Mapped[int]
    surname: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(100))
    patronymic: Mapped[str | None] = mapped_column(sa.String(100))
    birth_on: Mapped[date]
    organization_id: Mapped[int | None] = mapped_column()
    organization_name: Mapped[str] = mapped_column(sa.String(300))
    grade: Mapped[str | None] = mapped_column(sa.String(40))
    municipality_id: Mapped[int] = mapped_column()
    result: Mapped[ParticipationRole] = mapped_column(enum_column(ParticipationRole, "result"))
    place: Mapped[int | None]
    section: Mapped[str | None] = mapped_column(sa.String(300))
    parent_contact: Mapped[str | None] = mapped_column(sa.String(300))
    snils: Mapped[str | None] = mapped_column(sa.String(11))  # digits, optional
    is_student: Mapped[bool] = mapped_column(default=False)
    person_id: Mapped[int | None] = mapped_column()
    match: Mapped[MatchKind] = mapped_column(enum_column(MatchKind, "match"), default=MatchKind.NEW)
    state: Mapped[CandidateState] = mapped_column(
        enum_column(CandidateState, "state"), default=CandidateState.SUBMITTED
    )
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    consent_id: Mapped[int | None] = mapped_column()
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]  # when the decision was recorded
    decided_on: Mapped[date | None]  # the date it takes effect (DOMAIN 8.4)
    # The coordinator's deadline (tenant setting ``confirmation_days`` from the protocol);
    # the beat task reminds three days before and marks it overdue once.
    due_on: Mapped[date | None]
    due_reminded_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    batch: Mapped[AdmissionBatch] = relationship(
        primaryjoin="AdmissionCandidate.batch_id == AdmissionBatch.id",
        foreign_keys=[batch_id],
        back_populates="candidates",
    )
    person: Mapped[Person | None] = relationship(
        primaryjoin="AdmissionCandidate.person_id == Person.id", foreign_keys=[person_id]
    )
    municipality: Mapped[Municipality] = relationship(
        primaryjoin="AdmissionCandidate.municipality_id == Municipality.id",
        foreign_keys=[municipality_id],
    )
    organization: Mapped[Organization | None] = relationship(
        primaryjoin="AdmissionCandidate.organization_id == Organization.id",
        foreign_keys=[organization_id],
    )
