"""The one review machinery: rubrics, expert assignments, scores, and the transition log
shared by every workflow (accreditation applications and nominations alike)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.review import AssignmentState

from .base import TenantScoped, db, enum_column, tenant_fk, tenant_key, utcnow
from .users import User


class SubjectType(enum.StrEnum):
    ACCREDITATION = "accreditation"
    NOMINATION = "nomination"
    CANDIDATE = "candidate"
    PERSON = "person"


class Rubric(TenantScoped, db.Model):
    __table_args__ = (tenant_key(), sa.UniqueConstraint("tenant_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectType] = mapped_column(enum_column(SubjectType, "kind"))
    title: Mapped[str] = mapped_column(sa.String(300))

    criteria: Mapped[list[RubricCriterion]] = relationship(
        primaryjoin="Rubric.id == RubricCriterion.rubric_id",
        foreign_keys="RubricCriterion.rubric_id",
        back_populates="rubric",
        order_by="RubricCriterion.sort_order",
        cascade="all, delete-orphan",
    )


class RubricCriterion(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        tenant_fk("rubric_id", "rubric", "CASCADE"),
        sa.CheckConstraint("max_points > 0", name="max_points_positive"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    max_points: Mapped[int]
    weight: Mapped[float] = mapped_column(default=1.0)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    rubric: Mapped[Rubric] = relationship(
        primaryjoin="RubricCriterion.rubric_id == Rubric.id",
        foreign_keys=[rubric_id],
        back_populates="criteria",
    )


class ReviewAssignment(TenantScoped, db.Model):
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint(
            "tenant_id",
            "subject_type",
            "subject_id",
            "expert_id",
            name="uq_review_assignment_tenant_subject_expert",
        ),
        sa.Index("ix_review_assignment_expert", "expert_id", "state"),
        sa.Index("ix_review_assignment_due", "state", "due_on"),
        sa.Index("ix_review_assignment_subject", "tenant_id", "subject_type", "state"),
        sa.CheckConstraint(
            "state <> 'conflict' OR conflict_reason IS NOT NULL", name="conflict_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[SubjectType] = mapped_column(enum_column(SubjectType, "subject_type"))
    subject_id: Mapped[int]
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    state: Mapped[AssignmentState] = mapped_column(
        enum_column(AssignmentState, "state"), default=AssignmentState.ASSIGNED
    )
    conflict_reason: Mapped[str | None] = mapped_column(sa.String(500))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # The deadline (tenant setting ``review_days`` from assignment); the beat task reminds
    # three days before (``due_reminded_at``) and marks it overdue once (``overdue_at``).
    due_on: Mapped[date | None]
    due_reminded_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    scores: Mapped[list[Score]] = relationship(
        primaryjoin="ReviewAssignment.id == Score.assignment_id",
        foreign_keys="Score.assignment_id",
        back_populates="assignment",
        cascade="all, delete-orphan",
    )


class Score(TenantScoped, db.Model):
    __table_args__ = (
        tenant_fk("assignment_id", "review_assignment", "CASCADE"),
        tenant_fk("criterion_id", "rubric_criterion", "RESTRICT"),
        sa.UniqueConstraint("tenant_id", "assignment_id", "criterion_id"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column()
    criterion_id: Mapped[int] = mapped_column()
    points: Mapped[int]

    assignment: Mapped[ReviewAssignment] = relationship(
        primaryjoin="Score.assignment_id == ReviewAssignment.id",
        foreign_keys=[assignment_id],
        back_populates="scores",
    )
    criterion: Mapped[RubricCriterion] = relationship(
        primaryjoin="Score.criterion_id == RubricCriterion.id", foreign_keys=[criterion_id]
    )


class TransitionLog(TenantScoped, db.Model):
    """Every state change of every workflow: who, when, from, to, comment."""

    __table_args__ = (sa.Index("ix_transition_log_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    machine: Mapped[str] = mapped_column(sa.String(40))
    subject_type: Mapped[SubjectType] = mapped_column(enum_column(SubjectType, "subject_type"))
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    role: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
