"""Merging two records of one person: the admin picks the surviving record and, field by
field, which values to keep; every row that names the other record moves to the survivor in
the request's one transaction, and the other record is deleted.

The two status histories become one: their changes, in date order, are replayed through the
lifecycle machine. A change that repeats the status already reached (the same admission
recorded on both records) is dropped; any other change the machine does not allow from the
replayed status refuses the merge, naming it, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workflows.lifecycle import LIFECYCLE, PersonStatus

from ..errors import OperationError, StaleItem, TransitionRefused
from ..extensions import db
from ..models import (
    Achievement,
    AdmissionCandidate,
    AuditEntry,
    Certificate,
    CertificateKind,
    Consent,
    DuplicatePair,
    Nomination,
    Participation,
    Person,
    PersonMerge,
    PersonProject,
    PersonStatusChange,
    Placement,
    SubjectType,
    TransitionLog,
)
from .audit import record
from .people import PERSON_FIELDS

#: The fields the admin chooses between (the card's data; status and history are merged).
MERGE_FIELDS = PERSON_FIELDS


@dataclass(frozen=True)
class MergedHistory:
    final: PersonStatus
    dropped: list[int]  # PersonStatusChange ids that repeated a status already reached
    rewired: dict[int, PersonStatus]  # change id -> its from_status in the merged history


def merged_history(changes: list[PersonStatusChange]) -> MergedHistory:
    """Replay ``changes`` (of both records) in date order; refuse what the machine forbids."""
    state = PersonStatus.NONE
    dropped, rewired = [], {}
    for c in sorted(changes, key=lambda c: (c.changed_on, c.recorded_at, c.id)):
        if c.to_status is state:
            dropped.append(c.id)
            continue
        step = LIFECYCLE.find(state, c.action)
        if step is None or step.target is not c.to_status:
            raise TransitionRefused(
                "Объединение невозможно: в общей истории статусов переход "
                f"{c.changed_on:%d.%m.%Y} «{LIFECYCLE.title(c.action)}» "
                f"из статуса «{state.title_ru}» недопустим. Исправьте историю одной из "
                "записей и повторите."
            )
        if c.from_status is not state:
            rewired[c.id] = state
        state = c.to_status
    return MergedHistory(state, dropped, rewired)


def _move(model, column, survivor_id: int, merged_id: int, *where) -> int:
    result = db.session.execute(
        sa.update(model)
        .where(column == merged_id, *where)
        .values({column.key: survivor_id})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _drop_clashes(model, keys: tuple[str, ...], survivor_id: int, merged_id: int) -> int:
    """Rows of the merged record that the survivor already has (the same ``keys``): deleted,
    so the unique constraint holds after the move."""
    theirs = sa.orm.aliased(model)
    same = (
        sa.select(theirs.id)
        .where(
            theirs.person_id == survivor_id,
            *(getattr(theirs, k) == getattr(model, k) for k in keys),
        )
        .exists()
    )
    result = db.session.execute(
        sa.delete(model)
        .where(model.person_id == merged_id, same)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def merge_persons(
    survivor: Person,
    merged: Person,
    *,
    take: set[str],
    user_id: int | None,
    survivor_version: int | None = None,
    merged_version: int | None = None,
) -> PersonMerge:
    """Fold ``merged`` into ``survivor``; ``take`` names the fields whose value comes from
    ``merged``. Flushes; the view commits."""
    if survivor.id == merged.id:
        raise OperationError("Выберите две разные записи.")
    if survivor.tenant_id != merged.tenant_id:
        raise OperationError("Записи разных проектов не объединяются.")
    if survivor.is_anonymized or merged.is_anonymized:
        raise OperationError("Обезличенные записи не объединяются.")
    if (survivor_version is not None and survivor.version != survivor_version) or (
        merged_version is not None and merged.version != merged_version
    ):
        raise StaleItem()
    unknown = set(take) - set(MERGE_FIELDS)
    if unknown:
        raise OperationError("Неизвестные поля: " + ", ".join(sorted(unknown)) + ".")
    certificates = db.session.scalars(
        sa.select(Certificate.number).where(
            Certificate.kind == CertificateKind.RESIDENT,
            Certificate.subject_id.in_([survivor.id, merged.id]),
        )
    ).all()
    if len(certificates) > 1:
        raise OperationError(
            "Объединение невозможно: у обеих записей есть свидетельство резидента ("
            + ", ".join(sorted(certificates))
            + "). Аннулируйте одно из них и повторите."
        )
    changes = list(
        db.session.scalars(
            sa.select(PersonStatusChange).where(
                PersonStatusChange.person_id.in_([survivor.id, merged.id])
            )
        )
    )
    history = merged_history(changes)

    s, m = survivor.id, merged.id
    moved: dict[str, int] = {}
    moved["participations_dropped"] = _drop_clashes(Participation, ("edition_id", "role"), s, m)
    moved["placements_dropped"] = _drop_clashes(Placement, ("opportunity_id",), s, m)
    for name, model in (
        ("consents", Consent),
        ("achievements", Achievement),
        ("projects", PersonProject),
        ("participations", Participation),
        ("placements", Placement),
        ("nominations", Nomination),
        ("candidates", AdmissionCandidate),
    ):
        moved[name] = _move(model, model.person_id, s, m)
    for change in changes:
        if change.id in history.dropped:
            db.session.delete(change)
        else:
            change.person_id = s
            if change.id in history.rewired:
                change.from_status = history.rewired[change.id]
    moved["statuses"] = len(changes) - len(history.dropped)
    moved["statuses_dropped"] = len(history.dropped)
    moved["certificates"] = _move(
        Certificate, Certificate.subject_id, s, m, Certificate.kind == CertificateKind.RESIDENT
    )
    moved["transitions"] = _move(
        TransitionLog,
        TransitionLog.subject_id,
        s,
        m,
        TransitionLog.subject_type == SubjectType.PERSON,
    )
    moved["audit"] = _move(
        AuditEntry, AuditEntry.object_id, s, m, AuditEntry.object_type == "Person"
    )
    _move(PersonMerge, PersonMerge.survivor_id, s, m)
    db.session.execute(
        sa.delete(DuplicatePair)
        .where(sa.or_(DuplicatePair.person_a_id == m, DuplicatePair.person_b_id == m))
        .execution_options(synchronize_session=False)
    )

    values = {field: getattr(merged, field) for field in take}
    if "snils" in take and merged.snils:
        merged.snils = None  # unique per tenant: the number leaves the merged record first
        db.session.flush()
    for field in sorted(take):
        setattr(survivor, field, values[field])
    survivor.refresh_search_name()
    _merge_status(survivor, merged, history, changes)
    db.session.flush()
    db.session.delete(merged)
    merge = PersonMerge(
        tenant_id=survivor.tenant_id,
        survivor_id=s,
        merged_id=m,
        fields=sorted(take),
        moved=moved,
        merged_by_id=user_id,
    )
    db.session.add(merge)
    db.session.flush()
    db.session.expire_all()
    record("person.merge", survivor, merged_id=m, fields=sorted(take), moved=moved)
    db.session.flush()
    return merge


def _merge_status(survivor: Person, merged: Person, history: MergedHistory, changes) -> None:
    """The survivor's status is where the merged history ends; its dates and basis follow
    the history (the earliest admission of the two)."""
    kept = sorted(
        (c for c in changes if c.id not in history.dropped),
        key=lambda c: (c.changed_on, c.recorded_at, c.id),
    )
    survivor.status = history.final
    survivor.status_since = kept[-1].changed_on if kept else survivor.status_since
    if history.final is PersonStatus.EXCLUDED:
        survivor.status_reason = survivor.status_reason or merged.status_reason
    else:
        survivor.status_reason = None
    admitted = [p for p in (survivor, merged) if p.admission_on is not None]
    if admitted:
        first = min(admitted, key=lambda p: p.admission_on)
        survivor.admission_on = first.admission_on
        survivor.admission_basis = first.admission_basis
        survivor.admission_edition_id = first.admission_edition_id
