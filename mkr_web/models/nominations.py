"""Nominations by coordinators (reviewed like accreditation applications)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.review import ReviewState

from .base import TenantScoped, db, enum_column, utcnow
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
    number: Mapped[str] = mapped_column(sa.String(30))  # ВЫДВ-2019-012
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
