"""Accreditation applications of events (reviewed by experts, decided by the admin)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.review import ReviewState

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, tenant_link, utcnow
from .documents import StoredFile
from .events import Direction, Event, EventLevel
from .tenancy import Municipality, Organization

application_municipality = tenant_link(
    "application_municipality",
    ("application_id", "accreditation_application"),
    ("municipality_id", "municipality"),
)
application_partner = tenant_link(
    "application_partner",
    ("application_id", "accreditation_application"),
    ("organization_id", "organization"),
)


class AccreditationApplication(TenantScoped, db.Model):
    """An organiser's request to accredit an event (DOMAIN 4.1)."""

    __table_args__ = (
        tenant_key(),
        tenant_fk("event_id", "event", "SET NULL"),
        tenant_fk("organizer_id", "organization", "RESTRICT"),
        tenant_fk("regulation_file_id", "stored_file", "SET NULL"),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.Index("ix_accreditation_tenant_state", "tenant_id", "state"),
        sa.CheckConstraint(
            "state NOT IN ('accredited', 'rejected', 'expired') OR decided_by_id IS NOT NULL",
            name="decided_has_decider",
        ),
        sa.CheckConstraint(
            "state NOT IN ('accredited', 'expired') OR (valid_from_year IS NOT NULL AND valid_to_year >= valid_from_year)",
            name="accredited_has_validity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30))  # ЗАЯВ-2020-003
    organizer_id: Mapped[int] = mapped_column()
    event_id: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(500))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    level: Mapped[EventLevel] = mapped_column(enum_column(EventLevel, "level"))
    regularity: Mapped[str] = mapped_column(sa.String(200), default="")
    audience: Mapped[str] = mapped_column(sa.String(500), default="")
    expected_participants: Mapped[int] = mapped_column(default=0)
    selection_method: Mapped[str] = mapped_column(sa.Text, default="")
    regulation_file_id: Mapped[int | None] = mapped_column()
    state: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState, "state"), default=ReviewState.DRAFT
    )
    valid_from_year: Mapped[int | None]
    valid_to_year: Mapped[int | None]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    expiry_notified_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organizer: Mapped[Organization] = relationship(
        primaryjoin="AccreditationApplication.organizer_id == Organization.id",
        foreign_keys=[organizer_id],
    )
    event: Mapped[Event | None] = relationship(
        primaryjoin="AccreditationApplication.event_id == Event.id", foreign_keys=[event_id]
    )
    regulation_file: Mapped[StoredFile | None] = relationship(
        primaryjoin="AccreditationApplication.regulation_file_id == StoredFile.id",
        foreign_keys=[regulation_file_id],
    )
    municipalities: Mapped[list[Municipality]] = relationship(secondary=application_municipality)
    partners: Mapped[list[Organization]] = relationship(secondary=application_partner)
