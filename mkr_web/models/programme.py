"""Programme records: opportunities and placements, publications, partnerships."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key
from .people import Person
from .tenancy import Organization


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
    __table_args__ = (
        tenant_key(),
        tenant_fk("partner_id", "organization", "SET NULL"),
        sa.Index("ix_opportunity_tenant_year", "tenant_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind, "kind"))
    title: Mapped[str] = mapped_column(sa.String(300))
    partner_id: Mapped[int | None] = mapped_column()
    year: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    partner: Mapped[Organization | None] = relationship(
        primaryjoin="Opportunity.partner_id == Organization.id", foreign_keys=[partner_id]
    )


class Placement(TenantScoped, db.Model):
    """A Resident placed on an opportunity (criterion 5)."""

    __table_args__ = (
        tenant_fk("nomination_id", "nomination", "SET NULL"),
        tenant_fk("opportunity_id", "opportunity", "CASCADE"),
        tenant_fk("person_id", "person", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "opportunity_id", "person_id"),
        sa.Index("ix_placement_tenant_on", "tenant_id", "placed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column()
    person_id: Mapped[int] = mapped_column(index=True)
    placed_on: Mapped[date]
    nomination_id: Mapped[int | None] = mapped_column()

    opportunity: Mapped[Opportunity] = relationship(
        primaryjoin="Placement.opportunity_id == Opportunity.id", foreign_keys=[opportunity_id]
    )
    person: Mapped[Person] = relationship(
        primaryjoin="Placement.person_id == Person.id", foreign_keys=[person_id]
    )


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
        tenant_fk("organization_id", "organization", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "organization_id"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column()
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(500))

    organization: Mapped[Organization] = relationship(
        primaryjoin="Partnership.organization_id == Organization.id", foreign_keys=[organization_id]
    )
