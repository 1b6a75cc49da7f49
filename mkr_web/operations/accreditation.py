"""Accreditation of an event (DOMAIN 4.1): the organiser's application, the admin's decision,
the event it accredits, and automatic expiry. Reviewing itself is :mod:`.reviews`.
Flush only; the view commits (and then starts the certificate job)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from workflows.engine import SYSTEM
from workflows.review import ACCREDITATION, ReviewState
from workflows.roles import Role

from ..errors import OperationError
from ..extensions import db
from ..models import (
    AccreditationApplication,
    Direction,
    Event,
    EventKind,
    EventLevel,
    Membership,
    Municipality,
    Organization,
    StoredFile,
    SubjectType,
    Tenant,
)
from ..models.base import utcnow
from . import numbering
from .audit import record
from .events import EventData, save_event
from .jobs import require_queue
from .notification_kinds import application_context, fmt_date
from .notifications import admin_ids, emit
from .reviews import reject_or_return
from .transitions import decision, transition

S = ReviewState
EDITABLE = (S.DRAFT, S.RETURNED)
NUMBER_PREFIX = "ЗАЯВ"


@dataclass
class ApplicationData:
    title: str
    direction: Direction
    level: EventLevel
    regularity: str = ""
    audience: str = ""
    expected_participants: int = 0
    selection_method: str = ""
    municipalities: list[Municipality] = field(default_factory=list)
    partners: list[Organization] = field(default_factory=list)
    event: Event | None = None


def next_number(tenant_id: int, year: int) -> str:
    """``ЗАЯВ-<year>-<NNN>``: one more than the highest of that year in the tenant."""
    return numbering.next_number(AccreditationApplication, tenant_id, NUMBER_PREFIX, year)


def _fill(application: AccreditationApplication, data: ApplicationData) -> None:
    title = (data.title or "").strip()
    if not title:
        raise OperationError("Укажите название мероприятия.")
    if data.expected_participants is None or data.expected_participants < 0:
        raise OperationError("Ожидаемое число участников не может быть отрицательным.")
    for obj in [*data.municipalities, *data.partners, data.event]:
        if obj is not None and obj.tenant_id != application.tenant_id:
            raise OperationError("Объект другого проекта.")
    if data.event is not None and data.event.organizer_id != application.organizer_id:
        raise OperationError("Можно выбрать только мероприятие своей организации.")
    application.title = title[:500]
    application.direction, application.level = data.direction, data.level
    application.regularity = (data.regularity or "").strip()[:200]
    application.audience = (data.audience or "").strip()[:500]
    application.expected_participants = data.expected_participants
    application.selection_method = (data.selection_method or "").strip()
    application.municipalities = list(dict.fromkeys(data.municipalities))
    application.partners = list(dict.fromkeys(data.partners))
    application.event = data.event


def create_application(
    tenant_id: int,
    organizer: Organization,
    data: ApplicationData,
    *,
    user_id: int | None,
    regulation: StoredFile | None = None,
    number: str | None = None,
    year: int | None = None,
) -> AccreditationApplication:
    """A draft application of ``organizer``, numbered ``ЗАЯВ-<year>-<NNN>`` at once."""
    if organizer.tenant_id != tenant_id:
        raise OperationError("Организация другого проекта.")
    for attempt in range(5):
        application = AccreditationApplication(
            tenant_id=tenant_id,
            organizer_id=organizer.id,
            created_by_id=user_id,
            regulation_file=regulation,
        )
        _fill(application, data)
        application.number = number or next_number(tenant_id, year or date.today().year)
        try:
            with db.session.begin_nested():  # two organisers at once: the second retries
                db.session.add(application)
            break
        except sa.exc.IntegrityError:
            if number or attempt == 4:
                raise OperationError("Не удалось присвоить номер заявке, повторите.") from None
    record("accreditation.create", application, number=application.number)
    return application


def update_application(
    application: AccreditationApplication,
    data: ApplicationData,
    *,
    regulation: StoredFile | None = None,
) -> None:
    if application.state not in EDITABLE:
        raise OperationError(
            "Заявку можно изменить только в черновике или после возврата на доработку."
        )
    _fill(application, data)
    if regulation is not None:
        application.regulation_file = regulation
    db.session.flush()
    record(
        "accreditation.update",
        application,
        fields=[
            "title",
            "direction",
            "level",
            "regularity",
            "audience",
            "expected_participants",
            "selection_method",
            "municipalities",
            "partners",
        ],
    )


def organizer_user_ids(application: AccreditationApplication) -> list[int]:
    ids = list(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.tenant_id == application.tenant_id,
                Membership.role == Role.ORGANIZER,
                Membership.organization_id == application.organizer_id,
            )
        )
    )
    return ids + ([application.created_by_id] if application.created_by_id else [])


def notify_organizer(application: AccreditationApplication, kind: str, **extra) -> None:
    emit(
        kind,
        application.tenant_id,
        organizer_user_ids(application),
        {**application_context(application), **extra},
        endpoint="organizer.accreditation_detail",
        application_id=application.id,
    )


def notify_admins_of(application: AccreditationApplication, kind: str, **extra) -> None:
    emit(
        kind,
        application.tenant_id,
        admin_ids(application.tenant_id),
        {**application_context(application), **extra},
        endpoint="admin.accreditation_detail",
        application_id=application.id,
    )


def submit(
    application: AccreditationApplication,
    *,
    role: str,
    user_id: int | None,
    expected_version: int | None = None,
) -> None:
    """Submit a draft or resubmit a returned application (the regulation PDF is required).

    ``role`` is the role the actor acts in; the table in :mod:`workflows.review` decides."""
    if application.regulation_file_id is None and application.regulation_file is None:
        raise OperationError("Приложите положение о мероприятии (PDF).")
    action = "resubmit" if application.state is S.RETURNED else "submit"
    rec = transition(
        ACCREDITATION,
        application,
        SubjectType.ACCREDITATION,
        action,
        role=role,
        user_id=user_id,
        expected_version=expected_version,
    )
    if rec is None:
        return
    application.submitted_at = rec.at
    notify_admins_of(application, "accreditation.submitted")


def accredit(
    application: AccreditationApplication,
    valid_from: int | None,
    valid_to: int | None,
    *,
    role: str,
    user_id: int | None,
    comment: str = "",
    expected_version: int | None = None,
) -> Event | None:
    """Accredit for ``valid_from``–``valid_to`` (years); creates or updates the event."""
    ACCREDITATION.check_role("accredit", role)
    if application.state is S.ACCREDITED:
        return application.event  # a double submit
    require_queue()  # the certificate needs a worker: accredit nothing half-way
    # The CHECK constraints want validity and decider in the same UPDATE as the new state;
    # a refused transition is rolled back by the caller.
    decision(
        ACCREDITATION,
        application,
        SubjectType.ACCREDITATION,
        "accredit",
        decided={
            "valid_from_year": valid_from,
            "valid_to_year": valid_to,
            "decided_at": utcnow(),
            "decided_by_id": user_id,
        },
        role=role,
        user_id=user_id,
        comment=comment,
        expected_version=expected_version,
        data={"valid_from": valid_from, "valid_to": valid_to},
    )
    application.expiry_notified_at = None
    existing = application.event
    related = (
        db.session.get(Event, existing.related_event_id)
        if existing and existing.related_event_id
        else None
    )
    event = save_event(
        application.tenant_id,
        EventData(
            title=application.title,
            kind=EventKind.ACCREDITED,
            direction=application.direction,
            level=application.level,
            organizer=db.session.get(Organization, application.organizer_id),
            short_title=existing.short_title if existing else None,
            partners=list(application.partners),
            related_event=related,
        ),
        existing,
    )
    application.event = event
    db.session.flush()
    notify_organizer(
        application, "accreditation.accredited", valid_from=valid_from, valid_to=valid_to
    )
    return event


def decide(
    application: AccreditationApplication,
    action: str,
    comment: str,
    *,
    role: str,
    user_id: int | None,
    expected_version: int | None = None,
) -> None:
    """``reject`` or ``return`` with a comment (the machine requires one)."""
    if not reject_or_return(
        ACCREDITATION,
        application,
        SubjectType.ACCREDITATION,
        action,
        comment,
        role=role,
        user_id=user_id,
        expected_version=expected_version,
    ):
        return  # a double submit
    kind = "accreditation.rejected" if action == "reject" else "accreditation.returned"
    notify_organizer(application, kind, comment=comment or "")


# ---- expiry (Celery beat) --------------------------------------------------------------------


def expiry_date(application: AccreditationApplication) -> date:
    """Accreditation is valid through the last day of ``valid_to_year``."""
    return date(application.valid_to_year, 12, 31)


def process_expiry(today: date | None = None) -> dict[str, int]:
    """Expire accreditations past their last year and remind organisers ahead of expiry.

    Runs across all tenants as SYSTEM; each reminder is sent once per accreditation."""
    today = today or date.today()
    done = {"expired": 0, "reminded": 0}
    accredited = db.session.scalars(
        sa.select(AccreditationApplication)
        .where(AccreditationApplication.state == S.ACCREDITED)
        .order_by(AccreditationApplication.id)
    ).all()
    days_by_tenant = {
        t.id: int(t.setting("expiry_notice_days")) for t in db.session.scalars(sa.select(Tenant))
    }
    for application in accredited:
        if application.valid_to_year < today.year:
            transition(
                ACCREDITATION,
                application,
                SubjectType.ACCREDITATION,
                "expire",
                role=SYSTEM,
                user_id=None,
                comment=f"Срок аккредитации истёк 31.12.{application.valid_to_year}",
            )
            notify_organizer(application, "accreditation.expired")
            done["expired"] += 1
            continue
        left = (expiry_date(application) - today).days
        if application.expiry_notified_at is None and left <= days_by_tenant[application.tenant_id]:
            application.expiry_notified_at = utcnow()
            until = fmt_date(expiry_date(application))
            notify_organizer(
                application, "accreditation.expiring", valid_until=until, days_left=left
            )
            notify_admins_of(
                application, "accreditation.expiring_admin", valid_until=until, days_left=left
            )
            record(
                "accreditation.expiry_notice",
                application,
                tenant_id=application.tenant_id,
                days_left=left,
            )
            done["reminded"] += 1
    db.session.flush()
    return done
