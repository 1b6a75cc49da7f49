"""The one review machinery, over ``(SubjectType, subject_id)``: rubrics, expert assignments,
conflicts of interest, scores, and the automatic end of a review.

Used as is by every reviewed item (accreditation applications, nominations): what differs per
item lives in :mod:`.review_subjects`. Flush only; the view commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from workflows.engine import SYSTEM, Machine
from workflows.review import ASSIGNMENT, AssignmentState, ReviewState, may_manage_experts
from workflows.roles import Role

from ..errors import OperationError, ScoreError
from ..extensions import db
from ..models import (
    Membership,
    ReviewAssignment,
    Rubric,
    RubricCriterion,
    Score,
    SubjectType,
    Tenant,
    User,
)
from ..models.base import utcnow
from ..queries.review_subjects import subject_spec
from .audit import record
from .deadlines import review_due_on
from .notification_kinds import assignment_context, subject_context
from .notifications import admin_ids, emit
from .transitions import decision, log_step, transition

DEFAULT_RUBRICS: dict[SubjectType, tuple[str, list[tuple[str, int, float]]]] = {
    SubjectType.ACCREDITATION: (
        "Экспертиза заявок на аккредитацию мероприятий",
        [
            ("Соответствие целям и тематическим направлениям программы", 10, 1.0),
            ("Уровень и масштаб мероприятия, охват муниципалитетов", 10, 1.0),
            ("Прозрачность и объективность отбора победителей", 10, 1.5),
            ("Качество положения о мероприятии", 10, 1.0),
            ("Участие организаций-партнёров", 5, 1.0),
        ],
    ),
    SubjectType.NOMINATION: (
        "Экспертиза выдвижений",
        [
            (
                "Уровень достижения (международный, всероссийский, региональный, муниципальный)",
                10,
                2.0,
            ),
            ("Подтверждающие документы", 5, 1.0),
            ("Соответствие направлениям программы", 10, 1.0),
            ("Активность в сообществе программы", 5, 1.0),
        ],
    ),
}


# ---- rubrics ---------------------------------------------------------------------------------


def ensure_rubric(tenant_id: int, kind: SubjectType) -> Rubric:
    """The tenant's rubric of this kind, created from the default on first use."""
    query = sa.select(Rubric).where(Rubric.tenant_id == tenant_id, Rubric.kind == kind)
    rubric = db.session.execute(query).scalar_one_or_none()
    if rubric is not None:
        return rubric
    title, criteria = DEFAULT_RUBRICS[kind]
    try:
        with db.session.begin_nested():
            rubric = Rubric(tenant_id=tenant_id, kind=kind, title=title)
            rubric.criteria = [
                RubricCriterion(tenant_id=tenant_id, title=t, max_points=m, weight=w, sort_order=i)
                for i, (t, m, w) in enumerate(criteria, start=1)
            ]
            db.session.add(rubric)
    except sa.exc.IntegrityError:  # created meanwhile by a concurrent request
        rubric = db.session.execute(query).scalar_one()
    return rubric


def _check_criterion(title: str, max_points: int, weight: float) -> str:
    title = (title or "").strip()
    if not title:
        raise OperationError("Укажите название критерия.")
    if not max_points or max_points < 1 or max_points > 1000:
        raise OperationError("Максимальный балл: целое число от 1 до 1000.")
    if weight is None or weight <= 0 or weight > 100:
        raise OperationError("Вес: положительное число не больше 100.")
    return title


def add_criterion(rubric: Rubric, title: str, max_points: int, weight: float) -> RubricCriterion:
    title = _check_criterion(title, max_points, weight)
    order = max((c.sort_order for c in rubric.criteria), default=0) + 1
    criterion = RubricCriterion(
        tenant_id=rubric.tenant_id,
        title=title,
        max_points=max_points,
        weight=weight,
        sort_order=order,
    )
    rubric.criteria.append(criterion)
    db.session.flush()
    record("rubric.criterion_add", rubric, criterion_id=criterion.id)
    return criterion


def update_criterion(
    criterion: RubricCriterion,
    *,
    title: str,
    max_points: int,
    weight: float,
    sort_order: int,
    is_active: bool,
) -> None:
    criterion.title = _check_criterion(title, max_points, weight)
    criterion.max_points, criterion.weight = max_points, weight
    criterion.sort_order, criterion.is_active = sort_order, is_active
    db.session.flush()
    record(
        "rubric.criterion_update",
        criterion.rubric,
        criterion_id=criterion.id,
        fields=["title", "max_points", "weight", "sort_order", "is_active"],
    )


# ---- assignments -----------------------------------------------------------------------------


def assignments_of(
    subject_type: SubjectType, subject_id: int, *, fresh: bool = False
) -> list[ReviewAssignment]:
    q = (
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.subject_type == subject_type, ReviewAssignment.subject_id == subject_id
        )
        .order_by(ReviewAssignment.id)
    )
    if fresh:  # what is committed now, not what this session loaded earlier
        q = q.execution_options(populate_existing=True)
    return list(db.session.scalars(q))


def _min_experts(tenant_id: int) -> int:
    return int(db.session.get(Tenant, tenant_id).setting("min_experts"))


def expert_ids_in_tenant(tenant_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.role == Role.EXPERT
            )
        )
    )


def _check_manager(role: str) -> None:
    if not may_manage_experts(role):
        raise OperationError("Экспертов назначает и снимает оператор.")


def assign_experts(
    subject_type: SubjectType,
    subject,
    expert_ids: list[int],
    *,
    role: str,
    actor_id: int | None,
) -> list[ReviewAssignment]:
    """Assign experts; starts the review once enough are assigned to a submitted item."""
    _check_manager(role)
    spec = subject_spec(subject_type)
    if subject.state not in (ReviewState.SUBMITTED, ReviewState.IN_REVIEW):
        raise OperationError("Экспертов назначают поданной заявке или заявке на экспертизе.")
    if not expert_ids:
        raise OperationError("Выберите экспертов.")
    allowed = expert_ids_in_tenant(subject.tenant_id)
    excluded = spec.excluded_user_ids(subject)
    existing = {a.expert_id for a in assignments_of(subject_type, subject.id)}
    made = []
    for expert_id in dict.fromkeys(expert_ids):
        if expert_id not in allowed:
            raise OperationError("Назначать можно только экспертов этого проекта.")
        if expert_id in excluded:
            raise OperationError(spec.excluded_reason)
        if expert_id in existing:
            continue
        assignment = ReviewAssignment(
            tenant_id=subject.tenant_id,
            subject_type=subject_type,
            subject_id=subject.id,
            expert_id=expert_id,
            assigned_by_id=actor_id,
        )
        db.session.add(assignment)
        db.session.flush()
        expert = db.session.get(User, expert_id)
        log_step(
            subject.tenant_id,
            ASSIGNMENT.name,
            subject_type,
            subject.id,
            "assign",
            "none",
            AssignmentState.ASSIGNED.value,
            role=role,
            user_id=actor_id,
            comment=f"Эксперт: {expert.full_name or expert.email}",
        )
        record(
            "review.assign",
            assignment,
            subject_type=subject_type.value,
            subject_id=subject.id,
            expert_id=expert_id,
        )
        made.append(assignment)
    if subject.state is ReviewState.SUBMITTED and _active_count(
        subject_type, subject.id
    ) >= _min_experts(subject.tenant_id):
        start_review(subject_type, subject, role=role, actor_id=actor_id)
    elif subject.state is ReviewState.IN_REVIEW:
        _start_clock(subject, made)
    return made


def _active_count(subject_type: SubjectType, subject_id: int) -> int:
    return sum(
        1
        for a in assignments_of(subject_type, subject_id)
        if a.state is not AssignmentState.CONFLICT
    )


def _start_clock(subject, assignments: list[ReviewAssignment]) -> None:
    """The experts' deadline starts (tenant setting ``review_days``); each is told."""
    due_on = review_due_on(subject.tenant_id)
    for a in assignments:
        a.due_on, a.due_reminded_at, a.overdue_at = due_on, None, None
    db.session.flush()
    for a in assignments:
        emit(
            "review.assigned",
            subject.tenant_id,
            [a.expert_id],
            assignment_context(a, subject),
            endpoint="expert.review",
            assignment_id=a.id,
        )


def notify_admins_of(subject_type: SubjectType, subject, kind: str) -> None:
    spec = subject_spec(subject_type)
    emit(
        kind,
        subject.tenant_id,
        admin_ids(subject.tenant_id),
        subject_context(subject_type, subject),
        endpoint=spec.admin_endpoint,
        **{spec.id_arg: subject.id},
    )


def start_review(
    subject_type: SubjectType,
    subject,
    *,
    role: str,
    actor_id: int | None,
    expected_version: int | None = None,
) -> None:
    """``submitted → in_review``; submitted assignments of an earlier round are reopened."""
    spec = subject_spec(subject_type)
    assignments = assignments_of(subject_type, subject.id)
    active = [a for a in assignments if a.state is not AssignmentState.CONFLICT]
    rec = transition(
        spec.machine,
        subject,
        subject_type,
        "start_review",
        role=role,
        user_id=actor_id,
        expected_version=expected_version,
        data={"experts_assigned": len(active), "min_experts": _min_experts(subject.tenant_id)},
    )
    if rec is None:
        return
    for a in active:
        if a.state is AssignmentState.SUBMITTED:
            transition(
                ASSIGNMENT,
                a,
                subject_type,
                "reopen",
                role=SYSTEM,
                user_id=None,
                subject_id=subject.id,
            )
            a.submitted_at = None
    _start_clock(subject, active)


def unassign(assignment: ReviewAssignment, *, role: str, actor_id: int | None) -> None:
    """Remove an expert who has not submitted (a conflicted assignment stays on record)."""
    _check_manager(role)
    if assignment.state is not AssignmentState.ASSIGNED:
        raise OperationError("Снять можно только эксперта, который ещё не отправил оценку.")
    subject = load_subject(assignment.subject_type, assignment.subject_id)
    subject_type, expert = assignment.subject_type, assignment.expert
    log_step(
        assignment.tenant_id,
        ASSIGNMENT.name,
        assignment.subject_type,
        assignment.subject_id,
        "unassign",
        AssignmentState.ASSIGNED.value,
        "none",
        role=role,
        user_id=actor_id,
        comment=f"Эксперт: {expert.full_name or expert.email}",
    )
    record(
        "review.unassign",
        assignment,
        subject_id=assignment.subject_id,
        expert_id=assignment.expert_id,
    )
    db.session.delete(assignment)
    db.session.flush()
    maybe_complete_review(subject_type, subject)


def load_subject(subject_type: SubjectType, subject_id: int):
    return db.session.get(subject_spec(subject_type).model, subject_id)


# ---- the expert's part -----------------------------------------------------------------------


def declare_conflict(
    assignment: ReviewAssignment,
    reason: str,
    *,
    role: str,
    user_id: int,
    expected_version: int | None = None,
) -> None:
    ASSIGNMENT.check_role("declare_conflict", role)
    subject = load_subject(assignment.subject_type, assignment.subject_id)
    reason = (reason or "").strip()[:500]
    if assignment.state is AssignmentState.ASSIGNED and reason:
        assignment.conflict_reason = reason  # the CHECK constraint wants it with the new state
    rec = transition(
        ASSIGNMENT,
        assignment,
        assignment.subject_type,
        "declare_conflict",
        role=role,
        user_id=user_id,
        comment=reason,
        expected_version=expected_version,
        subject_id=assignment.subject_id,
    )
    if rec is None:
        return
    notify_admins_of(assignment.subject_type, subject, "review.conflict")
    maybe_complete_review(assignment.subject_type, subject)


def save_scores(
    assignment: ReviewAssignment,
    points: dict[int, int | None],
    comment: str = "",
    *,
    submit: bool,
    role: str,
    user_id: int,
    expected_version: int | None = None,
) -> None:
    """Store the expert's points (a draft, or the final submission); only a role that may
    submit scores may save a draft."""
    ASSIGNMENT.check_role("submit_scores", role)
    subject = load_subject(assignment.subject_type, assignment.subject_id)
    if assignment.state is AssignmentState.SUBMITTED and submit:
        return  # a double submit
    if assignment.state is not AssignmentState.ASSIGNED:
        raise OperationError("Оценку уже нельзя изменить.")
    if subject.state is not ReviewState.IN_REVIEW:
        raise OperationError("Экспертиза этой заявки сейчас не идёт.")
    if expected_version is not None and assignment.version != expected_version:
        from ..errors import StaleItem

        raise StaleItem()
    spec = subject_spec(assignment.subject_type)
    rubric = ensure_rubric(assignment.tenant_id, spec.rubric_kind)
    criteria = [c for c in rubric.criteria if c.is_active]
    errors = {}
    for c in criteria:
        value = points.get(c.id)
        if value is None:
            if submit:
                errors[c.id] = f"«{c.title}»: поставьте балл"
        elif not 0 <= value <= c.max_points:
            errors[c.id] = f"«{c.title}»: балл от 0 до {c.max_points}"
    if errors:
        raise ScoreError(errors)
    existing = {s.criterion_id: s for s in assignment.scores}
    for c in criteria:
        value = points.get(c.id)
        if value is None:
            if c.id in existing:
                assignment.scores.remove(existing[c.id])
        elif c.id in existing:
            existing[c.id].points = value
        else:
            assignment.scores.append(
                Score(tenant_id=assignment.tenant_id, criterion_id=c.id, points=value)
            )
    assignment.comment = (comment or "").strip() or None
    db.session.flush()
    record("review.scores_save", assignment, subject_id=assignment.subject_id, submitted=submit)
    if submit:
        assignment.submitted_at = utcnow()
        transition(
            ASSIGNMENT,
            assignment,
            assignment.subject_type,
            "submit_scores",
            role=role,
            user_id=user_id,
            subject_id=assignment.subject_id,
        )
        maybe_complete_review(assignment.subject_type, subject)


def maybe_complete_review(subject_type: SubjectType, subject) -> bool:
    """``in_review → reviewed`` (SYSTEM) once every non-conflicted expert has submitted.

    The item's row is locked first: of two experts submitting at once, the second waits for
    the first to commit and then sees both submissions (else neither would end the review)."""
    db.session.refresh(subject, with_for_update=True)
    if subject.state is not ReviewState.IN_REVIEW:
        return False
    active = [
        a
        for a in assignments_of(subject_type, subject.id, fresh=True)
        if a.state is not AssignmentState.CONFLICT
    ]
    if len(active) < _min_experts(subject.tenant_id):
        return False
    if not all(a.state is AssignmentState.SUBMITTED for a in active):
        return False
    spec = subject_spec(subject_type)
    transition(
        spec.machine,
        subject,
        subject_type,
        "complete_review",
        role=SYSTEM,
        user_id=None,
        data={"all_reviews_in": True},
    )
    notify_admins_of(subject_type, subject, "review.completed")
    return True


def reject_or_return(
    machine: Machine,
    item,
    subject_type: SubjectType,
    action: str,
    comment: str,
    *,
    role: str,
    user_id: int | None,
    expected_version: int | None = None,
) -> bool:
    """The admin rejects a reviewed item or returns it for revision, with a comment (the
    machine requires one); a rejection records its decider. False: already so (a double
    submit), nothing done."""
    if action not in ("reject", "return"):
        raise OperationError("Неизвестное решение.")
    machine.check_role(action, role)
    if (action == "reject" and item.state is ReviewState.REJECTED) or (
        action == "return" and item.state is ReviewState.RETURNED
    ):
        return False
    decision(
        machine,
        item,
        subject_type,
        action,
        decided={"decided_at": utcnow(), "decided_by_id": user_id} if action == "reject" else {},
        role=role,
        user_id=user_id,
        comment=comment,
        expected_version=expected_version,
    )
    return True
