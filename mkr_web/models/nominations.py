"""Nominations by coordinators (reviewed like accreditation applications)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.review import ReviewState

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, tenant_link, utcnow
from .documents import StoredFile
from .people import Person
from .programme import Opportunity
from .tenancy import Municipality


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


nomination_file = tenant_link(
    "nomination_file", ("nomination_id", "nomination"), ("file_id", "stored_file")
)


class Nomination(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        tenant_fk("municipality_id", "municipality", "RESTRICT"),
        tenant_fk("opportunity_id", "opportunity", "RESTRICT"),
        tenant_fk("person_id", "person", "CASCADE"),
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
    number: Mapped[str] = mapped_column(sa.String(30))  # ВЫДВ-2019-012
    kind: Mapped[NominationKind] = mapped_column(enum_column(NominationKind, "kind"))
    person_id: Mapped[int] = mapped_column(index=True)
    municipality_id: Mapped[int] = mapped_column()
    opportunity_id: Mapped[int | None] = mapped_column()
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

    person: Mapped[Person] = relationship(
        primaryjoin="Nomination.person_id == Person.id", foreign_keys=[person_id]
    )
    municipality: Mapped[Municipality] = relationship(
        primaryjoin="Nomination.municipality_id == Municipality.id", foreign_keys=[municipality_id]
    )
    opportunity: Mapped[Opportunity | None] = relationship(
        primaryjoin="Nomination.opportunity_id == Opportunity.id", foreign_keys=[opportunity_id]
    )
    files: Mapped[list[StoredFile]] = relationship(secondary=nomination_file)
