"""The one function that changes a workflow state: check the table, record, audit.

It flushes; the view commits once. Items carry a ``version`` column (SQLAlchemy's
``version_id_col``), so of two people acting at once the second flush fails with
``StaleDataError``; views turn that (and a stale ``expected_version`` from the form) into
"the item changed meanwhile".
"""

from __future__ import annotations

from workflows.engine import Action, Machine, TransitionRecord, apply

from ..errors import StaleItem
from ..extensions import db
from ..models import SubjectType, TransitionLog
from .audit import record


def transition(
    machine: Machine,
    item,
    subject_type: SubjectType,
    action: str,
    *,
    role: str,
    user_id: int | None,
    comment: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
    state_attr: str = "state",
    subject_id: int | None = None,
) -> TransitionRecord | None:
    """Apply ``action``; returns None (and changes nothing) when the item is already where
    this action leads (a double submit).

    ``subject_id`` files the record under another item than ``item`` (an expert's
    assignment is logged in the history of the application it reviews).

    ``role`` is the role the actor acts in (the view's current context, or ``SYSTEM``); the
    machine's table decides whether it may act, before anything else."""
    machine.check_role(action, role)
    if expected_version is not None and getattr(item, "version", None) != expected_version:
        current = getattr(item, state_attr)
        if _already_done(machine, current, action):
            return None
        raise StaleItem()
    current = getattr(item, state_attr)
    if _already_done(machine, current, action):
        return None
    rec = apply(
        machine,
        item,
        Action(action, role, actor_id=user_id, comment=comment or "", data=data or {}),
        state_attr=state_attr,
    )
    log_step(
        item.tenant_id,
        machine.name,
        subject_type,
        item.id if subject_id is None else subject_id,
        rec.action,
        rec.from_state,
        rec.to_state,
        role=rec.role,
        user_id=user_id,
        comment=rec.comment,
        at=rec.at,
    )
    record(
        f"{machine.name}.{action}",
        item,
        tenant_id=item.tenant_id,
        from_state=rec.from_state,
        to_state=rec.to_state,
    )
    db.session.flush()
    return rec


def decision(
    machine: Machine, item, subject_type: SubjectType, action: str, *, decided: dict, **kwargs
):
    """:func:`transition` for a decision: ``decided`` (the fields that record it: who, when,
    the validity) is set in the same UPDATE as the new state, as the CHECK constraints want,
    and put back when the transition is refused (the caller rolls back the rest)."""
    previous = {name: getattr(item, name) for name in decided}
    for name, value in decided.items():
        setattr(item, name, value)
    try:
        return transition(machine, item, subject_type, action, **kwargs)
    except Exception:
        for name, value in previous.items():
            setattr(item, name, value)
        raise


def log_step(
    tenant_id: int,
    machine: str,
    subject_type: SubjectType,
    subject_id: int,
    action: str,
    from_state: str,
    to_state: str,
    *,
    role: str,
    user_id: int | None,
    comment: str = "",
    at=None,
) -> TransitionLog:
    """Add one history row. :func:`transition` uses it; so do steps that are not a state
    change of the subject itself (an expert assigned to it, say)."""
    row = TransitionLog(
        tenant_id=tenant_id,
        machine=machine,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        role=str(role),
        user_id=user_id,
        comment=comment or None,
    )
    if at is not None:
        row.at = at
    db.session.add(row)
    return row


def _already_done(machine: Machine, current, action: str) -> bool:
    targets = {t.target for t in machine.transitions if t.action == action}
    sources = {s for t in machine.transitions if t.action == action for s in t.sources}
    return current in targets and current not in sources
