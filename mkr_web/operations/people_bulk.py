"""Creating many persons at once (an import, the demo, test worlds): each with its status
history checked by the lifecycle machine, inserted in a few statements with their transition
log, dated status changes and audit entries (:mod:`.bulk`: COPY on PostgreSQL). Everything
flushes; the caller commits (or rolls back: nothing is half-written).
"""

from __future__ import annotations

from sqlalchemy.orm import make_transient_to_detached

from workflows.engine import Action, apply
from workflows.lifecycle import LIFECYCLE, PersonStatus

from ..extensions import db
from ..models import (
    AuditEntry,
    Person,
    PersonStatusChange,
    SubjectType,
    TransitionLog,
    normalize_name,
)
from ..models.base import utcnow
from . import bulk
from .people import PERSON_FIELDS, Step, _after_step, _clean, _validate

__all__ = ["Step", "add_persons_bulk", "insert_persons_bulk"]

#: The columns the bulk creation of persons writes: persons, their audit, log and history.
COPIED_COLUMNS = (
    *PERSON_FIELDS,
    "tenant_id",
    "search_name",
    "status",
    "status_since",
    "status_reason",
    "admission_on",
    "admission_basis",
    "admission_edition_id",
    "id",
    "created_at",
    "updated_at",
    "version",
    "is_anonymized",
)
AUDIT_COLUMNS = (
    "tenant_id",
    "user_id",
    "role",
    "at",
    "action",
    "object_type",
    "object_id",
    "details",
)
LOG_COLUMNS = (
    "tenant_id",
    "machine",
    "subject_type",
    "subject_id",
    "action",
    "from_state",
    "to_state",
    "role",
    "user_id",
    "comment",
    "at",
)
CHANGE_COLUMNS = (
    "tenant_id",
    "person_id",
    "from_status",
    "to_status",
    "changed_on",
    "action",
    "comment",
    "basis",
    "edition_id",
    "user_id",
    "recorded_at",
)


class _Draft:
    """A new person's lifecycle fields while its steps are applied (what :func:`apply` and
    :func:`_after_step` read and set), before any ORM object exists."""

    __slots__ = (
        "status",
        "status_since",
        "status_reason",
        "admission_on",
        "admission_basis",
        "admission_edition_id",
    )

    def __init__(self):
        self.status = PersonStatus.NONE
        self.status_since = self.status_reason = self.admission_on = None
        self.admission_basis = self.admission_edition_id = None


def add_persons_bulk(
    tenant_id: int,
    items: list[tuple[dict, list[Step]]],
    *,
    role: str,
    user_id: int | None,
    source: str,
    audit_role: str | None = None,
) -> list[Person]:
    """Create many persons with their status histories in a few statements.

    Each step is checked by the lifecycle machine (an illegal step raises
    ``TransitionRefused``, and the caller's transaction rolls back); the persons are
    inserted with their final state, then their transition log, dated status changes and
    audit entries are inserted in bulk (:mod:`.bulk`: COPY on PostgreSQL). Callers resolve
    organisation/municipality ids. The returned persons are in the session either way.
    """
    rows, histories = _bulk_rows(tenant_id, items, role, user_id)
    if bulk.copies() and rows:
        _copy_persons(rows)
        # each person joins the session as if loaded, so callers may go on using it
        persons = [Person(**row) for row in rows]
        for person in persons:
            make_transient_to_detached(person)
            db.session.add(person)
    else:
        persons = [Person(**row) for row in rows]
        db.session.add_all(persons)
        db.session.flush()
    _bulk_history(tenant_id, [p.id for p in persons], histories, user_id, source, audit_role)
    return persons


def insert_persons_bulk(
    tenant_id: int,
    items: list[tuple[dict, list[Step]]],
    *,
    role: str,
    user_id: int | None,
    source: str,
    audit_role: str | None = None,
) -> list[int]:
    """:func:`add_persons_bulk` for a caller that needs only the new ids (an import): on
    PostgreSQL no ORM object is made at all (10,000 persons: ~1 s less); the session does
    not hold the persons."""
    if not bulk.copies():
        persons = add_persons_bulk(
            tenant_id, items, role=role, user_id=user_id, source=source, audit_role=audit_role
        )
        return [p.id for p in persons]
    if not items:
        return []
    ids = bulk.new_ids(Person, len(items))
    now = utcnow()
    histories: list = []

    def rows():
        for new_id, (data, steps) in zip(ids, items, strict=True):
            values, done = _bulk_row(tenant_id, data, steps, role, user_id)
            values.update(id=new_id, created_at=now, updated_at=now, version=1)
            values["is_anonymized"] = False
            histories.append(done)
            yield values

    # each row is checked and made while the ones before it travel (COPY streams)
    bulk.insert_rows(Person, rows(), columns=COPIED_COLUMNS)
    _bulk_history(tenant_id, ids, histories, user_id, source, audit_role)
    return ids


def _bulk_rows(tenant_id: int, items, role: str, user_id: int | None):
    """The person rows (column → value, final state) and each one's applied steps."""
    rows, histories = [], []
    for data, steps in items:
        values, done = _bulk_row(tenant_id, data, steps, role, user_id)
        rows.append(values)
        histories.append(done)
    return rows, histories


def _bulk_row(tenant_id: int, data: dict, steps: list[Step], role: str, user_id: int | None):
    """One new person's row (column → value, final state) and its applied steps."""
    values = {k: _clean(data.get(k)) for k in PERSON_FIELDS}
    _validate(values)
    draft = _Draft()
    done = []
    for step in steps:
        before = draft.status
        rec = apply(
            LIFECYCLE,
            draft,
            Action(step.action, role, actor_id=user_id, comment=step.comment),
            state_attr="status",
        )
        _after_step(draft, before, step)
        done.append((before, step, rec))
    values["tenant_id"] = tenant_id
    values["search_name"] = normalize_name(values["surname"], values["name"], values["patronymic"])
    for attr in _Draft.__slots__:
        values[attr] = getattr(draft, attr)
    return values, done


def _copy_persons(rows: list[dict]) -> None:
    """PostgreSQL: ids from the sequence (set into ``rows``), the rows by COPY (10,000
    persons: ~7 s through the ORM → well under 1 s)."""
    now = utcnow()
    for row, new_id in zip(rows, bulk.new_ids(Person, len(rows)), strict=True):
        row["id"] = new_id
        row["created_at"] = row["updated_at"] = now
        row["version"] = 1
        row["is_anonymized"] = False
    bulk.insert_rows(Person, rows)


def _bulk_history(
    tenant_id: int,
    ids: list[int],
    histories: list,
    user_id: int | None,
    source: str,
    audit_role: str | None,
) -> None:
    """The persons' audit entries, transition log and dated status changes, in bulk (each
    row made while the ones before it travel)."""
    now = utcnow()
    details = {"source": source}

    def audits():
        for person_id in ids:
            yield {
                "tenant_id": tenant_id,
                "user_id": user_id,
                "role": audit_role,
                "at": now,
                "action": "person.create",
                "object_type": "Person",
                "object_id": person_id,
                "details": details,
            }

    def logs():
        for person_id, done in zip(ids, histories, strict=True):
            for _before, _step, rec in done:
                yield {
                    "tenant_id": tenant_id,
                    "machine": rec.machine,
                    "subject_type": SubjectType.PERSON,
                    "subject_id": person_id,
                    "action": rec.action,
                    "from_state": rec.from_state,
                    "to_state": rec.to_state,
                    "role": rec.role,
                    "user_id": user_id,
                    "comment": rec.comment or None,
                    "at": now,
                }

    def changes():
        for person_id, done in zip(ids, histories, strict=True):
            for before, step, rec in done:
                yield {
                    "tenant_id": tenant_id,
                    "person_id": person_id,
                    "from_status": before,
                    "to_status": PersonStatus(rec.to_state),
                    "changed_on": step.on,
                    "action": step.action,
                    "comment": step.comment or None,
                    "basis": step.basis,
                    "edition_id": step.edition_id,
                    "user_id": user_id,
                    "recorded_at": now,
                }

    if ids:
        bulk.insert_rows(AuditEntry, audits(), columns=AUDIT_COLUMNS)
    if any(histories):
        bulk.insert_rows(TransitionLog, logs(), columns=LOG_COLUMNS)
        bulk.insert_rows(PersonStatusChange, changes(), columns=CHANGE_COLUMNS)
