"""Admission of an accredited edition's winners (DOMAIN 4.2).

Organiser: :func:`create_batch` (all-or-nothing), :func:`fix_candidate` (after a return).
Coordinator of the candidate's municipality (or admin when it has none):
:func:`confirm_candidate` with the personal-data consent, :func:`return_candidate`.
Admin: :func:`resolve_match` for near matches, :func:`admit_candidate` /
:func:`reject_candidate`, :func:`admit_confirmed` for a whole batch. Every state change goes
through :func:`operations.transitions.transition`; operations flush, views commit once, and
call :func:`queue_resident_certificate` for each newly admitted person after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from workflows.admission import ADMISSION, CandidateState
from workflows.consent import ConsentPurpose
from workflows.engine import Action
from workflows.lifecycle import ACTIVE_RESIDENT, LIFECYCLE, PersonStatus
from workflows.roles import Role

from ..documents.storage import save_pdf_upload
from ..errors import BatchRejected, OperationError, RowError, StaleItem, TransitionRefused
from ..extensions import db
from ..models import (
    Achievement,
    AchievementLevel,
    AdmissionBatch,
    AdmissionCandidate,
    ConsentGiver,
    EventEdition,
    EventKind,
    EventLevel,
    MatchKind,
    Membership,
    Participation,
    ParticipationRole,
    Person,
    PersonStatusChange,
    SubjectType,
    User,
)
from ..models.base import utcnow
from ..queries.admission import match_persons
from . import admission_notices as notices, numbering
from .admission_rows import (
    RESULT_TITLES,
    CandidateRow,
    age_on,
    edition_date,
    is_student,
    split_contact,
    validate_candidate_rows,
)
from .audit import record
from .consents import new_consent, require_consent
from .jobs import require_queue
from .transitions import transition

__all__ = [
    "BatchRejected",
    "RowError",
    "StaleItem",
    "admit_candidate",
    "admit_confirmed",
    "confirm_candidate",
    "create_batch",
    "fix_candidate",
    "queue_resident_certificate",
    "reject_candidate",
    "reject_confirmed",
    "resolve_match",
    "return_candidate",
    "validate_candidate_rows",
]


@dataclass
class Decision:
    """What an admission decision did; the view queues certificates for ``admitted_person_ids``."""

    changed: list[int] = field(default_factory=list)  # candidate ids
    admitted_person_ids: list[int] = field(default_factory=list)
    achievement_person_ids: list[int] = field(default_factory=list)


def queue_resident_certificate(person_id: int, *, tenant_id: int, user_id: int | None = None):
    """Queue the Resident certificate of a newly admitted person (after the commit that
    admitted them): a worker numbers it once and renders its PDF (returns the :class:`Job`)."""
    from .resident_certificates import queue_one

    return queue_one(tenant_id, person_id, user_id=user_id)


def _organiser_membership(user: User, edition: EventEdition) -> Membership:
    membership = db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id,
            Membership.tenant_id == edition.tenant_id,
            Membership.role == Role.ORGANIZER,
        )
    ).scalar_one_or_none()
    if membership is None or membership.organization_id != edition.event.organizer_id:
        raise OperationError("Протокол результатов подаёт организатор этого мероприятия.")
    return membership


BATCH_NUMBER_PREFIX = "ПРОТ"


def next_batch_number(tenant_id: int, year: int) -> str:
    return numbering.next_number(AdmissionBatch, tenant_id, BATCH_NUMBER_PREFIX, year)


def _fill(candidate: AdmissionCandidate, row: CandidateRow) -> None:
    candidate.surname, candidate.name, candidate.patronymic = row.surname, row.name, row.patronymic
    candidate.birth_on = row.birth_on
    candidate.organization_id = row.organization.id
    candidate.organization_name = row.organization.name
    candidate.grade = row.grade
    candidate.municipality_id = row.municipality.id
    candidate.result, candidate.place, candidate.section = row.result, row.place, row.section
    candidate.parent_contact = row.parent_contact
    candidate.snils = row.snils
    candidate.is_student = row.is_student


def _apply_match(candidates: list[AdmissionCandidate]) -> None:
    found = match_persons(
        candidates[0].tenant_id,
        [(c.surname, c.name, c.patronymic, c.birth_on) for c in candidates],
        snils=[c.snils for c in candidates],
    )
    for candidate, (kind, person, _near) in zip(candidates, found, strict=True):
        candidate.match = kind
        candidate.person_id = person.id if person else None


def create_batch(
    edition: EventEdition, rows: list[dict], user: User, *, source_filename: str | None = None
) -> AdmissionBatch:
    """Validate every row and write the batch with its candidates, or write nothing."""
    if edition.event.kind is not EventKind.ACCREDITED:
        raise OperationError("Протокол принимается только по аккредитованному мероприятию.")
    membership = _organiser_membership(user, edition)
    if not rows:
        raise OperationError("В протоколе нет ни одной строки.")
    clean, errors = validate_candidate_rows(membership.tenant, rows, on=edition_date(edition))
    if errors:
        raise BatchRejected(errors)
    batch = AdmissionBatch(
        tenant_id=edition.tenant_id,
        number=next_batch_number(edition.tenant_id, edition.year),
        edition_id=edition.id,
        organizer_id=membership.organization_id,
        source_filename=source_filename,
        created_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    candidates = []
    for row in clean:
        candidate = AdmissionCandidate(
            tenant_id=batch.tenant_id,
            batch_id=batch.id,
            row_no=row.row_no,
            state=CandidateState.SUBMITTED,
        )
        _fill(candidate, row)
        candidates.append(candidate)
    _apply_match(candidates)
    db.session.add_all(candidates)
    db.session.flush()
    record(
        "admission_batch.create",
        batch,
        tenant_id=batch.tenant_id,
        user=user,
        candidates=len(candidates),
    )
    notices.protocol_committed(batch, candidates)
    return batch


def fix_candidate(
    candidate: AdmissionCandidate,
    raw: dict,
    membership: Membership,
    *,
    expected_version: int | None = None,
):
    """The organiser corrects a returned row and sends it back to the coordinator."""
    ADMISSION.check_role("resubmit", membership.role)
    if candidate.state is not CandidateState.NEEDS_FIX:
        if candidate.state is CandidateState.SUBMITTED:
            return None  # a double submit
        raise TransitionRefused("Исправлять можно только строку, возвращённую на исправление.")
    if expected_version is not None and candidate.version != expected_version:
        raise StaleItem()
    clean, errors = validate_candidate_rows(
        membership.tenant,
        [{**raw, "row_no": candidate.row_no}],
        on=edition_date(candidate.batch.edition),
    )
    if errors:
        raise BatchRejected(errors)
    _fill(candidate, clean[0])
    _apply_match([candidate])
    candidate.reason = None
    record(
        "admission_candidate.update",
        candidate,
        tenant_id=candidate.tenant_id,
        fields=[k for k in raw if k != "row_no"],
    )
    rec = transition(
        ADMISSION,
        candidate,
        SubjectType.CANDIDATE,
        "resubmit",
        role=membership.role,
        user_id=membership.user_id,
    )
    if rec is not None:
        notices.resubmitted(candidate)
    return rec


def _action(name: str, membership: Membership, comment: str = "") -> Action:
    return Action(name, str(membership.role), actor_id=membership.user_id, comment=comment)


def _check_scope(candidate: AdmissionCandidate, membership: Membership) -> None:
    if membership.tenant_id != candidate.tenant_id:
        raise OperationError("Кандидат другого проекта.")
    if membership.role is Role.COORDINATOR and candidate.municipality_id not in {
        m.id for m in membership.municipalities
    }:
        raise OperationError("Кандидат не из ваших муниципалитетов.")


def _new_person(candidate: AdmissionCandidate) -> Person:
    parent_name, parent_phone, parent_email = split_contact(candidate.parent_contact)
    person = Person(
        tenant_id=candidate.tenant_id,
        surname=candidate.surname,
        name=candidate.name,
        patronymic=candidate.patronymic,
        birth_on=candidate.birth_on,
        organization_id=candidate.organization_id,
        municipality_id=candidate.municipality_id,
        grade=candidate.grade,
        parent_name=parent_name,
        parent_phone=parent_phone,
        parent_email=parent_email,
        snils=candidate.snils,
        status=PersonStatus.NONE,
    )
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    record(
        "person.create",
        person,
        tenant_id=person.tenant_id,
        source="admission_candidate",
        candidate_id=candidate.id,
    )
    return person


def _ensure_person(candidate: AdmissionCandidate) -> Person:
    """The matched person, or the exact match found now, or a new person (status none)."""
    if candidate.person_id is not None:
        return db.session.get(Person, candidate.person_id)
    if candidate.match is MatchKind.NEAR:
        raise TransitionRefused(
            "Возможное совпадение с человеком из банка: оператор должен сначала "
            "решить, тот ли это человек."
        )
    kind, person, _ = match_persons(
        candidate.tenant_id,
        [(candidate.surname, candidate.name, candidate.patronymic, candidate.birth_on)],
        snils=[candidate.snils],
    )[0]
    if person is None:
        person = _new_person(candidate)
    else:
        candidate.match = kind
    candidate.person_id = person.id
    return person


def confirm_candidate(
    candidate: AdmissionCandidate,
    membership: Membership,
    *,
    consent_on: date | None,
    scan=None,
    on_file: bool = False,
    expected_version: int | None = None,
    notice: bool = True,
):
    """The checker confirms the data and records the consent (a scan or "on file" + date).
    ``notice``: tell the admins when this was the batch's last row to check (a bulk
    confirmation tells them once, at its end)."""
    ADMISSION.check_role("confirm", membership.role)
    _check_scope(candidate, membership)
    if candidate.state is CandidateState.CONFIRMED:
        return None  # a double submit
    if expected_version is not None and candidate.version != expected_version:
        raise StaleItem()
    ADMISSION.check(candidate.state, _action("confirm", membership), candidate)
    if consent_on is None:
        raise OperationError("Укажите дату согласия на обработку персональных данных.")
    if consent_on > date.today():
        raise OperationError("Дата согласия не может быть в будущем.")
    if scan is None and not on_file:
        raise OperationError("Приложите скан согласия или отметьте, что оригинал хранится у вас.")
    person = _ensure_person(candidate)
    stored = (
        save_pdf_upload(candidate.tenant_id, "consent", scan, membership.user_id) if scan else None
    )
    minor = age_on(candidate.birth_on, consent_on) < 18
    parent_name, _, _ = split_contact(candidate.parent_contact)
    consent = new_consent(
        person,
        given_on=consent_on,
        given_by=ConsentGiver.PARENT if minor else ConsentGiver.SELF,
        giver_name=parent_name if minor else None,
        file=stored,
        user_id=membership.user_id,
    )
    record(
        "consent.create",
        consent,
        tenant_id=consent.tenant_id,
        person_id=person.id,
        with_scan=stored is not None,
    )
    candidate.consent_id = consent.id
    candidate.confirmed_by_id = membership.user_id
    rec = transition(
        ADMISSION,
        candidate,
        SubjectType.CANDIDATE,
        "confirm",
        role=membership.role,
        user_id=membership.user_id,
    )
    if rec is not None and notice:
        notices.maybe_all_confirmed(candidate.batch)
    return rec


def return_candidate(
    candidate: AdmissionCandidate,
    membership: Membership,
    reason: str,
    *,
    expected_version: int | None = None,
):
    ADMISSION.check_role("return", membership.role)
    _check_scope(candidate, membership)
    if candidate.state is CandidateState.NEEDS_FIX:
        return None
    reason = (reason or "").strip()[:500]
    if expected_version is not None and candidate.version != expected_version:
        raise StaleItem()
    ADMISSION.check(candidate.state, _action("return", membership, reason), candidate)
    candidate.reason = reason
    rec = transition(
        ADMISSION,
        candidate,
        SubjectType.CANDIDATE,
        "return",
        role=membership.role,
        user_id=membership.user_id,
        comment=reason,
    )
    if rec is not None:
        notices.returned(candidate)
    return rec


def resolve_match(candidate: AdmissionCandidate, membership: Membership, person: Person | None):
    """Admin decides a near match: the same person as ``person``, or a new one (None)."""
    if membership.role is not Role.ADMIN:
        raise OperationError("Совпадения разрешает оператор.")
    if candidate.state not in (CandidateState.SUBMITTED, CandidateState.NEEDS_FIX):
        raise OperationError("Совпадение решают до подтверждения кандидата.")
    if person is not None and person.tenant_id != candidate.tenant_id:
        raise OperationError("Человек другого проекта.")
    if person is None:
        candidate.match, candidate.person_id = MatchKind.NEW, None
    else:
        candidate.person_id = person.id
        candidate.match = (
            MatchKind.ACTIVE_RESIDENT if person.status in ACTIVE_RESIDENT else MatchKind.EXISTING
        )
    record(
        "admission_candidate.resolve_match",
        candidate,
        tenant_id=candidate.tenant_id,
        match=candidate.match.value,
        person_id=candidate.person_id,
    )
    db.session.flush()


def admission_basis(candidate: AdmissionCandidate, edition: EventEdition) -> str:
    result = "Победитель" if candidate.result is ParticipationRole.WINNER else "Призёр"
    place = f" ({candidate.place} место)" if candidate.place else ""
    return f"{result}{place}: {edition.title or edition.event.title} {edition.year}"[:500]


ACHIEVEMENT_LEVELS = {
    EventLevel.MUNICIPAL: AchievementLevel.MUNICIPAL,
    EventLevel.REGIONAL: AchievementLevel.REGIONAL,
    EventLevel.INTERREGIONAL: AchievementLevel.REGIONAL,
    EventLevel.ALL_RUSSIAN: AchievementLevel.ALL_RUSSIAN,
    EventLevel.INTERNATIONAL: AchievementLevel.INTERNATIONAL,
}


def _participation(candidate: AdmissionCandidate, person: Person) -> None:
    exists = db.session.scalar(
        sa.select(Participation.id).where(
            Participation.edition_id == candidate.batch.edition_id,
            Participation.person_id == person.id,
            Participation.role.in_([ParticipationRole.WINNER, ParticipationRole.PRIZE_WINNER]),
        )
    )
    if exists is None:
        db.session.add(
            Participation(
                tenant_id=person.tenant_id,
                edition_id=candidate.batch.edition_id,
                person_id=person.id,
                role=candidate.result,
                place=candidate.place,
                section=candidate.section,
            )
        )


def decision_date(on: date | None, edition) -> date:
    """The date a decision takes effect (DOMAIN 8.4): today by default; an earlier date
    only within the edition's reporting year and the next (history being brought in), never
    a future one."""
    today = date.today()
    if on is None or on == today:
        return today
    if on > today:
        raise OperationError("Дата решения не может быть в будущем.")
    if not edition.year <= on.year <= edition.year + 1:
        raise OperationError(
            f"Дата решения — в отчётном году мероприятия ({edition.year}) или в следующем "
            f"({edition.year + 1})."
        )
    return on


def _record_decision(candidate: AdmissionCandidate, action: str, on: date) -> None:
    """The audit keeps the effective date beside the time the decision was recorded."""
    candidate.decided_on = on
    record(
        f"admission_candidate.{action}",
        candidate,
        tenant_id=candidate.tenant_id,
        effective_on=on.isoformat(),
        is_backdated=on != date.today(),
    )


def admit_candidate(
    candidate: AdmissionCandidate,
    membership: Membership,
    *,
    on: date | None = None,
    expected_version: int | None = None,
    decision: Decision | None = None,
    notice: bool = True,
) -> Decision:
    """Admit a confirmed candidate: the candidate's transition first (so of two admins the
    second fails on the version check before anything else is written), then the person's
    lifecycle transition and dated status change, or an achievement for an active Resident."""
    top_level = decision is None
    decision = decision if decision is not None else Decision()
    ADMISSION.check_role("admit", membership.role)
    if membership.tenant_id != candidate.tenant_id:
        raise OperationError("Кандидат другого проекта.")
    if top_level:
        require_queue()  # the new Resident's certificate needs a worker: nothing half-way
    if candidate.state is CandidateState.ADMITTED:
        return decision  # already done: a double submit or another admin was quicker
    if expected_version is not None and candidate.version != expected_version:
        raise StaleItem()
    ADMISSION.check(candidate.state, _action("admit", membership), candidate)
    edition = candidate.batch.edition
    on = decision_date(on, edition)
    person = _ensure_person(candidate)
    # No admission without a valid consent to processing on the decision's date (withdrawn or
    # expired since the check): refused with the reason, the candidate stays confirmed.
    require_consent(person, ConsentPurpose.PROCESSING, on)
    candidate.decided_by_id, candidate.decided_at = membership.user_id, utcnow()
    _record_decision(candidate, "admit", on)
    active = person.status in ACTIVE_RESIDENT
    if active:
        candidate.match = MatchKind.ACTIVE_RESIDENT
    transition(
        ADMISSION,
        candidate,
        SubjectType.CANDIDATE,
        "admit",
        role=membership.role,
        user_id=membership.user_id,
        comment="Уже резидент: результат записан как достижение" if active else "",
    )
    _participation(candidate, person)
    decision.changed.append(candidate.id)
    if active:
        result = RESULT_TITLES[candidate.result] + (
            f", {candidate.place} место" if candidate.place else ""
        )
        achievement = Achievement(
            tenant_id=person.tenant_id,
            person_id=person.id,
            title=f"{edition.title or edition.event.title} {edition.year}",
            level=ACHIEVEMENT_LEVELS[edition.event.level],
            result=result,
            achieved_on=edition.ends_on or edition.starts_on or on,
            edition_id=edition.id,
        )
        db.session.add(achievement)
        db.session.flush()
        record(
            "achievement.create",
            achievement,
            tenant_id=person.tenant_id,
            person_id=person.id,
            candidate_id=candidate.id,
        )
        decision.achievement_person_ids.append(person.id)
        if notice:
            notices.tell_organiser_and_coordinators(
                candidate.batch, "admission.admitted", [candidate]
            )
        return decision
    student = candidate.is_student or is_student(candidate.grade, candidate.organization)
    action = "admit_student" if student else "admit_school"
    basis = admission_basis(candidate, edition)
    from_status = person.status
    # The protocol is the newest word on where the person studies.
    person.organization_id = candidate.organization_id or person.organization_id
    person.municipality_id, person.grade = candidate.municipality_id, candidate.grade
    if candidate.parent_contact and not (person.parent_phone or person.parent_email):
        person.parent_name, person.parent_phone, person.parent_email = split_contact(
            candidate.parent_contact
        )
    transition(
        LIFECYCLE,
        person,
        SubjectType.PERSON,
        action,
        role=membership.role,
        user_id=membership.user_id,
        comment=basis,
        state_attr="status",
    )
    person.status_since = on
    person.admission_on = person.admission_on or on
    person.admission_basis, person.admission_edition_id = basis, edition.id
    db.session.add(
        PersonStatusChange(
            tenant_id=person.tenant_id,
            person_id=person.id,
            from_status=from_status,
            to_status=person.status,
            changed_on=on,
            action=action,
            basis=basis,
            edition_id=edition.id,
            user_id=membership.user_id,
        )
    )
    db.session.flush()
    decision.admitted_person_ids.append(person.id)
    if notice:
        notices.tell_organiser_and_coordinators(candidate.batch, "admission.admitted", [candidate])
    return decision


def reject_candidate(
    candidate: AdmissionCandidate,
    membership: Membership,
    reason: str,
    *,
    on: date | None = None,
    expected_version: int | None = None,
    notice: bool = True,
):
    ADMISSION.check_role("reject", membership.role)
    if membership.tenant_id != candidate.tenant_id:
        raise OperationError("Кандидат другого проекта.")
    if candidate.state is CandidateState.REJECTED:
        return None
    if expected_version is not None and candidate.version != expected_version:
        raise StaleItem()
    reason = (reason or "").strip()[:500]
    ADMISSION.check(candidate.state, _action("reject", membership, reason), candidate)
    on = decision_date(on, candidate.batch.edition)
    candidate.reason = reason
    candidate.decided_by_id, candidate.decided_at = membership.user_id, utcnow()
    _record_decision(candidate, "reject", on)
    rec = transition(
        ADMISSION,
        candidate,
        SubjectType.CANDIDATE,
        "reject",
        role=membership.role,
        user_id=membership.user_id,
        comment=reason,
    )
    if rec is not None and notice:
        notices.tell_organiser_and_coordinators(
            candidate.batch, "admission.rejected", [candidate], reason=reason
        )
    return rec


def admit_confirmed(
    batch: AdmissionBatch, membership: Membership, *, on: date | None = None
) -> Decision:
    """Admit every confirmed candidate of the batch in the caller's one transaction; any
    refusal refuses the whole lot (the message names the row)."""
    decision = Decision()
    ADMISSION.check_role("admit", membership.role)
    confirmed = [c for c in batch.candidates if c.state is CandidateState.CONFIRMED]
    if not confirmed:
        raise OperationError("В протоколе нет подтверждённых кандидатов.")
    require_queue()  # the certificates need a worker: admit nothing while the queue is down
    for candidate in confirmed:
        try:
            admit_candidate(candidate, membership, on=on, decision=decision, notice=False)
        except (TransitionRefused, OperationError) as exc:
            raise OperationError(f"Строка {candidate.row_no}: {exc}") from exc
    notices.tell_organiser_and_coordinators(batch, "admission.admitted", confirmed)
    record(
        "admission_batch.admit_confirmed",
        batch,
        tenant_id=batch.tenant_id,
        admitted=len(decision.changed),
    )
    return decision


def reject_confirmed(
    batch: AdmissionBatch, membership: Membership, reason: str, *, on: date | None = None
) -> list[int]:
    """Reject every confirmed candidate of the batch with one reason, in one transaction."""
    ADMISSION.check_role("reject", membership.role)
    confirmed = [c for c in batch.candidates if c.state is CandidateState.CONFIRMED]
    if not confirmed:
        raise OperationError("В протоколе нет подтверждённых кандидатов.")
    for candidate in confirmed:
        reject_candidate(candidate, membership, reason, on=on, notice=False)
    notices.tell_organiser_and_coordinators(
        batch, "admission.rejected", confirmed, reason=(reason or "").strip()[:500]
    )
    record(
        "admission_batch.reject_confirmed",
        batch,
        tenant_id=batch.tenant_id,
        rejected=len(confirmed),
    )
    return [c.id for c in confirmed]
