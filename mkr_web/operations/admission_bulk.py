"""A checker confirms many admission candidates at once (DOMAIN 4.2, issue 12 item 6).

Each row brings its consent: "on file" or a scan, with the consent's date. Rows without a
consent, or that cannot be confirmed (a near match the admin has not settled, another state),
are refused by name; the others are confirmed, all in the caller's one transaction (each row
in a savepoint, so a refused row leaves nothing half-written). The admins hear once per batch
whose last row this confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..documents.formats import counted
from ..errors import REFUSALS, OperationError
from ..extensions import db
from ..models import AdmissionBatch, AdmissionCandidate, Membership
from . import admission_notices as notices
from .admission import confirm_candidate
from .audit import record

MAX_ROWS = 500


@dataclass
class ConsentRow:
    candidate: AdmissionCandidate
    consent_on: date | None
    on_file: bool = False
    scan: object | None = None  # an uploaded PDF (werkzeug FileStorage)


@dataclass
class BulkResult:
    confirmed: list[int] = field(default_factory=list)  # candidate ids
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def _name(c: AdmissionCandidate) -> str:
    return " ".join(p for p in (c.surname, c.name, c.patronymic) if p)


def confirm_many(rows: list[ConsentRow], membership: Membership) -> BulkResult:
    if not rows:
        raise OperationError("Отметьте кандидатов, которых подтверждаете.")
    if len(rows) > MAX_ROWS:
        raise OperationError(
            f"За один раз — не больше {counted(MAX_ROWS, 'кандидата', 'кандидатов', 'кандидатов')}."
        )
    result = BulkResult()
    batches: dict[int, AdmissionBatch] = {}
    for r in rows:
        c = r.candidate
        if not r.on_file and r.scan is None:
            result.refused.append(
                (_name(c), "нет согласия: отметьте «оригинал у меня» или приложите скан")
            )
            continue
        try:
            with db.session.begin_nested():
                rec = confirm_candidate(
                    c,
                    membership,
                    consent_on=r.consent_on,
                    scan=r.scan,
                    on_file=r.on_file,
                    notice=False,
                )
        except REFUSALS as exc:
            result.refused.append((_name(c), str(exc)))
            continue
        if rec is not None:
            result.confirmed.append(c.id)
            batches[c.batch_id] = c.batch
    for batch in batches.values():
        notices.maybe_all_confirmed(batch)
    if result.confirmed:
        record(
            "admission_candidate.confirm_many",
            None,
            tenant_id=membership.tenant_id,
            confirmed=len(result.confirmed),
            refused=len(result.refused),
        )
    return result
