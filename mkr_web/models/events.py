"""Events, their yearly editions, participation (persons or counts per municipality)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, tenant_link, utcnow
from .tenancy import Municipality, Organization


class EventKind(enum.StrEnum):
    ACCREDITED = "accredited"
    SATELLITE = "satellite"
    OTHER = "other"

    @property
    def title_ru(self) -> str:
        return {
            "accredited": "Аккредитованное",
            "satellite": "Мероприятие-спутник",
            "other": "Другое",
        }[self.value]


class Direction(enum.StrEnum):
    """Тематические направления (DOMAIN 5.3)."""

    PROJECT_RESEARCH = "project_research"
    CIVIC_LEGAL = "civic_legal"
    ENTREPRENEURSHIP = "entrepreneurship"
    PEDAGOGY = "pedagogy"
    MEDIA = "media"
    ENGINEERING = "engineering"
    ATOMIC_ENERGY = "atomic_energy"
    ELECTIONS = "elections"

    @property
    def title_ru(self) -> str:
        return {
            "project_research": "Проектная и исследовательская деятельность",
            "civic_legal": "Гражданское и правовое образование",
            "entrepreneurship": "Предпринимательство",
            "pedagogy": "Педагогика",
            "media": "Медиа",
            "engineering": "Инженерия и технологии",
            "atomic_energy": "Атомная энергетика",
            "elections": "Избирательное законодательство",
        }[self.value]


class EventLevel(enum.StrEnum):
    MUNICIPAL = "municipal"
    REGIONAL = "regional"
    INTERREGIONAL = "interregional"
    ALL_RUSSIAN = "all_russian"
    INTERNATIONAL = "international"


event_partner = tenant_link(
    "event_partner", ("event_id", "event"), ("organization_id", "organization")
)


class Event(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        tenant_fk("organizer_id", "organization", "SET NULL"),
        tenant_fk("related_event_id", "event", "SET NULL"),
        sa.Index("ix_event_tenant_kind", "tenant_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    short_title: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "kind"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    level: Mapped[EventLevel] = mapped_column(
        enum_column(EventLevel, "level"), default=EventLevel.REGIONAL
    )
    organizer_id: Mapped[int | None] = mapped_column()
    related_event_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organizer: Mapped[Organization | None] = relationship(
        primaryjoin="Event.organizer_id == Organization.id", foreign_keys=[organizer_id]
    )
    partners: Mapped[list[Organization]] = relationship(secondary=event_partner)
    editions: Mapped[list[EventEdition]] = relationship(
        primaryjoin="Event.id == EventEdition.event_id",
        foreign_keys="EventEdition.event_id",
        back_populates="event",
        order_by="EventEdition.year",
    )


class EditionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    VIDEO = "video"


class EditionState(enum.StrEnum):
    HELD = "held"
    NOT_HELD = "not_held"
    MOVED = "moved"  # held, but its dates moved (counted in ``year``; see ``note``)


class EventEdition(TenantScoped, db.Model):
    """One holding of an event, counted in exactly one reporting year."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("event_id", "event", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "event_id", "year"),
        sa.Index("ix_event_edition_tenant_year", "tenant_id", "year"),
        sa.CheckConstraint("state = 'held' OR note IS NOT NULL", name="not_held_has_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column()
    year: Mapped[int]
    title: Mapped[str | None] = mapped_column(sa.String(500))  # "XX Сибирская молодёжная Ассамблея"
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    format: Mapped[EditionFormat] = mapped_column(
        enum_column(EditionFormat, "format"), default=EditionFormat.IN_PERSON
    )
    state: Mapped[EditionState] = mapped_column(
        enum_column(EditionState, "state"), default=EditionState.HELD
    )
    note: Mapped[str | None] = mapped_column(sa.String(500))

    event: Mapped[Event] = relationship(
        primaryjoin="EventEdition.event_id == Event.id",
        foreign_keys=[event_id],
        back_populates="editions",
    )


class ParticipationRole(enum.StrEnum):
    PARTICIPANT = "participant"
    WINNER = "winner"
    PRIZE_WINNER = "prize_winner"
    EXPERT = "expert"
    MENTOR = "mentor"
    MODERATOR = "moderator"

    @property
    def title_ru(self) -> str:
        return {
            "participant": "Участник",
            "winner": "Победитель",
            "prize_winner": "Призёр",
            "expert": "Эксперт",
            "mentor": "Наставник",
            "moderator": "Модератор",
        }[self.value]


class Participation(TenantScoped, db.Model):
    """A person at an edition, in a role."""

    __table_args__ = (
        tenant_fk("edition_id", "event_edition", "CASCADE"),
        tenant_fk("person_id", "person", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "edition_id", "person_id", "role"),
        sa.Index("ix_participation_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(index=True)
    person_id: Mapped[int] = mapped_column()
    role: Mapped[ParticipationRole] = mapped_column(enum_column(ParticipationRole, "role"))
    place: Mapped[int | None]
    section: Mapped[str | None] = mapped_column(sa.String(300))

    edition: Mapped[EventEdition] = relationship(
        primaryjoin="Participation.edition_id == EventEdition.id", foreign_keys=[edition_id]
    )


class CountCategory(enum.StrEnum):
    STUDENTS = "students"
    TEACHERS = "teachers"
    EXPERTS = "experts"


class ParticipationCount(TenantScoped, db.Model):
    """Participants of an edition counted per municipality and category (when no list)."""

    __table_args__ = (
        tenant_fk("edition_id", "event_edition", "CASCADE"),
        tenant_fk("municipality_id", "municipality", "RESTRICT"),
        sa.UniqueConstraint(
            "tenant_id",
            "edition_id",
            "municipality_id",
            "category",
            name="uq_participation_count_tenant_edition_municipality_category",
        ),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(index=True)
    municipality_id: Mapped[int | None] = mapped_column()
    category: Mapped[CountCategory] = mapped_column(enum_column(CountCategory, "category"))
    count: Mapped[int]

    municipality: Mapped[Municipality | None] = relationship(
        primaryjoin="ParticipationCount.municipality_id == Municipality.id",
        foreign_keys=[municipality_id],
    )
