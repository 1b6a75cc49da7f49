"""Admission of winners (batches and candidate rows), nominations, certificates."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.admission import CandidateState
from workflows.review import ReviewState

from .base import TenantScoped, db, enum_column, utcnow
from .documents import StoredFile
from .events import EventEdition, ParticipationRole
from .people import Person
from .tenancy import Municipality, Organization


class AdmissionBatch(TenantScoped, db.Model):
    """One accredited edition's results protocol, submitted for admission."""

    __table_args__ = (sa.UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30))  # ADM-2019-004
    edition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_edition.id", ondelete="RESTRICT"), index=True
    )
    organizer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL")
    )
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    edition: Mapped[EventEdition] = relationship()
    candidates: Mapped[list[AdmissionCandidate]] = relationship(
        back_populates="batch", order_by="AdmissionCandidate.row_no"
    )


class MatchKind(enum.StrEnum):
    NEW = "new"  # no such person in the bank
    EXISTING = "existing"  # same normalised name + birth date, not an active Resident
    ACTIVE_RESIDENT = "active_resident"  # already a Resident: recorded as an achievement
    NEAR = "near"  # similar persons exist: a human decides


class AdmissionCandidate(TenantScoped, db.Model):
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "row_no"),
        sa.Index("ix_candidate_tenant_state_muni", "tenant_id", "state", "municipality_id"),
        sa.CheckConstraint(
            "state <> 'needs_fix' OR reason IS NOT NULL", name="needs_fix_has_reason"
        ),
        sa.CheckConstraint(
            "state NOT IN ('admitted', 'rejected') OR decided_by_id IS NOT NULL",
            name="decided_has_decider",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("admission_batch.id", ondelete="CASCADE"))
    row_no: Mapped[int]
    surname: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(100))
    patronymic: Mapped[str | None] = mapped_column(sa.String(100))
    birth_on: Mapped[date]
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL")
    )
    organization_name: Mapped[str] = mapped_column(sa.String(300))
    grade: Mapped[str | None] = mapped_column(sa.String(40))
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="RESTRICT")
    )
    result: Mapped[ParticipationRole] = mapped_column(enum_column(ParticipationRole, "result"))
    place: Mapped[int | None]
    section: Mapped[str | None] = mapped_column(sa.String(300))
    parent_contact: Mapped[str | None] = mapped_column(sa.String(300))
    is_student: Mapped[bool] = mapped_column(default=False)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"))
    match: Mapped[MatchKind] = mapped_column(enum_column(MatchKind, "match"), default=MatchKind.NEW)
    state: Mapped[CandidateState] = mapped_column(
        enum_column(CandidateState, "state"), default=CandidateState.SUBMITTED
    )
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    consent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consent.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    batch: Mapped[AdmissionBatch] = relationship(back_populates="candidates")
    person: Mapped[Person | None] = relationship()
    municipality: Mapped[Municipality] = relationship()
    organization: Mapped[Organization | None] = relationship()


class NominationKind(enum.StrEnum):
    ADMISSION = "admission"  # (a) individual achievements outside accredited events
    POTENTIAL = "potential"  # (b) potential-resident status
    OPPORTUNITY = "opportunity"  # (c) an internship, profile shift, expert role

    @property
    def title_ru(self) -> str:
        return {
            "admission": "Включение по индивидуальным достижениям",
            "potential": "Статус потенциального резидента",
            "opportunity": "Возможность (стажировка, смена, экспертная роль)",
        }[self.value]


nomination_file = sa.Table(
    "nomination_file",
    db.metadata,
    sa.Column(
        "nomination_id", sa.ForeignKey("nomination.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("file_id", sa.ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True),
)


class Nomination(TenantScoped, db.Model):
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "number"),
        sa.Index("ix_nomination_tenant_state", "tenant_id", "state"),
        sa.CheckConstraint(
            "state NOT IN ('approved', 'rejected') OR decided_by_id IS NOT NULL",
            name="decided_has_decider",
        ),
        sa.CheckConstraint(
            "kind <> 'opportunity' OR opportunity_id IS NOT NULL", name="opportunity_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30))  # NOM-2019-012
    kind: Mapped[NominationKind] = mapped_column(enum_column(NominationKind, "kind"))
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="RESTRICT")
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("opportunity.id", ondelete="RESTRICT")
    )
    achievement_level: Mapped[str | None] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState, "state"), default=ReviewState.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship()
    municipality: Mapped[Municipality] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()
    files: Mapped[list[StoredFile]] = relationship(secondary=nomination_file)


class OpportunityKind(enum.StrEnum):
    INTERNSHIP = "internship"
    PRACTICE = "practice"
    PROFILE_SHIFT = "profile_shift"
    EXPERT_ROLE = "expert_role"

    @property
    def title_ru(self) -> str:
        return {
            "internship": "Стажировка",
            "practice": "Практика",
            "profile_shift": "Профильная смена",
            "expert_role": "Экспертная роль",
        }[self.value]


class Opportunity(TenantScoped, db.Model):
    __table_args__ = (sa.Index("ix_opportunity_tenant_year", "tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind, "kind"))
    title: Mapped[str] = mapped_column(sa.String(300))
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL")
    )
    year: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    partner: Mapped[Organization | None] = relationship()


class Placement(TenantScoped, db.Model):
    """A Resident placed on an opportunity (criterion 5)."""

    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "person_id"),
        sa.Index("ix_placement_tenant_on", "tenant_id", "placed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    placed_on: Mapped[date]
    nomination_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nomination.id", ondelete="SET NULL")
    )

    opportunity: Mapped[Opportunity] = relationship()
    person: Mapped[Person] = relationship()


class OutletKind(enum.StrEnum):
    PARTNER_SITE = "partner_site"
    NEWS_AGENCY = "news_agency"

    @property
    def title_ru(self) -> str:
        return {
            "partner_site": "Сайт учредителя или партнёра",
            "news_agency": "Информационное агентство",
        }[self.value]


class Publication(TenantScoped, db.Model):
    """Criterion 6."""

    __table_args__ = (sa.Index("ix_publication_tenant_on", "tenant_id", "published_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    outlet: Mapped[str] = mapped_column(sa.String(300))
    outlet_kind: Mapped[OutletKind] = mapped_column(enum_column(OutletKind, "outlet_kind"))
    published_on: Mapped[date]


class Partnership(TenantScoped, db.Model):
    """An organisation's partnership with the programme (criterion 3)."""

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "organization_id"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE")
    )
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(500))

    organization: Mapped[Organization] = relationship()


class CertificateKind(enum.StrEnum):
    RESIDENT = "resident"
    ACCREDITATION = "accreditation"


class Certificate(TenantScoped, db.Model):
    """A numbered certificate; ``code`` is the unguessable key of ``/verify/<code>``."""

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "number"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "kind"))
    subject_id: Mapped[int]  # person id (resident) or application id (accreditation)
    number: Mapped[str] = mapped_column(sa.String(30))
    code: Mapped[str] = mapped_column(sa.String(40))
    issued_on: Mapped[date]
    file_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[StoredFile | None] = relationship()
