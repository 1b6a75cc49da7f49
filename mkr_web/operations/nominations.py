"""Nomination of a student by a municipal coordinator (DOMAIN 4.3).

Kinds: (a) admission on individual achievements outside accredited events, (b) the potential
Resident status, (c) an opportunity (internship, profile shift, expert role). The coordinator
writes a draft for a person of their municipalities, attaches evidence PDFs and submits it;
the admin assigns experts, who score it on the tenant's nomination rubric through the one
review machinery (:mod:`.reviews`, registered in :mod:`.review_subjects`); the admin then
approves, rejects, or returns it for the coordinator to revise and resubmit. Approval acts:
(a) admits the person (lifecycle, basis "индивидуальные достижения"), (b) marks them
potential, (c) places them on the opportunity. Flush only; the view commits and then queues
the certificate of a person admitted by (a).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus
from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..documents.formats import counted
from ..documents.storage import save_pdf_upload
from ..errors import OperationError, StaleItem
from ..extensions import db
from ..models import (
    AchievementLevel,
    Membership,
    Nomination,
    NominationKind,
    Opportunity,
    Person,
    Placement,
    SubjectType,
)
from ..models.base import utcnow
from . import numbering
from .admission_rows import is_student
from .audit import record
from .jobs import require_queue
from .notification_kinds import nomination_context
from .notifications import admin_ids, emit
from .people import change_status
from .programme import add_placement
from .reviews import reject_or_return
from .transitions import decision, transition

S = ReviewState
ST = SubjectType.NOMINATION
EDITABLE = (S.DRAFT, S.RETURNED)
OPEN = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.RETURNED)
NUMBER_PREFIX = "ВЫДВ"
MAX_FILES = 10
BASIS_ACHIEVEMENTS = "Индивидуальные достижения"


@dataclass
class NominationData:
    kind: NominationKind
    description: str
    achievement_level: AchievementLevel | None = None
    opportunity: Opportunity | None = None


@dataclass
class Outcome:
    """What an approval did; the view queues the certificate of ``admitted_person_id``."""

    admitted_person_id: int | None = None
    placement_id: int | None = None


def next_number(tenant_id: int, year: int) -> str:
    """``ВЫДВ-<year>-<NNN>``: one more than the highest of that year in the tenant."""
    return numbering.next_number(Nomination, tenant_id, NUMBER_PREFIX, year)


def _check_scope(membership: Membership, person: Person) -> None:
    """The author's checks: a role that may submit nominations (the table decides), the
    person in the same tenant and, for a coordinator, in their municipalities."""
    if str(membership.role) not in NOMINATION.roles_of("submit"):
        raise OperationError("Выдвигает муниципальный координатор.")
    if person.tenant_id != membership.tenant_id:
        raise OperationError("Человек другого проекта.")
    if membership.role is Role.COORDINATOR and person.municipality_id not in {
        m.id for m in membership.municipalities
    }:
        raise OperationError("Выдвигать можно только обучающихся своих муниципалитетов.")


def check_kind(person: Person, kind: NominationKind, opportunity: Opportunity | None) -> None:
    """Is this nomination possible for the person now? (Checked on saving, submitting and
    approving: a status may change in between.)"""
    if kind is NominationKind.ADMISSION and person.status not in (
        PersonStatus.NONE,
        PersonStatus.POTENTIAL,
    ):
        raise OperationError(
            f"Включить в банк по достижениям можно того, кто ещё не резидент; "
            f"статус сейчас: «{person.status.title_ru}»."
        )
    if kind is NominationKind.POTENTIAL and person.status is not PersonStatus.NONE:
        raise OperationError(
            f"Статус потенциального резидента присваивают участнику без статуса; "
            f"статус сейчас: «{person.status.title_ru}»."
        )
    if kind is NominationKind.OPPORTUNITY:
        if opportunity is None:
            raise OperationError("Выберите возможность (стажировку, смену, экспертную роль).")
        if opportunity.tenant_id != person.tenant_id:
            raise OperationError("Возможность другого проекта.")
        if person.status is PersonStatus.EXCLUDED:
            raise OperationError("Человек исключён из банка.")
        placed = db.session.scalar(
            sa.select(Placement.id).where(
                Placement.opportunity_id == opportunity.id, Placement.person_id == person.id
            )
        )
        if placed:
            raise OperationError("Этот человек уже участвует в этой возможности.")


def _fill(nomination: Nomination, data: NominationData, person: Person) -> None:
    description = (data.description or "").strip()
    if not description:
        raise OperationError("Опишите достижения и основания выдвижения.")
    if len(description) > 5000:
        raise OperationError("Описание не длиннее 5000 символов.")
    if data.kind is NominationKind.ADMISSION and data.achievement_level is None:
        raise OperationError("Укажите уровень достижения.")
    check_kind(person, data.kind, data.opportunity)
    nomination.kind, nomination.description = data.kind, description
    nomination.achievement_level = data.achievement_level.value if data.achievement_level else None
    nomination.opportunity = data.opportunity if data.kind is NominationKind.OPPORTUNITY else None


def _open_twin(
    person: Person, data: NominationData, exclude_id: int | None = None
) -> Nomination | None:
    q = sa.select(Nomination).where(
        Nomination.person_id == person.id, Nomination.kind == data.kind, Nomination.state.in_(OPEN)
    )
    if data.kind is NominationKind.OPPORTUNITY and data.opportunity is not None:
        q = q.where(Nomination.opportunity_id == data.opportunity.id)
    if exclude_id is not None:
        q = q.where(Nomination.id != exclude_id)
    return db.session.execute(q.limit(1)).scalar_one_or_none()


def create_nomination(
    membership: Membership,
    person: Person,
    data: NominationData,
    *,
    number: str | None = None,
    year: int | None = None,
) -> Nomination:
    """A draft nomination numbered ``ВЫДВ-<year>-<NNN>`` at once."""
    _check_scope(membership, person)
    twin = _open_twin(person, data)
    if twin is not None:
        raise OperationError(f"Такое выдвижение этого человека уже есть: {twin.number}.")
    for attempt in range(5):
        nomination = Nomination(
            tenant_id=person.tenant_id,
            person_id=person.id,
            municipality_id=person.municipality_id,
            created_by_id=membership.user_id,
            state=S.DRAFT,
        )
        _fill(nomination, data, person)
        nomination.number = number or next_number(person.tenant_id, year or date.today().year)
        try:
            with db.session.begin_nested():  # two coordinators at once: the second retries
                db.session.add(nomination)
            break
        except sa.exc.IntegrityError:
            if number or attempt == 4:
                raise OperationError("Не удалось присвоить номер выдвижению, повторите.") from None
    record(
        "nomination.create",
        nomination,
        number=nomination.number,
        kind=nomination.kind.value,
        person_id=person.id,
    )
    return nomination


def _check_editable(nomination: Nomination, membership: Membership) -> None:
    _check_scope(membership, nomination.person)
    if nomination.state not in EDITABLE:
        raise OperationError(
            "Выдвижение можно изменить только в черновике или после возврата на доработку."
        )


def update_nomination(
    nomination: Nomination,
    membership: Membership,
    data: NominationData,
    *,
    expected_version: int | None = None,
) -> None:
    _check_editable(nomination, membership)
    if expected_version is not None and nomination.version != expected_version:
        raise StaleItem()
    twin = _open_twin(nomination.person, data, exclude_id=nomination.id)
    if twin is not None:
        raise OperationError(f"Такое выдвижение этого человека уже есть: {twin.number}.")
    _fill(nomination, data, nomination.person)
    db.session.flush()
    record(
        "nomination.update",
        nomination,
        fields=["kind", "achievement_level", "opportunity", "description"],
    )


def add_evidence(nomination: Nomination, membership: Membership, upload) -> None:
    _check_editable(nomination, membership)
    if len(nomination.files) >= MAX_FILES:
        raise OperationError(f"Не больше {counted(MAX_FILES, 'файла', 'файлов', 'файлов')}.")
    stored = save_pdf_upload(nomination.tenant_id, "evidence", upload, membership.user_id)
    nomination.files.append(stored)
    db.session.flush()
    record("nomination.evidence_add", nomination, file_id=stored.id)


def remove_evidence(nomination: Nomination, membership: Membership, file_id: int) -> None:
    _check_editable(nomination, membership)
    stored = next((f for f in nomination.files if f.id == file_id), None)
    if stored is None:
        raise OperationError("Файл не найден.")
    nomination.files.remove(stored)
    db.session.flush()
    record("nomination.evidence_remove", nomination, file_id=file_id)


def submit(
    nomination: Nomination, membership: Membership, *, expected_version: int | None = None
) -> None:
    """Submit a draft, or resubmit a returned nomination; evidence is required."""
    _check_scope(membership, nomination.person)
    if nomination.state in EDITABLE:
        if not nomination.files:
            raise OperationError("Приложите хотя бы один подтверждающий документ (PDF).")
        check_kind(nomination.person, nomination.kind, nomination.opportunity)
    action = "resubmit" if nomination.state is S.RETURNED else "submit"
    rec = transition(
        NOMINATION,
        nomination,
        ST,
        action,
        role=membership.role,
        user_id=membership.user_id,
        expected_version=expected_version,
    )
    if rec is None:
        return
    nomination.submitted_at = rec.at
    emit(
        "nomination.submitted",
        nomination.tenant_id,
        admin_ids(nomination.tenant_id),
        nomination_context(nomination),
        endpoint="admin.nomination_detail",
        nomination_id=nomination.id,
    )


def _notify_coordinator(nomination: Nomination, kind: str, **extra) -> None:
    if nomination.created_by_id:
        emit(
            kind,
            nomination.tenant_id,
            [nomination.created_by_id],
            {**nomination_context(nomination), **extra},
            endpoint="coordinator.nomination_detail",
            nomination_id=nomination.id,
        )


def approve(
    nomination: Nomination,
    membership: Membership,
    comment: str = "",
    *,
    expected_version: int | None = None,
    on: date | None = None,
) -> Outcome:
    """Approve a reviewed nomination and act on it (see the module's docstring)."""
    outcome = Outcome()
    NOMINATION.check_role("approve", membership.role)
    if membership.tenant_id != nomination.tenant_id:
        raise OperationError("Выдвижение другого проекта.")
    if nomination.state is S.APPROVED:
        return outcome  # a double submit
    require_queue()  # an admitted Resident's certificate needs a worker: nothing half-way
    on = on or date.today()
    decision(
        NOMINATION,
        nomination,
        ST,
        "approve",
        decided={"decided_by_id": membership.user_id, "decided_at": utcnow()},
        role=membership.role,
        user_id=membership.user_id,
        comment=comment,
        expected_version=expected_version,
    )
    person = nomination.person
    check_kind(person, nomination.kind, nomination.opportunity)
    basis = f"{BASIS_ACHIEVEMENTS}: выдвижение {nomination.number}"
    if nomination.kind is NominationKind.ADMISSION:
        action = (
            "admit_student" if is_student(person.grade, person.organization) else "admit_school"
        )
        change_status(
            person,
            action,
            on=on,
            role=membership.role,
            user_id=membership.user_id,
            basis=basis,
            comment=comment,
        )
        outcome.admitted_person_id = person.id
    elif nomination.kind is NominationKind.POTENTIAL:
        change_status(
            person,
            "mark_potential",
            on=on,
            role=membership.role,
            user_id=membership.user_id,
            basis=f"Выдвижение {nomination.number}",
            comment=comment,
        )
    else:
        opportunity = nomination.opportunity
        placed_on = on if on.year == opportunity.year else None
        placement = add_placement(opportunity, person, placed_on)
        placement.nomination_id = nomination.id
        db.session.flush()
        outcome.placement_id = placement.id
    record(
        "nomination.approve",
        nomination,
        kind=nomination.kind.value,
        person_id=person.id,
        placement_id=outcome.placement_id,
    )
    _notify_coordinator(nomination, "nomination.approved")
    return outcome


def decide(
    nomination: Nomination,
    membership: Membership,
    action: str,
    comment: str,
    *,
    expected_version: int | None = None,
) -> None:
    """``reject`` or ``return`` with a comment (the machine requires one)."""
    if membership.tenant_id != nomination.tenant_id:
        raise OperationError("Выдвижение другого проекта.")
    if not reject_or_return(
        NOMINATION,
        nomination,
        ST,
        action,
        comment,
        role=membership.role,
        user_id=membership.user_id,
        expected_version=expected_version,
    ):
        return  # a double submit
    kind = "nomination.rejected" if action == "reject" else "nomination.returned"
    _notify_coordinator(nomination, kind, comment=comment or "")
