"""Tenants (regional programmes) and their reference data: municipalities, organisations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, utcnow

DEFAULT_SETTINGS = {
    "min_experts": 2,
    "expiry_notice_days": 60,
    "review_days": 14,  # an expert's deadline, from assignment
    "confirmation_days": 10,
    "consent_years": 5,  # a consent lasts until 18 plus this many years (workflows.consent)
    "retention_years": 3,  # kept this long after leaving the programme or withdrawing consent  # a coordinator's deadline, from the results protocol
    "thresholds": {
        "1": 75,  # new Residents a year
        "3": 2,  # new partner organisations a year
        "4_events": 10,  # satellite events a year
        "4_participants": 650,  # satellite participants a year
        "5": 50,  # distinct Residents with a placement
        "6": 5,  # publications a year
    },
}


class Tenant(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    operator_name: Mapped[str | None] = mapped_column(sa.String(300))
    signatory: Mapped[str | None] = mapped_column(sa.String(200))
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="tenant", order_by="Municipality.sort_order"
    )

    def setting(self, key: str):
        value = (self.settings or {}).get(key)
        return DEFAULT_SETTINGS.get(key) if value is None else value

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class MunicipalityKind(enum.StrEnum):
    DISTRICT = "district"  # район
    CITY = "city"  # город
    CITY_OKRUG = "city_okrug"  # городской округ
    ZATO = "zato"  # ЗАТО
    OTHER_REGION = "other_region"  # a place outside the tenant's region


class Municipality(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("tenant_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MunicipalityKind] = mapped_column(enum_column(MunicipalityKind, "kind"))
    sort_order: Mapped[int] = mapped_column(default=0)
    # other spellings and former names, matched like the name (DOMAIN 8.5)
    aliases: Mapped[list | None] = mapped_column(sa.JSON, default=list)
    # retired: kept for the rows behind it and history, no longer offered for new rows
    is_retired: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    tenant: Mapped[Tenant] = relationship(back_populates="municipalities")

    @property
    def is_other_region(self) -> bool:
        return self.kind is MunicipalityKind.OTHER_REGION

    def __str__(self) -> str:
        return self.name


class OrganizationKind(enum.StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    UNIVERSITY = "university"
    SUPPLEMENTARY = "supplementary"  # дополнительное образование
    AUTHORITY = "authority"
    BUSINESS = "business"
    NGO = "ngo"
    OTHER = "other"

    @property
    def title_ru(self) -> str:
        return {
            "school": "Общеобразовательная организация",
            "college": "Колледж, техникум",
            "university": "Вуз",
            "supplementary": "Дополнительное образование",
            "authority": "Орган власти",
            "business": "Бизнес",
            "ngo": "НКО",
            "other": "Другое",
        }[self.value]


class Organization(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        tenant_fk("municipality_id", "municipality", "RESTRICT"),
        sa.UniqueConstraint("tenant_id", "name"),
        sa.Index("ix_organization_tenant_municipality", "tenant_id", "municipality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind, "kind"))
    municipality_id: Mapped[int | None] = mapped_column()
    is_regional_subordination: Mapped[bool] = mapped_column(default=False)
    # other spellings and former names (a merged organisation's name lands here)
    aliases: Mapped[list | None] = mapped_column(sa.JSON, default=list)

    municipality: Mapped[Municipality | None] = relationship(
        primaryjoin="Organization.municipality_id == Municipality.id",
        foreign_keys=[municipality_id],
    )

    def __str__(self) -> str:
        return self.name
