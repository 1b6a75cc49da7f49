"""Reads of the review machinery: an expert's assigned items, a review's summary (weighted
totals, mean, spread, disagreement), and an item's history for display."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflows.admission import ADMISSION
from workflows.engine import SYSTEM
from workflows.review import ACCREDITATION, ASSIGNMENT, NOMINATION, AssignmentState
from workflows.roles import Role

from ..extensions import db
from ..models import Membership, ReviewAssignment, Rubric, RubricCriterion, Score, SubjectType, User
from .review_subjects import subject_spec
from .transitions import history

DEFAULT_DISAGREEMENT_PCT = 25
MACHINES = {m.name: m for m in (ACCREDITATION, NOMINATION, ASSIGNMENT, ADMISSION)}


@dataclass
class ExpertResult:
    assignment: ReviewAssignment
    points: dict[int, int]
    total: float | None  # weighted total; None until submitted

    @property
    def state(self) -> AssignmentState:
        return self.assignment.state


@dataclass
class ReviewSummary:
    criteria: list[RubricCriterion]
    max_total: float
    results: list[ExpertResult] = field(default_factory=list)
    disagreement_pct: float = DEFAULT_DISAGREEMENT_PCT

    @property
    def submitted(self) -> list[ExpertResult]:
        return [r for r in self.results if r.state is AssignmentState.SUBMITTED]

    @property
    def totals(self) -> list[float]:
        return [r.total for r in self.submitted]

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.totals), 2) if self.totals else None

    @property
    def spread(self) -> float | None:
        return round(max(self.totals) - min(self.totals), 2) if self.totals else None

    @property
    def stdev(self) -> float | None:
        return round(statistics.pstdev(self.totals), 2) if self.totals else None

    @property
    def disagree(self) -> bool:
        """Experts disagree strongly: the spread exceeds the tenant's share of the maximum."""
        return len(self.totals) >= 2 and self.spread > self.max_total * self.disagreement_pct / 100

    def count(self, state: AssignmentState) -> int:
        return sum(1 for r in self.results if r.state is state)

    @property
    def n_submitted(self) -> int:
        return self.count(AssignmentState.SUBMITTED)

    @property
    def n_conflict(self) -> int:
        return self.count(AssignmentState.CONFLICT)


def weighted_total(scores: list[Score]) -> float:
    return round(sum(s.points * s.criterion.weight for s in scores), 2)


def max_total(criteria: list[RubricCriterion]) -> float:
    return round(sum(c.max_points * c.weight for c in criteria if c.is_active), 2)


def rubric_of(tenant_id: int, kind: SubjectType) -> Rubric | None:
    return db.session.execute(
        sa.select(Rubric)
        .where(Rubric.tenant_id == tenant_id, Rubric.kind == kind)
        .options(selectinload(Rubric.criteria))
    ).scalar_one_or_none()


def summaries_for(
    tenant, subject_type: SubjectType, subject_ids: list[int]
) -> dict[int, ReviewSummary]:
    """Summaries of many items in a constant number of queries."""
    rubric = rubric_of(tenant.id, subject_spec(subject_type).rubric_kind)
    criteria = list(rubric.criteria) if rubric else []
    pct = tenant.setting("review_disagreement_pct") or DEFAULT_DISAGREEMENT_PCT
    out = {
        i: ReviewSummary(
            [c for c in criteria if c.is_active], max_total(criteria), disagreement_pct=pct
        )
        for i in subject_ids
    }
    if not subject_ids:
        return out
    assignments = db.session.scalars(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.tenant_id == tenant.id,
            ReviewAssignment.subject_type == subject_type,
            ReviewAssignment.subject_id.in_(subject_ids),
        )
        .options(
            selectinload(ReviewAssignment.expert),
            selectinload(ReviewAssignment.scores).selectinload(Score.criterion),
        )
        .order_by(ReviewAssignment.id)
    )
    for a in assignments:
        submitted = a.state is AssignmentState.SUBMITTED
        out[a.subject_id].results.append(
            ExpertResult(
                a,
                {s.criterion_id: s.points for s in a.scores},
                weighted_total(a.scores) if submitted else None,
            )
        )
    return out


def review_summary(tenant, subject_type: SubjectType, subject_id: int) -> ReviewSummary:
    return summaries_for(tenant, subject_type, [subject_id])[subject_id]


def assignments_for_expert(tenant_id: int, user_id: int) -> list[tuple[ReviewAssignment, object]]:
    """The expert's assignments with their subjects (one query per subject type)."""
    assignments = list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.tenant_id == tenant_id, ReviewAssignment.expert_id == user_id)
            .order_by(ReviewAssignment.id.desc())
        )
    )
    subjects = {}
    for subject_type in {a.subject_type for a in assignments}:
        model = subject_spec(subject_type).model
        ids = [a.subject_id for a in assignments if a.subject_type == subject_type]
        for item in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
            subjects[(subject_type, item.id)] = item
    return [(a, subjects.get((a.subject_type, a.subject_id))) for a in assignments]


def experts_in_tenant(tenant_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id, Membership.role == Role.EXPERT)
            .order_by(User.full_name, User.email)
        )
    )


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    role: str
    action: str
    from_state: str
    to_state: str
    comment: str | None
    is_review_step: bool


def _state_title(machine, value: str) -> str:
    try:
        state = machine.states(value)
        return state.title_neuter if machine is NOMINATION else state.title_ru
    except ValueError:
        return "—"


def _role_title(role: str) -> str:
    if role == SYSTEM:
        return "Система"
    try:
        return Role(role).title_ru
    except ValueError:
        return role


def history_rows(
    subject_type: SubjectType, subject_id: int, *, include_review_steps: bool
) -> list[HistoryRow]:
    """The item's history; the author does not see the experts' steps (blind review)."""
    rows = []
    for log in history(subject_type, subject_id):
        machine = MACHINES.get(log.machine)
        is_review_step = log.machine == ASSIGNMENT.name
        if is_review_step and not include_review_steps:
            continue
        rows.append(
            HistoryRow(
                at=log.at,
                who=(log.user.full_name or log.user.email) if log.user else "Система",
                role=_role_title(log.role),
                action=machine.title(log.action) if machine else log.action,
                from_state=_state_title(machine, log.from_state) if machine else log.from_state,
                to_state=_state_title(machine, log.to_state) if machine else log.to_state,
                comment=log.comment,
                is_review_step=is_review_step,
            )
        )
    return rows


def criterion_in_tenant(tenant_id: int, criterion_id: int) -> RubricCriterion | None:
    criterion = db.session.get(RubricCriterion, criterion_id)
    if criterion is None or criterion.rubric.tenant_id != tenant_id:
        return None
    return criterion


def assignment_of_expert(tenant_id: int, user_id: int, assignment_id: int):
    """A select of the expert's own assignment ``assignment_id`` in the tenant."""
    return sa.select(ReviewAssignment).where(
        ReviewAssignment.tenant_id == tenant_id,
        ReviewAssignment.id == assignment_id,
        ReviewAssignment.expert_id == user_id,
    )


def open_items(tenant_id: int, subject_type: SubjectType, limit: int = 200) -> list[tuple]:
    """Items that may get experts (submitted or in review), with how many active experts
    each has: ``(item, active)``, those with the fewest first (two queries)."""
    from workflows.review import ReviewState

    spec = subject_spec(subject_type)
    model = spec.model
    active = (
        sa.select(sa.func.count())
        .select_from(ReviewAssignment)
        .where(
            ReviewAssignment.subject_type == subject_type,
            ReviewAssignment.subject_id == model.id,
            ReviewAssignment.state != AssignmentState.CONFLICT,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(model, active)
        .where(
            model.tenant_id == tenant_id,
            model.state.in_([ReviewState.SUBMITTED, ReviewState.IN_REVIEW]),
        )
        .order_by(active, model.id)
        .limit(limit)
    ).all()
    return [(item, n) for item, n in rows]
