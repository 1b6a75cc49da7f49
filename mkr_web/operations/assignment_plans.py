"""Assigning experts to many reviewed items at once, by hand or automatically.

:func:`plan` proposes, for each item, the experts it still needs (the tenant's
``min_experts`` minus its active experts), either the experts the admin chose or, automatically,
those with the lightest load (open assignments in the tenant), never one who may not review the
item (the applicant organisation's people; for a nomination, its author and experts working in
the nominee's municipality; see :mod:`..queries.review_subjects`), nor one who declared a
conflict on it or on another item of the same applicant or person. The admin sees the plan
(a preview) and :func:`apply_plan` saves it through :func:`.reviews.assign_experts` (which
checks every rule again, notifies and starts the review).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from workflows.review import AssignmentState, ReviewState

from ..documents.formats import counted
from ..errors import OperationError
from ..extensions import db
from ..models import ReviewAssignment, SubjectType, Tenant
from ..queries.review_subjects import subject_spec
from .audit import record
from .reviews import assign_experts, expert_ids_in_tenant

OPEN = (ReviewState.SUBMITTED, ReviewState.IN_REVIEW)
MAX_ITEMS = 200


@dataclass
class PlanRow:
    subject: object
    label: str
    expert_ids: list[int] = field(default_factory=list)
    missing: int = 0  # experts still lacking after the plan (nobody suitable was left)
    skipped: list[int] = field(default_factory=list)  # chosen by hand but not allowed here


def _loads(tenant_id: int) -> Counter:
    return Counter(
        dict(
            db.session.execute(
                sa.select(ReviewAssignment.expert_id, sa.func.count())
                .where(
                    ReviewAssignment.tenant_id == tenant_id,
                    ReviewAssignment.state == AssignmentState.ASSIGNED,
                )
                .group_by(ReviewAssignment.expert_id)
            ).all()
        )
    )


def _assignments(subject_type: SubjectType, ids: list[int]) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment).where(
                ReviewAssignment.subject_type == subject_type,
                ReviewAssignment.subject_id.in_(ids),
            )
        )
    )


def _conflict_groups(subject_type: SubjectType, tenant_id: int) -> dict[int, set]:
    """Expert id → the applicants (organisations) or persons of items they declared a
    conflict on."""
    spec = subject_spec(subject_type)
    owner = _owner_column(subject_type)
    rows = db.session.execute(
        sa.select(ReviewAssignment.expert_id, owner)
        .join(spec.model, spec.model.id == ReviewAssignment.subject_id)
        .where(
            ReviewAssignment.tenant_id == tenant_id,
            ReviewAssignment.subject_type == subject_type,
            ReviewAssignment.state == AssignmentState.CONFLICT,
        )
    ).all()
    out: dict[int, set] = {}
    for expert_id, who in rows:
        out.setdefault(expert_id, set()).add(who)
    return out


def _owner_column(subject_type: SubjectType):
    model = subject_spec(subject_type).model
    return model.organizer_id if subject_type is SubjectType.ACCREDITATION else model.person_id


def _owner(subject_type: SubjectType, subject):
    if subject_type is SubjectType.ACCREDITATION:
        return subject.organizer_id
    return subject.person_id


def plan(
    subject_type: SubjectType,
    subjects: list,
    tenant: Tenant,
    *,
    expert_ids: list[int] | None = None,
) -> list[PlanRow]:
    """The proposal for ``subjects`` (open items of ``tenant``): the chosen ``expert_ids`` where
    allowed, else (None) automatic, lightest load first. Nothing is written."""
    if not subjects:
        raise OperationError("Отметьте заявки, которым назначить экспертов.")
    if len(subjects) > MAX_ITEMS:
        raise OperationError(
            f"За один раз — не больше {counted(MAX_ITEMS, 'заявки', 'заявок', 'заявок')}."
        )
    for s in subjects:
        if s.tenant_id != tenant.id or s.state not in OPEN:
            raise OperationError("Экспертов назначают поданным заявкам или заявкам на экспертизе.")
    spec = subject_spec(subject_type)
    pool = expert_ids_in_tenant(tenant.id)
    if expert_ids is not None:
        unknown = set(expert_ids) - pool
        if unknown or not expert_ids:
            raise OperationError("Выберите экспертов этого проекта.")
    need = int(tenant.setting("min_experts"))
    loads = _loads(tenant.id)
    conflicts = _conflict_groups(subject_type, tenant.id)
    existing: dict[int, list[ReviewAssignment]] = {}
    for a in _assignments(subject_type, [s.id for s in subjects]):
        existing.setdefault(a.subject_id, []).append(a)
    rows = []
    for s in sorted(subjects, key=lambda x: x.id):
        taken = {a.expert_id for a in existing.get(s.id, [])}
        active = sum(1 for a in existing.get(s.id, []) if a.state is not AssignmentState.CONFLICT)
        barred = spec.excluded_user_ids(s) | {
            e for e, owners in conflicts.items() if _owner(subject_type, s) in owners
        }
        allowed = [e for e in sorted(pool) if e not in taken and e not in barred]
        row = PlanRow(s, spec.label(s))
        if expert_ids is not None:
            row.expert_ids = [e for e in dict.fromkeys(expert_ids) if e in allowed]
            row.skipped = [e for e in dict.fromkeys(expert_ids) if e in barred]
        else:
            wanted = max(0, need - active)
            chosen = sorted(allowed, key=lambda e: (loads[e], e))[:wanted]
            row.expert_ids = chosen
            row.missing = wanted - len(chosen)
        for e in row.expert_ids:
            loads[e] += 1  # the next item sees this one's load
        rows.append(row)
    return rows


def apply_plan(
    subject_type: SubjectType,
    proposal: dict[int, list[int]],
    tenant: Tenant,
    *,
    role: str,
    actor_id: int,
) -> int:
    """Save ``{subject id: [expert ids]}`` (the previewed plan) in one transaction; returns
    the number of assignments made. Any refusal refuses the whole plan, naming the item."""
    spec = subject_spec(subject_type)
    subjects = {
        s.id: s
        for s in db.session.scalars(
            sa.select(spec.model).where(
                spec.model.tenant_id == tenant.id, spec.model.id.in_(list(proposal))
            )
        )
    }
    if set(subjects) != set(proposal):
        raise OperationError("Заявка не найдена.")
    made = 0
    for subject_id, expert_ids in sorted(proposal.items()):
        if not expert_ids:
            continue
        subject = subjects[subject_id]
        try:
            made += len(
                assign_experts(subject_type, subject, expert_ids, role=role, actor_id=actor_id)
            )
        except OperationError as exc:
            raise OperationError(f"{spec.label(subject)}: {exc}") from exc
    record(
        "review.assign_many",
        None,
        tenant_id=tenant.id,
        subject_type=subject_type.value,
        items=len(proposal),
        assignments=made,
    )
    return made
