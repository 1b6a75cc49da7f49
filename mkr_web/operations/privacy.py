"""Personal-data rights: export one person's data, anonymise a person who left.

Anonymisation keeps what the reports count (status history, participations, placements,
municipality, organisation, admission date and basis) and removes the identity: names become
a placeholder, the birth date its year's 1 January, contacts, parent data and the social
link are cleared, consent scans are deleted from storage and from the database, and the
admission rows that repeated the person's data are scrubbed the same way.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus

from ..documents.storage import absolute_path
from ..errors import OperationError
from ..extensions import db
from ..models import (
    Achievement,
    AdmissionCandidate,
    Consent,
    Event,
    EventEdition,
    Participation,
    Person,
    PersonProject,
    PersonStatusChange,
    Placement,
    StoredFile,
)
from .audit import record

ANONYMOUS_SURNAME = "Обезличено"
ANONYMIZABLE = (PersonStatus.ALUMNI, PersonStatus.EXCLUDED)
CLEARED_FIELDS = (
    "patronymic",
    "email",
    "phone",
    "parent_name",
    "parent_phone",
    "parent_email",
    "social_url",
    "snils",
)


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def person_data(person: Person) -> dict:
    """Everything the bank holds about ``person``, as JSON-ready data."""

    def rows(model, order):
        return db.session.scalars(
            sa.select(model).where(model.person_id == person.id).order_by(*order)
        ).all()

    consents = rows(Consent, [Consent.given_on, Consent.id])
    participations = db.session.execute(
        sa.select(Participation, EventEdition.year, Event.title)
        .join(EventEdition, EventEdition.id == Participation.edition_id)
        .join(Event, Event.id == EventEdition.event_id)
        .where(Participation.person_id == person.id)
        .order_by(EventEdition.year, Event.title)
    ).all()
    return {
        "id": person.id,
        "surname": person.surname,
        "name": person.name,
        "patronymic": person.patronymic,
        "birth_on": _iso(person.birth_on),
        "snils": person.snils,
        "municipality": person.municipality.name if person.municipality else None,
        "organization": person.organization.name if person.organization else None,
        "grade": person.grade,
        "email": person.email,
        "phone": person.phone,
        "parent": {
            "name": person.parent_name,
            "phone": person.parent_phone,
            "email": person.parent_email,
        },
        "social_url": person.social_url,
        "status": person.status.value,
        "status_since": _iso(person.status_since),
        "status_reason": person.status_reason,
        "admission_on": _iso(person.admission_on),
        "admission_basis": person.admission_basis,
        "is_anonymized": person.is_anonymized,
        "status_history": [
            {
                "on": _iso(c.changed_on),
                "from": c.from_status.value if c.from_status else None,
                "to": c.to_status.value,
                "action": c.action,
                "comment": c.comment,
                "basis": c.basis,
            }
            for c in rows(
                PersonStatusChange, [PersonStatusChange.changed_on, PersonStatusChange.id]
            )
        ],
        "consents": [
            {
                "given_on": _iso(c.given_on),
                "given_by": c.given_by.value,
                "giver_name": c.giver_name,
                "scan": c.file.filename if c.file else None,
            }
            for c in consents
        ],
        "achievements": [
            {
                "title": a.title,
                "level": a.level.value,
                "result": a.result,
                "achieved_on": _iso(a.achieved_on),
                "is_success_story": a.is_success_story,
            }
            for a in rows(Achievement, [Achievement.achieved_on, Achievement.id])
        ],
        "projects": [
            {"title": p.title, "role": p.role, "support_kind": p.support_kind, "year": p.year}
            for p in rows(PersonProject, [PersonProject.year, PersonProject.id])
        ],
        "participations": [
            {
                "event": title,
                "year": year,
                "role": p.role.value,
                "place": p.place,
                "section": p.section,
            }
            for p, year, title in participations
        ],
        "placements": [
            {"opportunity": pl.opportunity.title, "placed_on": _iso(pl.placed_on)}
            for pl in rows(Placement, [Placement.placed_on, Placement.id])
        ],
    }


def export_person_data(person: Person) -> dict:
    data = person_data(person)
    record("person.data_export", person)
    return data


def anonymize_person(
    person: Person,
    *,
    expected_version: int | None = None,
    any_status: bool = False,
    reason: str = "manual",
) -> list:
    """Anonymise ``person``; returns the paths of the deleted scans' bytes, which the caller
    unlinks after the commit (see :func:`unlink_files`), so a rollback loses no file.
    ``any_status``: the retention schedule's batch (a withdrawn consent ends the keeping of
    anyone's data, whatever their status)."""
    if person.is_anonymized:
        raise OperationError("Данные этого человека уже обезличены.")
    if not any_status and person.status not in ANONYMIZABLE:
        raise OperationError(
            "Обезличить можно только партнёра (бывшего резидента) или исключённого."
        )
    if expected_version is not None and person.version != expected_version:
        from ..errors import StaleItem

        raise StaleItem()
    person.surname = ANONYMOUS_SURNAME
    person.name = f"№ {person.id}"
    for field in CLEARED_FIELDS:
        setattr(person, field, None)
    if person.birth_on is not None:
        person.birth_on = date(person.birth_on.year, 1, 1)
    person.refresh_search_name()
    person.is_anonymized = True

    files = []
    for consent in db.session.scalars(sa.select(Consent).where(Consent.person_id == person.id)):
        if consent.file is not None:
            files.append(consent.file)
            consent.file = None
        consent.giver_name = None
        consent.withdrawal_note = None
    for candidate in db.session.scalars(
        sa.select(AdmissionCandidate).where(AdmissionCandidate.person_id == person.id)
    ):
        candidate.surname = person.surname
        candidate.name = person.name
        candidate.patronymic = None
        candidate.birth_on = date(candidate.birth_on.year, 1, 1)
        candidate.parent_contact = None
        candidate.snils = None
    db.session.flush()
    paths = [absolute_path(f) for f in files]
    for f in files:
        db.session.delete(f)
    details = {"scans_deleted": len(files)}
    if reason != "manual":
        details["reason"] = reason
    record("person.anonymize", person, **details)
    db.session.flush()
    return paths


def unlink_files(paths) -> None:
    """Delete stored bytes (after the commit that deleted their rows)."""
    for path in paths:
        path.unlink(missing_ok=True)


__all__ = ["StoredFile", "anonymize_person", "export_person_data", "person_data", "unlink_files"]
