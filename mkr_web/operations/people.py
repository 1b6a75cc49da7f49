"""Writing persons: create, edit (optimistic locking), lifecycle transitions with their dated
history, consents, achievements and own projects. Everything flushes; the view commits.

Audit details name fields and ids, never the values (they are personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflows.consent import ConsentPurpose
from workflows.engine import SYSTEM
from workflows.lifecycle import LIFECYCLE, PersonStatus

from ..errors import OperationError, StaleItem
from ..extensions import db
from ..models import (
    Achievement,
    AchievementLevel,
    Consent,
    ConsentGiver,
    Municipality,
    Organization,
    OrganizationKind,
    Person,
    PersonProject,
    PersonStatusChange,
    StoredFile,
    SubjectType,
)
from . import snils as snils_rules
from .audit import record
from .transitions import transition

#: The fields a person's form edits (and the import fills).
PERSON_FIELDS = (
    "surname",
    "name",
    "patronymic",
    "birth_on",
    "organization_id",
    "municipality_id",
    "grade",
    "email",
    "phone",
    "parent_name",
    "parent_phone",
    "parent_email",
    "social_url",
    "snils",
)
MAX_SCAN_BYTES = 10 * 1024 * 1024


def _clean(value):
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


def _check_refs(tenant_id: int, data: dict) -> None:
    """Organisation and municipality must be the tenant's; the municipality follows the
    organisation when only the organisation is given."""
    org_id = data.get("organization_id")
    if org_id:
        org = db.session.get(Organization, org_id)
        if org is None or org.tenant_id != tenant_id:
            raise OperationError("Организация не найдена в справочнике проекта.")
        if not data.get("municipality_id"):
            data["municipality_id"] = org.municipality_id
    muni_id = data.get("municipality_id")
    if muni_id:
        muni = db.session.get(Municipality, muni_id)
        if muni is None or muni.tenant_id != tenant_id:
            raise OperationError("Муниципалитет не найден в справочнике проекта.")


def _validate(data: dict) -> None:
    if not data.get("surname") or not data.get("name"):
        raise OperationError("Укажите фамилию и имя.")
    if "snils" in data:
        data["snils"] = snils_rules.normalize(data["snils"])
    born = data.get("birth_on")
    if born is not None and not (date(1900, 1, 1) <= born <= date.today()):
        raise OperationError("Дата рождения вне допустимого диапазона.")


def normalize_social_url(url: str | None) -> str | None:
    """``https://www.VK.com/id1/`` → ``vk.com/id1``: the key for matching profiles."""
    if not url:
        return None
    text = url.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    for prefix in ("www.", "m."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.rstrip("/") or None


def _check_snils_free(tenant_id: int, snils: str | None, person_id: int | None = None) -> None:
    """A СНИЛС belongs to one person of the tenant (the unique constraint backs it)."""
    if not snils:
        return
    q = sa.select(Person.id).where(Person.tenant_id == tenant_id, Person.snils == snils)
    if person_id is not None:
        q = q.where(Person.id != person_id)
    if db.session.scalar(q.limit(1)) is not None:
        raise OperationError("СНИЛС: этот номер уже указан у другой персоны проекта.")


def create_person(tenant_id: int, data: dict, *, source: str = "form") -> Person:
    data = {k: _clean(data.get(k)) for k in PERSON_FIELDS}
    _validate(data)
    _check_refs(tenant_id, data)
    _check_snils_free(tenant_id, data["snils"])
    person = Person(tenant_id=tenant_id, status=PersonStatus.NONE, **data)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    record("person.create", person, tenant_id=tenant_id, source=source)
    return person


def update_person(person: Person, data: dict, *, expected_version: int | None) -> list[str]:
    """Apply the form's values; returns the names of the changed fields.

    ``expected_version`` is the version the form was loaded with: when the person changed
    since, nothing is written and :class:`StaleItem` is raised. A change committed between
    this check and the flush fails the versioned UPDATE (``StaleDataError``) likewise.
    """
    if person.is_anonymized:
        raise OperationError("Данные обезличены и не редактируются.")
    if expected_version is not None and person.version != expected_version:
        raise StaleItem()
    data = {k: _clean(data.get(k)) for k in PERSON_FIELDS if k in data}
    merged = {k: getattr(person, k) for k in PERSON_FIELDS} | data
    _validate(merged)
    if "snils" in data:
        data["snils"] = merged["snils"]
        _check_snils_free(person.tenant_id, data["snils"], person.id)
    if data.get("organization_id") and "municipality_id" not in data:
        data["municipality_id"] = None
    _check_refs(person.tenant_id, data)
    changed = [k for k, v in data.items() if getattr(person, k) != v]
    if not changed:
        return []
    for key in changed:
        setattr(person, key, data[key])
    person.refresh_search_name()
    record("person.update", person, fields=sorted(changed))
    db.session.flush()
    return changed


def last_status_change(person: Person) -> PersonStatusChange | None:
    return db.session.execute(
        db.select(PersonStatusChange)
        .where(PersonStatusChange.person_id == person.id)
        .order_by(PersonStatusChange.changed_on.desc(), PersonStatusChange.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def change_status(
    person: Person,
    action: str,
    *,
    on: date,
    role: str,
    user_id: int | None,
    comment: str = "",
    basis: str | None = None,
    edition_id: int | None = None,
    organization_id: int | None = None,
    expected_version: int | None = None,
    check_dates: bool = True,
) -> PersonStatusChange | None:
    """Move ``person`` through the lifecycle machine and record the dated change.

    Returns None for a double submit (the person is already where ``action`` leads).
    Refusals (:class:`TransitionRefused`, :class:`OperationError`) carry the user's message.
    """
    LIFECYCLE.check_role(action, role)
    if check_dates:
        if on > date.today():
            raise OperationError("Дата изменения статуса не может быть в будущем.")
        last = last_status_change(person)
        if last is not None and on < last.changed_on:
            raise OperationError(
                f"Дата раньше последнего изменения статуса ({last.changed_on:%d.%m.%Y})."
            )
    university = None
    if organization_id:
        university = db.session.get(Organization, organization_id)
        if university is None or university.tenant_id != person.tenant_id:
            raise OperationError("Организация не найдена в справочнике проекта.")
        if action == "enrol_university" and university.kind not in (
            OrganizationKind.UNIVERSITY,
            OrganizationKind.COLLEGE,
        ):
            raise OperationError("Для перевода в студенты выберите вуз или колледж.")
    before, reason_before = person.status, person.status_reason
    step = LIFECYCLE.find(before, action)
    if step is not None and step.target is PersonStatus.EXCLUDED:
        # Set before the transition flushes: the database requires a reason for "excluded".
        person.status_reason = (comment or "").strip() or None
    try:
        rec = transition(
            LIFECYCLE,
            person,
            SubjectType.PERSON,
            action,
            role=role,
            user_id=user_id,
            comment=comment,
            expected_version=expected_version,
            state_attr="status",
        )
    except Exception:
        person.status_reason = reason_before
        raise
    if rec is None:
        return None
    after = person.status
    comment = (comment or "").strip() or None
    if action == "enrol_university" and university is not None:
        person.organization_id = university.id
        person.municipality_id = university.municipality_id or person.municipality_id
        basis = basis or f"Поступление: {university.name}"
    _after_step(person, before, Step(action, on, basis, edition_id, comment or ""))
    change = PersonStatusChange(
        tenant_id=person.tenant_id,
        person_id=person.id,
        from_status=before,
        to_status=after,
        changed_on=on,
        action=action,
        comment=comment,
        basis=basis,
        edition_id=edition_id,
        user_id=user_id,
    )
    db.session.add(change)
    db.session.flush()
    return change


@dataclass(frozen=True)
class Step:
    """One lifecycle step of a new person in a bulk load (import, demo)."""

    action: str
    on: date
    basis: str | None = None
    edition_id: int | None = None
    comment: str = ""


def _after_step(person: Person, before: PersonStatus, step: Step) -> None:
    after = person.status
    person.status_since = step.on
    person.status_reason = (step.comment or None) if after is PersonStatus.EXCLUDED else None
    if after.is_resident and person.admission_on is None:
        person.admission_on = step.on
        person.admission_basis = step.basis
        person.admission_edition_id = step.edition_id


def save_scan(tenant_id: int, upload, user_id: int | None) -> StoredFile:
    """A consent scan: PDF, JPEG or PNG, checked by content (documents.upload_checks)."""
    from ..documents.storage import read_document, save_bytes

    data, content_type, suffix = read_document(upload, ("pdf", "jpeg", "png"), MAX_SCAN_BYTES)
    return save_bytes(tenant_id, "consent", f"consent{suffix}", data, content_type, user_id)


def add_consent(
    person: Person,
    *,
    given_on: date,
    given_by: ConsentGiver,
    giver_name: str | None,
    purposes=None,
    upload=None,
    user_id: int | None,
) -> Consent:
    """Record a consent for ``purposes`` (default: all three) with the tenant's expiry."""
    from .consents import ALL_PURPOSES, new_consent

    if person.is_anonymized:
        raise OperationError("Данные обезличены и не редактируются.")
    if given_on > date.today():
        raise OperationError("Дата согласия не может быть в будущем.")
    if purposes is not None and not purposes:
        raise OperationError("Отметьте, на что дано согласие.")
    file = save_scan(person.tenant_id, upload, user_id) if upload and upload.filename else None
    consent = new_consent(
        person,
        given_on=given_on,
        given_by=given_by,
        giver_name=_clean(giver_name),
        purposes=ALL_PURPOSES if purposes is None else purposes,
        file=file,
        user_id=user_id,
    )
    record(
        "person.consent_add",
        person,
        consent_id=consent.id,
        has_scan=file is not None,
        purposes=sorted(p.value for p in consent.purposes),
    )
    return consent


def add_achievement(
    person: Person,
    *,
    title: str,
    level: AchievementLevel,
    result: str,
    achieved_on: date,
    is_success_story: bool = False,
) -> Achievement:
    if not _clean(title) or not _clean(result):
        raise OperationError("Укажите название и результат.")
    if is_success_story:
        from .consents import require_consent

        # A success story is published: it needs the consent to publication.
        require_consent(person, ConsentPurpose.PUBLICATION, date.today())
    item = Achievement(
        tenant_id=person.tenant_id,
        person_id=person.id,
        title=_clean(title),
        level=level,
        result=_clean(result),
        achieved_on=achieved_on,
        is_success_story=is_success_story,
    )
    db.session.add(item)
    db.session.flush()
    record("person.achievement_add", person, achievement_id=item.id)
    return item


def add_project(
    person: Person, *, title: str, role: str, support_kind: str, year: int
) -> PersonProject:
    if not (_clean(title) and _clean(role) and _clean(support_kind)):
        raise OperationError("Укажите название, роль и вид поддержки.")
    item = PersonProject(
        tenant_id=person.tenant_id,
        person_id=person.id,
        title=_clean(title),
        role=_clean(role),
        support_kind=_clean(support_kind),
        year=year,
    )
    db.session.add(item)
    db.session.flush()
    record("person.project_add", person, project_id=item.id)
    return item


def delete_child(person: Person, model, item_id: int) -> None:
    """Remove one achievement or project of ``person`` (404-like refusal otherwise)."""
    item = db.session.get(model, item_id)
    if item is None or item.person_id != person.id:
        raise OperationError("Запись не найдена.")
    db.session.delete(item)
    record(f"person.{model.__tablename__}_delete", person, item_id=item_id)
    db.session.flush()


def mark_potential_many(
    tenant_id: int, members: list[dict], *, role: str, user_id: int | None, on: date
) -> list[Person]:
    """Create persons with status potential (social-network matching). ``members`` carry
    ``surname``, ``name``, ``social_url``; or ``person_id`` of a known person in status none."""
    made = []
    for m in members:
        if m.get("person_id"):
            person = db.session.get(Person, m["person_id"])
            if person is None or person.tenant_id != tenant_id:
                raise OperationError("Запись не найдена.")
        else:
            person = create_person(tenant_id, m, source="social")
        change_status(
            person,
            "mark_potential",
            on=on,
            role=role,
            user_id=user_id,
            basis="Сообщество в социальной сети",
        )
        made.append(person)
    return made


__all__ = [
    "PERSON_FIELDS",
    "SYSTEM",
    "StaleItem",
    "add_achievement",
    "add_consent",
    "add_project",
    "change_status",
    "create_person",
    "delete_child",
    "mark_potential_many",
    "update_person",
]
