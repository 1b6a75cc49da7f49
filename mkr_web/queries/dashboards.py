"""The to-do lists of each role's home page: counts aggregated in SQL, a small constant number
of queries per page whatever the tenant's size (``tests/http/test_dashboards.py`` counts them),
each item linking to the list it counts, overdue items first.

A :class:`Todo` is one line: a title, a count, the endpoint and arguments of the filtered list,
and whether it is overdue work. Lines with nothing to do are left out by the pages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workflows.admission import CandidateState
from workflows.lifecycle import ACTIVE_RESIDENT
from workflows.review import AssignmentState, ReviewState

from ..extensions import db
from ..models import (
    AccreditationApplication,
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    MailState,
    MatchKind,
    Membership,
    Municipality,
    Nomination,
    Notification,
    Participation,
    ParticipationCount,
    Person,
    ReviewAssignment,
    SubjectType,
    Tenant,
)
from .admission import coordinated_municipality_ids
from .consents import expiring_count_select, notice_end
from .review_subjects import SUBJECTS


@dataclass(frozen=True)
class Todo:
    key: str
    title: str
    count: int
    endpoint: str
    args: dict = field(default_factory=dict)
    overdue: bool = False
    due_on: date | None = None  # the nearest deadline, when the work has one


def ordered(items: list[Todo]) -> list[Todo]:
    """What there is to do: overdue first, then the rest in their given order."""
    todo = [t for t in items if t.count]
    return [t for t in todo if t.overdue] + [t for t in todo if not t.overdue]


def expiring_year(tenant: Tenant, today: date) -> int:
    """Accreditations valid through a year up to this one expire within the notice days."""
    return (today + timedelta(days=int(tenant.setting("expiry_notice_days")))).year


def _one_row(*aggregates: sa.Select) -> sa.Select:
    """One statement for several one-row aggregates: each a derived table, joined on TRUE
    (each table is read once, by its own aggregate, as it would be alone)."""
    subs = [a.subquery() for a in aggregates]
    joined = subs[0]
    for sub in subs[1:]:
        joined = joined.join(sub, sa.true())
    return sa.select(*(c for sub in subs for c in sub.c)).select_from(joined)


# The dashboards' statements are built once per process, their values bound parameters:
# building one (~40 clauses) cost more than running it (issue 14).
_T = sa.bindparam("t", type_=sa.Integer)
_TODAY = sa.bindparam("today", type_=sa.Date)
_UNTIL = sa.bindparam("until", type_=sa.Date)  # the consents' notice window's end
_IDS = sa.bindparam("ids", expanding=True)  # a coordinator's municipalities


@functools.cache
def _admin_todo_statement() -> sa.Select:
    """Parameters: ``t``, ``today``, ``until``, ``expiring_year``."""
    S = ReviewState
    A, N, R = AccreditationApplication, Nomination, ReviewAssignment
    count = sa.func.count
    overdue = sa.and_(R.state == AssignmentState.ASSIGNED, R.due_on < _TODAY)
    return _one_row(
        sa.select(
            count().filter(A.state == S.SUBMITTED).label("acc_submitted"),
            count().filter(A.state == S.REVIEWED).label("acc_reviewed"),
            count()
            .filter(
                A.state == S.ACCREDITED,
                A.valid_to_year <= sa.bindparam("expiring_year", type_=sa.Integer),
            )
            .label("expiring"),
        ).where(A.tenant_id == _T),
        sa.select(
            count().filter(N.state == S.SUBMITTED).label("nom_submitted"),
            count().filter(N.state == S.REVIEWED).label("nom_reviewed"),
        ).where(N.tenant_id == _T),
        sa.select(
            count(sa.distinct(R.subject_id))
            .filter(R.subject_type == SubjectType.ACCREDITATION)
            .label("overdue_acc"),
            count(sa.distinct(R.subject_id))
            .filter(R.subject_type == SubjectType.NOMINATION)
            .label("overdue_nom"),
        ).where(R.tenant_id == _T, overdue),
        sa.select(
            count(sa.distinct(AdmissionCandidate.batch_id))
            .filter(AdmissionCandidate.state == CandidateState.CONFIRMED)
            .label("ready_batches"),
            count()
            .filter(
                AdmissionCandidate.state == CandidateState.SUBMITTED,
                AdmissionCandidate.municipality_id.not_in(coordinated_municipality_ids(_T)),
            )
            .label("unassigned"),
            count()
            .filter(
                AdmissionCandidate.state == CandidateState.SUBMITTED,
                AdmissionCandidate.due_on < _TODAY,
            )
            .label("late_confirmations"),
            count()
            .filter(
                AdmissionCandidate.state == CandidateState.ADMITTED,
                AdmissionCandidate.match != MatchKind.ACTIVE_RESIDENT,
                ~sa.exists().where(
                    Certificate.kind == CertificateKind.RESIDENT,
                    Certificate.subject_id == AdmissionCandidate.person_id,
                ),
            )
            .label("without_certificate"),
        ).where(AdmissionCandidate.tenant_id == _T),
        sa.select(count().label("failures")).where(
            Notification.tenant_id == _T, Notification.mail_state == MailState.FAILED
        ),
        expiring_count_select(_T, _TODAY, until=_UNTIL).with_only_columns(
            count().label("consents_expiring")
        ),
    )


def admin_todo(tenant: Tenant, today: date) -> list[Todo]:
    """The admin's to-do list: every count in one statement."""
    row = db.session.execute(
        _admin_todo_statement(),
        {
            "t": tenant.id,
            "today": today,
            "until": notice_end(today),
            "expiring_year": expiring_year(tenant, today),
        },
    ).one()
    S = ReviewState
    acc = {S.SUBMITTED: row.acc_submitted, S.REVIEWED: row.acc_reviewed}
    nom = {S.SUBMITTED: row.nom_submitted, S.REVIEWED: row.nom_reviewed}
    overdue = {SubjectType.ACCREDITATION: row.overdue_acc, SubjectType.NOMINATION: row.overdue_nom}
    ready_batches, unassigned = row.ready_batches, row.unassigned
    late_confirmations, without_certificate = row.late_confirmations, row.without_certificate
    expiring, failures, consents_expiring = row.expiring, row.failures, row.consents_expiring
    return ordered(
        [
            Todo(
                "reviews_overdue_acc",
                _l("Экспертиза заявок на аккредитацию просрочена"),
                overdue.get(SubjectType.ACCREDITATION, 0),
                "admin.accreditation_list",
                {"state": S.IN_REVIEW.value},
                overdue=True,
            ),
            Todo(
                "reviews_overdue_nom",
                _l("Экспертиза выдвижений просрочена"),
                overdue.get(SubjectType.NOMINATION, 0),
                "admin.nominations",
                {"state": S.IN_REVIEW.value},
                overdue=True,
            ),
            Todo(
                "confirmations_overdue",
                _l("Кандидаты, не подтверждённые в срок"),
                late_confirmations,
                "admin.admission_batches",
                overdue=True,
            ),
            Todo(
                "acc_assign",
                _l("Заявки на аккредитацию: назначить экспертов"),
                acc.get(S.SUBMITTED, 0),
                "admin.accreditation_list",
                {"state": S.SUBMITTED.value},
            ),
            Todo(
                "acc_decide",
                _l("Заявки на аккредитацию: принять решение"),
                acc.get(S.REVIEWED, 0),
                "admin.accreditation_list",
                {"state": S.REVIEWED.value},
            ),
            Todo(
                "nom_assign",
                _l("Выдвижения: назначить экспертов"),
                nom.get(S.SUBMITTED, 0),
                "admin.nominations",
                {"state": S.SUBMITTED.value},
            ),
            Todo(
                "nom_decide",
                _l("Выдвижения: принять решение"),
                nom.get(S.REVIEWED, 0),
                "admin.nominations",
                {"state": S.REVIEWED.value},
            ),
            Todo(
                "batches_ready",
                _l("Протоколы с подтверждёнными кандидатами: включить в банк"),
                ready_batches,
                "admin.admission_batches",
                {"ready": 1},
            ),
            Todo(
                "unassigned",
                _l("Кандидаты муниципалитетов без координатора: проверить"),
                unassigned,
                "admin.admission_unassigned",
            ),
            Todo(
                "certificates",
                _l("Свидетельства резидентов: выдать"),
                without_certificate,
                "admin.admission_batches",
                {"certificates": "missing"},
            ),
            Todo("outbox", _l("Письма, не отправленные после попыток"), failures, "admin.outbox"),
            Todo(
                "consents_expiring",
                _l("Согласия на обработку данных истекают в ближайшие 30 дней"),
                consents_expiring,
                "admin.people",
                {"consent": "expiring"},
            ),
            Todo(
                "expiring",
                _l("Аккредитации, истекающие в ближайшие 60 дней"),
                expiring,
                "admin.accreditation_list",
                {"state": S.ACCREDITED.value, "expiring": 1},
            ),
        ]
    )


@functools.cache
def _coordinator_todo_statement() -> sa.Select:
    """Parameters: ``t``, ``ids``, ``user_id``, ``today``, ``until``."""
    C = AdmissionCandidate
    return _one_row(
        sa.select(
            sa.func.count().label("waiting"),
            sa.func.count().filter(C.due_on < _TODAY).label("late"),
            sa.func.min(C.due_on).label("nearest"),
        ).where(
            C.tenant_id == _T, C.state == CandidateState.SUBMITTED, C.municipality_id.in_(_IDS)
        ),
        sa.select(sa.func.count().label("returned")).where(
            Nomination.tenant_id == _T,
            Nomination.created_by_id == sa.bindparam("user_id", type_=sa.Integer),
            Nomination.state == ReviewState.RETURNED,
        ),
        expiring_count_select(_T, _TODAY, _IDS, until=_UNTIL).with_only_columns(
            sa.func.count().label("consents_expiring")
        ),
    )


def coordinator_todo(membership: Membership, today: date) -> list[Todo]:
    """The coordinator's to-do list: every count in one statement."""
    waiting, late, nearest, returned, consents_expiring = db.session.execute(
        _coordinator_todo_statement(),
        {
            "t": membership.tenant_id,
            "ids": [m.id for m in membership.municipalities],
            "user_id": membership.user_id,
            "today": today,
            "until": notice_end(today),
        },
    ).one()
    return ordered(
        [
            Todo(
                "confirm_overdue",
                _l("Кандидаты: срок подтверждения прошёл"),
                late,
                "coordinator.admission",
                {"state": CandidateState.SUBMITTED.value},
                overdue=True,
            ),
            Todo(
                "confirm",
                _l("Кандидаты: подтвердить данные и согласие"),
                waiting - late,
                "coordinator.admission",
                {"state": CandidateState.SUBMITTED.value},
                due_on=nearest if waiting > late else None,
            ),
            Todo(
                "nominations_returned",
                _l("Выдвижения, возвращённые на доработку"),
                returned,
                "coordinator.nominations",
                {"state": ReviewState.RETURNED.value},
            ),
            Todo(
                "consents_expiring",
                _l("Согласия на обработку данных истекают в ближайшие 30 дней"),
                consents_expiring,
                "coordinator.people",
                {"consent": "expiring"},
            ),
        ]
    )


@functools.cache
def _gaps_statement() -> sa.Select:
    """Parameters: ``t``, ``ids``, ``year``."""
    m = Municipality
    year = sa.bindparam("year", type_=sa.Integer)
    residents = sa.exists().where(
        Person.tenant_id == _T, Person.municipality_id == m.id, Person.status.in_(ACTIVE_RESIDENT)
    )
    by_person = (
        sa.exists()
        .where(
            Participation.person_id == Person.id,
            Participation.edition_id == EventEdition.id,
            Person.tenant_id == _T,
            Person.municipality_id == m.id,
            EventEdition.year == year,
        )
        .correlate(m)
    )
    by_count = (
        sa.exists()
        .where(
            ParticipationCount.edition_id == EventEdition.id,
            ParticipationCount.municipality_id == m.id,
            ParticipationCount.count > 0,
            EventEdition.year == year,
        )
        .correlate(m)
    )
    # Prepared on PostgreSQL (``mkr_web/dbapi.py``): planning it took ~0.7 ms, running it
    # 0.06 (2 municipalities of the 300,000-person tenant); its plan is the same for any
    # tenant and year: EXISTS probes, each on an index led by the municipality's own keys
    # (the generic plan ran as fast as the custom one at 1M persons).
    return (
        sa.select(m.id, m.name, residents.correlate(m), sa.or_(by_person, by_count))
        .where(m.tenant_id == _T, m.id.in_(_IDS))
        .order_by(m.sort_order, m.name)
        .execution_options(mkr_prepared=True)
    )


class Place(NamedTuple):
    id: int
    name: str


def municipality_gaps(membership: Membership, year: int) -> list[tuple[Place, bool, bool]]:
    """``(municipality, has_residents, took_part_this_year)`` of the coordinator's
    municipalities (each its ``id`` and ``name``), in one query (EXISTS probes on indexed
    columns)."""
    ids = [m.id for m in membership.municipalities]
    if not ids:
        return []
    rows = db.session.execute(
        _gaps_statement(), {"t": membership.tenant_id, "ids": ids, "year": year}
    ).all()
    return [(Place(id_, name), bool(has), bool(took)) for id_, name, has, took in rows]


_NO_PEOPLE = (
    ~sa.exists().where(Participation.edition_id == EventEdition.id),
    ~sa.exists().where(ParticipationCount.edition_id == EventEdition.id),
)
_NO_RESULTS = ~sa.exists().where(AdmissionBatch.edition_id == EventEdition.id)


def _past_editions_of(tenant_id: int, organization_id: int | None, today: date) -> tuple:
    return (
        EventEdition.tenant_id == tenant_id,
        Event.organizer_id == organization_id,
        EventEdition.state == EditionState.HELD,
        sa.or_(EventEdition.ends_on < today, EventEdition.starts_on < today),
    )


def organizer_editions_to_complete(
    membership: Membership, today: date, limit: int = 50
) -> dict[str, list[EventEdition]]:
    """The organiser's past editions without participants, and accredited ones without a
    results protocol (the lists the to-do lines open), most recent first."""
    base = (
        sa.select(EventEdition)
        .join(Event, Event.id == EventEdition.event_id)
        .where(*_past_editions_of(membership.tenant_id, membership.organization_id, today))
        .options(sa.orm.contains_eager(EventEdition.event))
        .order_by(EventEdition.year.desc(), EventEdition.id.desc())
        .limit(limit)
    )
    return {
        "no_participants": list(db.session.scalars(base.where(*_NO_PEOPLE))),
        "no_results": list(
            db.session.scalars(base.where(Event.kind == EventKind.ACCREDITED, _NO_RESULTS))
        ),
    }


def organizer_todo(membership: Membership, today: date) -> list[Todo]:
    t, org = membership.tenant_id, membership.organization_id
    returned = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AccreditationApplication)
        .where(
            AccreditationApplication.tenant_id == t,
            AccreditationApplication.organizer_id == org,
            AccreditationApplication.state == ReviewState.RETURNED,
        )
    )
    without_people, without_results = db.session.execute(
        sa.select(
            sa.func.count().filter(*_NO_PEOPLE),
            sa.func.count().filter(Event.kind == EventKind.ACCREDITED, _NO_RESULTS),
        )
        .select_from(EventEdition)
        .join(Event, Event.id == EventEdition.event_id)
        .where(*_past_editions_of(t, org, today))
    ).one()
    returned_rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AdmissionCandidate)
        .join(AdmissionBatch, AdmissionBatch.id == AdmissionCandidate.batch_id)
        .where(
            AdmissionBatch.tenant_id == t,
            AdmissionBatch.organizer_id == org,
            AdmissionCandidate.state == CandidateState.NEEDS_FIX,
        )
    )
    certificates = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certificate)
        .join(AccreditationApplication, AccreditationApplication.id == Certificate.subject_id)
        .where(
            Certificate.kind == CertificateKind.ACCREDITATION,
            Certificate.file_id.is_not(None),
            AccreditationApplication.tenant_id == t,
            AccreditationApplication.organizer_id == org,
            AccreditationApplication.state == ReviewState.ACCREDITED,
        )
    )
    return ordered(
        [
            Todo(
                "applications_returned",
                _l("Заявки на аккредитацию, возвращённые на доработку"),
                returned,
                "organizer.accreditation_list",
                {"state": ReviewState.RETURNED.value},
            ),
            Todo(
                "rows_returned",
                _l("Строки протоколов, возвращённые на исправление"),
                returned_rows,
                "organizer.admission",
            ),
            Todo(
                "editions_without_participants",
                _l("Прошедшие мероприятия без участников"),
                without_people,
                "organizer.dashboard",
                {"_anchor": "no-participants"},
            ),
            Todo(
                "editions_without_results",
                _l("Аккредитованные мероприятия без протокола результатов"),
                without_results,
                "organizer.dashboard",
                {"_anchor": "no-results"},
            ),
            Todo(
                "certificates_ready",
                _l("Свидетельства об аккредитации готовы"),
                certificates,
                "organizer.accreditation_list",
                {"state": ReviewState.ACCREDITED.value},
            ),
        ]
    )


def expert_todo(tenant_id: int, user_id: int, today: date) -> list[tuple]:
    """The expert's reviews to do: ``(assignment, label, due_on, overdue)``, overdue first,
    then by due date (one query per kind of reviewed item, two at most)."""
    rows = list(
        db.session.scalars(
            sa.select(ReviewAssignment).where(
                ReviewAssignment.tenant_id == tenant_id,
                ReviewAssignment.expert_id == user_id,
                ReviewAssignment.state == AssignmentState.ASSIGNED,
            )
        )
    )
    out = []
    for subject_type, spec in SUBJECTS.items():
        ids = [a.subject_id for a in rows if a.subject_type == subject_type]
        if not ids:
            continue
        subjects = {
            s.id: s
            for s in db.session.scalars(
                sa.select(spec.model).where(
                    spec.model.id.in_(ids), spec.model.state == ReviewState.IN_REVIEW
                )
            )
        }
        for a in rows:
            if a.subject_type == subject_type and a.subject_id in subjects:
                overdue = a.due_on is not None and a.due_on < today
                out.append((a, spec.label(subjects[a.subject_id]), a.due_on, overdue))
    out.sort(key=lambda r: (not r[3], r[2] or date.max, r[0].id))
    return out
