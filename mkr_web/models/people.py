"""Persons of the bank, their status history, consents, achievements and own projects."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.consent import ConsentPurpose, holds
from workflows.lifecycle import PersonStatus

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, utcnow
from .documents import StoredFile
from .tenancy import Municipality, Organization


def normalize_name(*parts: str | None) -> str:
    """Lower case, ё→е, single spaces: the key for search and for matching persons."""
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return " ".join(text.lower().replace("ё", "е").split())


#: What the registry's sorts read of a person beside the filter's columns (the id, then each
#: sort's keys: ``queries/people.py`` SORTS).
REGISTRY_SORT_COLUMNS = ["id", "search_name", "birth_on", "updated_at"]


class Person(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        tenant_fk("admission_edition_id", "event_edition", "SET NULL"),
        tenant_fk("municipality_id", "municipality", "SET NULL"),
        tenant_fk("organization_id", "organization", "SET NULL"),
        # the registry's sorts (name, status, updated; birth and admission below): each page is
        # a range of one of these, whatever its depth (queries/people.py, keyset)
        sa.Index("ix_person_tenant_status_name", "tenant_id", "status", "search_name", "id"),
        sa.Index("ix_person_tenant_name", "tenant_id", "search_name", "id"),
        sa.Index("ix_person_tenant_updated", "tenant_id", "updated_at", "id"),
        sa.Index("ix_person_tenant_municipality", "tenant_id", "municipality_id"),
        # the coordinator's dashboard: "has this municipality an active Resident?" (EXISTS);
        # the registry filtered by municipality, status and year of admission: a range of it,
        # which on PostgreSQL also holds every sort's key and the id, so a filtered page sorts
        # its matches without reading them from the table (an index-only scan)
        sa.Index(
            "ix_person_tenant_municipality_status",
            "tenant_id",
            "municipality_id",
            "status",
            "admission_on",
            postgresql_include=REGISTRY_SORT_COLUMNS,
        ),
        sa.Index("ix_person_tenant_organization", "tenant_id", "organization_id"),
        sa.Index("ix_person_tenant_match", "tenant_id", "search_name", "birth_on"),
        sa.Index("ix_person_tenant_admission", "tenant_id", "admission_on"),
        sa.CheckConstraint(
            "status <> 'excluded' OR status_reason IS NOT NULL", name="excluded_has_reason"
        ),
        # СНИЛС: optional, 11 digits (checksum checked by operations.snils), one person per
        # tenant
        sa.UniqueConstraint("tenant_id", "snils", name="uq_person_tenant_snils"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    surname: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(100))
    patronymic: Mapped[str | None] = mapped_column(sa.String(100))
    birth_on: Mapped[date | None]
    snils: Mapped[str | None] = mapped_column(sa.String(11))  # digits only
    search_name: Mapped[str] = mapped_column(sa.String(310))
    organization_id: Mapped[int | None] = mapped_column()
    municipality_id: Mapped[int | None] = mapped_column()
    grade: Mapped[str | None] = mapped_column(sa.String(40))  # "9 класс", "2 курс"
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    parent_name: Mapped[str | None] = mapped_column(sa.String(200))
    parent_phone: Mapped[str | None] = mapped_column(sa.String(40))
    parent_email: Mapped[str | None] = mapped_column(sa.String(254))
    social_url: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[PersonStatus] = mapped_column(
        enum_column(PersonStatus, "status"), default=PersonStatus.NONE
    )
    status_since: Mapped[date | None]
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    admission_on: Mapped[date | None]  # first admission as a Resident
    admission_basis: Mapped[str | None] = mapped_column(sa.String(500))
    admission_edition_id: Mapped[int | None] = mapped_column()
    is_anonymized: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization | None] = relationship(
        primaryjoin="Person.organization_id == Organization.id", foreign_keys=[organization_id]
    )
    municipality: Mapped[Municipality | None] = relationship(
        primaryjoin="Person.municipality_id == Municipality.id", foreign_keys=[municipality_id]
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    def refresh_search_name(self) -> None:
        self.search_name = normalize_name(self.surname, self.name, self.patronymic)


# The registry's date sorts: a missing date sorts after every date (as PostgreSQL sorts NULL)
# on both databases, so a keyset page can compare it; indexed as these very expressions.
LAST_DAY = date(9999, 12, 31)
BIRTH_SORT_KEY = sa.func.coalesce(Person.birth_on, sa.literal_column("'9999-12-31'", sa.Date))
ADMISSION_SORT_KEY = sa.func.coalesce(
    Person.admission_on, sa.literal_column("'9999-12-31'", sa.Date)
)
sa.Index(
    "ix_person_tenant_birth_sort", Person.tenant_id, BIRTH_SORT_KEY, Person.search_name, Person.id
)
sa.Index(
    "ix_person_tenant_admission_sort",
    Person.tenant_id,
    ADMISSION_SORT_KEY,
    Person.search_name,
    Person.id,
)
# Search (``LIKE '%…%'``) on PostgreSQL: a trigram GIN index (pg_trgm) led by the tenant
# (btree_gin), so one index finds a tenant's matches; SQLite scans.
sa.Index(
    "ix_person_tenant_search_trgm",
    Person.tenant_id,
    Person.search_name,
    postgresql_using="gin",
    postgresql_ops={"search_name": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class PersonStatusChange(TenantScoped, db.Model):
    """Every status change with its effective date: "Residents as of D" reads this table."""

    __table_args__ = (
        tenant_fk("edition_id", "event_edition", "SET NULL"),
        tenant_fk("person_id", "person", "CASCADE"),
        sa.Index("ix_status_change_person", "person_id", "changed_on", "id"),
        sa.Index("ix_status_change_tenant_to", "tenant_id", "to_status", "changed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column()
    from_status: Mapped[PersonStatus | None] = mapped_column(
        enum_column(PersonStatus, "from_status")
    )
    to_status: Mapped[PersonStatus] = mapped_column(enum_column(PersonStatus, "to_status"))
    changed_on: Mapped[date]
    action: Mapped[str] = mapped_column(sa.String(40))
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    basis: Mapped[str | None] = mapped_column(sa.String(500))
    edition_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentGiver(enum.StrEnum):
    SELF = "self"
    PARENT = "parent"


class Consent(TenantScoped, db.Model):
    """Personal-data consent: for minors a parent's (or a legal representative's). The signed
    scan is optional when the paper is marked as on file. It covers one or more purposes
    (``workflows.consent.ConsentPurpose``), ends on ``expires_on`` and may be withdrawn."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("file_id", "stored_file", "SET NULL"),
        tenant_fk("person_id", "person", "CASCADE"),
        sa.CheckConstraint(
            "covers_processing OR covers_publication OR covers_transfer",
            name="consent_has_purpose",
        ),
        sa.CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= given_on", name="consent_withdrawn_after"
        ),
        sa.Index("ix_consent_tenant_expires", "tenant_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(index=True)
    given_on: Mapped[date]
    given_by: Mapped[ConsentGiver] = mapped_column(enum_column(ConsentGiver, "given_by"))
    giver_name: Mapped[str | None] = mapped_column(sa.String(200))
    file_id: Mapped[int | None] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    covers_processing: Mapped[bool] = mapped_column(default=True)
    covers_publication: Mapped[bool] = mapped_column(default=False)
    covers_transfer: Mapped[bool] = mapped_column(default=False)
    expires_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    withdrawal_note: Mapped[str | None] = mapped_column(sa.String(500))
    expiry_notified_on: Mapped[date | None]  # the reminder before expiry went out

    file: Mapped[StoredFile | None] = relationship(
        primaryjoin="Consent.file_id == StoredFile.id", foreign_keys=[file_id]
    )

    @property
    def purposes(self) -> list[ConsentPurpose]:
        return [p for p in ConsentPurpose if getattr(self, p.column)]

    def holds(self, purpose: ConsentPurpose, on: date) -> bool:
        return holds(
            covers=bool(getattr(self, purpose.column)),
            given_on=self.given_on,
            expires_on=self.expires_on,
            withdrawn_on=self.withdrawn_on,
            on=on,
        )


class AchievementLevel(enum.StrEnum):
    INTERNATIONAL = "international"
    ALL_RUSSIAN = "all_russian"
    REGIONAL = "regional"
    MUNICIPAL = "municipal"

    @property
    def title_ru(self) -> str:
        return {
            "international": "Международный",
            "all_russian": "Всероссийский",
            "regional": "Региональный",
            "municipal": "Муниципальный",
        }[self.value]


class Achievement(TenantScoped, db.Model):
    __table_args__ = (
        tenant_fk("edition_id", "event_edition", "SET NULL"),
        tenant_fk("person_id", "person", "CASCADE"),
        sa.Index("ix_achievement_tenant_on", "tenant_id", "achieved_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    level: Mapped[AchievementLevel] = mapped_column(enum_column(AchievementLevel, "level"))
    result: Mapped[str] = mapped_column(sa.String(200))  # "победитель", "призёр, 3 место"
    achieved_on: Mapped[date]
    is_success_story: Mapped[bool] = mapped_column(default=False)  # #ИсторииУспехаМКР
    edition_id: Mapped[int | None] = mapped_column()


class PersonProject(TenantScoped, db.Model):
    """A Resident's own project supported by the operator."""

    __table_args__ = (tenant_fk("person_id", "person", "CASCADE"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(100))  # руководитель, участник
    support_kind: Mapped[str] = mapped_column(sa.String(200))  # организационная, информационная
    year: Mapped[int]
