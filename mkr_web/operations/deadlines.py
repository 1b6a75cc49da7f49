"""Deadlines of the two waiting steps: an expert's review (tenant setting ``review_days``) and a
coordinator's confirmation of admission candidates (``confirmation_days``).

:func:`process_deadlines` (the daily beat task ``mkr.deadlines.remind``) reminds three days
before a deadline and, once it has passed, marks the item overdue and tells the waiting person
and the admins, each once (``due_reminded_at``, ``overdue_at``). :func:`extend_deadline` is the
admin's extension (audited, the reminders start over). Today comes from :func:`today`, so tests
freeze the clock.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from workflows.admission import CandidateState
from workflows.review import AssignmentState, ReviewState
from workflows.roles import Role

from ..errors import OperationError
from ..extensions import db
from ..models import AdmissionBatch, AdmissionCandidate, ReviewAssignment, Tenant
from ..models.base import utcnow
from ..queries.review_subjects import subject_spec
from .audit import record
from .notification_kinds import assignment_context, batch_context, fmt_date
from .notifications import admin_ids, coordinators_of, emit

REMIND_DAYS = 3  # DOMAIN 9: "review due in 3 days"
MAX_EXTENSION_DAYS = 366


def today() -> date:
    return date.today()


def _days(tenant_id: int, key: str) -> int:
    return int(db.session.get(Tenant, tenant_id).setting(key))


def review_due_on(tenant_id: int) -> date:
    return today() + timedelta(days=_days(tenant_id, "review_days"))


def confirmation_due_on(tenant_id: int) -> date:
    return today() + timedelta(days=_days(tenant_id, "confirmation_days"))


def is_overdue(due_on: date | None) -> bool:
    return due_on is not None and due_on < today()


# ---- the admin's extension ---------------------------------------------------------------------


def extend_deadline(item, new_due_on: date | None, *, role: str, user_id: int | None) -> bool:
    """The admin moves the deadline of a waiting assignment or candidate (audited: old and new
    dates). Returns False when nothing changed (the same date, a double submit)."""
    if str(role) != Role.ADMIN.value:
        raise OperationError("Срок продлевает оператор.")
    if isinstance(item, ReviewAssignment):
        waiting = item.state is AssignmentState.ASSIGNED
    elif isinstance(item, AdmissionCandidate):
        waiting = item.state is CandidateState.SUBMITTED
    else:
        raise OperationError("У этого объекта нет срока.")
    if not waiting:
        raise OperationError("Срок продлевают только тому, что ещё ждёт действия.")
    if new_due_on is None:
        raise OperationError("Укажите новый срок.")
    if new_due_on < today():
        raise OperationError("Новый срок не может быть в прошлом.")
    if new_due_on > today() + timedelta(days=MAX_EXTENSION_DAYS):
        raise OperationError("Новый срок — не дальше чем через год.")
    if new_due_on == item.due_on:
        return False
    old = item.due_on
    item.due_on = new_due_on
    item.due_reminded_at = None
    item.overdue_at = None
    db.session.flush()
    record(
        "deadline.extend",
        item,
        tenant_id=item.tenant_id,
        old_due_on=old.isoformat() if old else None,
        new_due_on=new_due_on.isoformat(),
    )
    return True


# ---- the daily beat ----------------------------------------------------------------------------


def _due(model, state, *order_by) -> list:
    """Items in ``state`` due within the reminder's days or late, not yet told so."""
    soon = today() + timedelta(days=REMIND_DAYS)
    return db.session.scalars(
        sa.select(model)
        .where(
            model.state == state,
            model.due_on.is_not(None),
            model.due_on <= soon,
            sa.or_(model.overdue_at.is_(None), model.due_reminded_at.is_(None)),
        )
        .order_by(*order_by)
    ).all()


def _tell_now(item, now) -> str | None:
    """``overdue`` or ``due_soon`` when ``item`` is to be told so now (it is marked told: an
    overdue one counts as reminded too); None when it has been."""
    if item.due_on < today():
        if item.overdue_at is None:
            item.overdue_at = now
            item.due_reminded_at = item.due_reminded_at or now
            return "overdue"
        return None
    if item.due_reminded_at is None:
        item.due_reminded_at = now
        return "due_soon"
    return None


def _reviews(done: dict) -> None:
    rows = _due(ReviewAssignment, AssignmentState.ASSIGNED, ReviewAssignment.id)
    for a in rows:
        spec = subject_spec(a.subject_type)
        subject = db.session.get(spec.model, a.subject_id)
        if subject is None or subject.state is not ReviewState.IN_REVIEW:
            continue
        step = _tell_now(a, utcnow())
        if step is None:
            continue
        context = assignment_context(a, subject)
        emit(
            f"review.{step}",
            a.tenant_id,
            [a.expert_id],
            context,
            endpoint="expert.review",
            assignment_id=a.id,
        )
        if step == "overdue":
            emit(
                "review.overdue_admin",
                a.tenant_id,
                admin_ids(a.tenant_id),
                context,
                endpoint=spec.admin_endpoint,
                **{spec.id_arg: subject.id},
            )
        done["reviews_overdue" if step == "overdue" else "reviews_reminded"] += 1


def _candidates(done: dict) -> None:
    rows = _due(
        AdmissionCandidate,
        CandidateState.SUBMITTED,
        AdmissionCandidate.batch_id,
        AdmissionCandidate.row_no,
    )
    # One notice per batch, kind and reader (not one per child).
    groups: dict[tuple[int, str, date], list[AdmissionCandidate]] = defaultdict(list)
    now = utcnow()
    for c in rows:
        step = _tell_now(c, now)
        if step is not None:
            groups[(c.batch_id, f"admission.confirmation_{step}", c.due_on)].append(c)
    for (batch_id, kind, due_on), candidates in groups.items():
        batch = db.session.get(AdmissionBatch, batch_id)
        tell_checkers(batch, kind, candidates, due_on=fmt_date(due_on))
        done["candidates_overdue" if kind.endswith("overdue") else "candidates_reminded"] += len(
            candidates
        )


def tell_checkers(batch: AdmissionBatch, kind: str, candidates, **extra) -> None:
    """Each coordinator hears of the candidates of their municipalities; admins of those of
    municipalities without a coordinator (and of all of them when ``kind`` is overdue)."""
    tenant_id = batch.tenant_id
    by_coordinator = coordinators_of(tenant_id, {c.municipality_id for c in candidates})
    covered = set().union(*by_coordinator.values()) if by_coordinator else set()
    for user_id, municipality_ids in by_coordinator.items():
        mine = [c for c in candidates if c.municipality_id in municipality_ids]
        emit(
            kind,
            tenant_id,
            [user_id],
            {**batch_context(batch, len(mine)), **extra},
            endpoint="coordinator.admission",
        )
    for_admins = (
        candidates
        if kind.endswith("overdue")
        else [c for c in candidates if c.municipality_id not in covered]
    )
    if for_admins:
        emit(
            kind,
            tenant_id,
            admin_ids(tenant_id),
            {**batch_context(batch, len(for_admins)), **extra},
            endpoint="admin.admission_batch",
            batch_id=batch.id,
        )


def process_deadlines() -> dict[str, int]:
    """Across all tenants, as the system: reminders and overdue marks (each sent once)."""
    done = {
        "reviews_reminded": 0,
        "reviews_overdue": 0,
        "candidates_reminded": 0,
        "candidates_overdue": 0,
    }
    _reviews(done)
    _candidates(done)
    db.session.flush()
    return done
