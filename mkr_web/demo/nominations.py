"""Demo: coordinators' nominations in several states (DOMAIN 4.3), after the admission loader.

Seversk's and Pervomaisky's coordinators nominate students of their municipalities; the demo
experts score them on the tenant's nomination rubric through the review machinery, and the
operator decides. The history is recorded by the real machinery, then moved to the dates it
happened on. Nothing here changes a person's status or adds a placement, so the persons
loader's figures hold: the two approved 2019 nominations are the records behind a status
change and a placement the other loaders already wrote (the potential status of a Seversk
pupil; a Seversk Resident's 2019 placement). Open nominations are of 2020.

Idempotent: a nomination is looked up by its number; the 2020 opportunity by title and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..documents.pdf import html_to_pdf
from ..documents.storage import save_bytes
from ..extensions import db
from ..models import (
    AchievementLevel,
    Membership,
    Municipality,
    Nomination,
    NominationKind,
    Opportunity,
    OpportunityKind,
    Organization,
    Person,
    Placement,
    ReviewAssignment,
    SubjectType,
    Tenant,
    TransitionLog,
    User,
    membership_municipality,
)
from ..operations import reviews
from ..operations.audit import record
from ..operations.nominations import NUMBER_PREFIX
from ..operations.notifications import suppressed
from ..operations.transitions import transition
from .admission import plan_persons
from .plan import people_plan

ST = SubjectType.NOMINATION
S = ReviewState
ADMIN = "admin@tomsk.mkr.demo"
EXPERTS = ("expert1@tomsk.mkr.demo", "expert2@tomsk.mkr.demo")
SEVERSK, PERVOMAYSKY = "ЗАТО Северск", "Первомайский район"
OPPORTUNITY_2020 = ("Весенняя профильная смена «Юные исследователи»", 2020, date(2020, 3, 23))
# points per criterion of the default nomination rubric (10, 5, 10, 5), expert 1 and expert 2
POINTS = ((8, 4, 9, 4), (9, 5, 8, 4))
LOW_POINTS = ((3, 2, 4, 2), (2, 2, 3, 1))


@dataclass(frozen=True)
class Planned:
    number: str
    kind: NominationKind
    municipality: str
    state: ReviewState
    start: datetime
    level: AchievementLevel | None
    description: str
    comment: str = ""


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


def _no(year: int, seq: int) -> str:
    """The demo nomination's number: ВЫДВ-2020-001."""
    return f"{NUMBER_PREFIX}-{year}-{seq:03d}"


PLANNED = [
    Planned(
        _no(2020, 1),
        NominationKind.ADMISSION,
        SEVERSK,
        S.IN_REVIEW,
        _at(date(2020, 2, 10)),
        AchievementLevel.ALL_RUSSIAN,
        "Призёр заключительного этапа всероссийской олимпиады школьников "
        "по химии (2019/20 учебный год).",
    ),
    Planned(
        _no(2020, 2),
        NominationKind.OPPORTUNITY,
        PERVOMAYSKY,
        S.REVIEWED,
        _at(date(2020, 2, 3)),
        None,
        "Руководитель школьного научного общества, победитель муниципального конкурса проектов; "
        "рекомендуется на профильную смену.",
    ),
    Planned(
        _no(2020, 3),
        NominationKind.ADMISSION,
        SEVERSK,
        S.RETURNED,
        _at(date(2020, 2, 17)),
        AchievementLevel.INTERNATIONAL,
        "Победитель международного конкурса научных работ школьников.",
        "Приложите диплом победителя и положение о конкурсе.",
    ),
    Planned(
        _no(2020, 4),
        NominationKind.OPPORTUNITY,
        PERVOMAYSKY,
        S.SUBMITTED,
        _at(date(2020, 3, 2)),
        None,
        "Участник регионального этапа олимпиады по биологии, автор исследовательского проекта.",
    ),
    Planned(
        _no(2020, 5),
        NominationKind.ADMISSION,
        SEVERSK,
        S.DRAFT,
        _at(date(2020, 3, 10)),
        AchievementLevel.REGIONAL,
        "Победитель регионального этапа всероссийской олимпиады по праву.",
    ),
]
REJECTED_2019 = Planned(
    _no(2019, 3),
    NominationKind.ADMISSION,
    SEVERSK,
    S.REJECTED,
    _at(date(2019, 11, 18)),
    AchievementLevel.MUNICIPAL,
    "Победитель муниципального этапа олимпиады по обществознанию.",
    "Достижение муниципального уровня не даёт оснований для включения в банк; "
    "статус потенциального резидента уже присвоен.",
)


def load(tenant: Tenant) -> dict[str, int]:
    users = _users(tenant)
    persons = plan_persons(tenant)
    munis = {
        m.name: m
        for m in db.session.scalars(
            sa.select(Municipality).where(Municipality.tenant_id == tenant.id)
        )
    }
    if users is None or SEVERSK not in munis or PERVOMAYSKY not in munis or not persons:
        return {}
    have = set(
        db.session.scalars(sa.select(Nomination.number).where(Nomination.tenant_id == tenant.id))
    )
    made = {"nominations": 0, "nomination_opportunities": 0}
    pdf = html_to_pdf(
        "<html><body><h1>Диплом</h1><p>(демонстрационный документ, подтверждающий достижение)"
        "</p></body></html>"
    )
    potentials = _plan_people(persons, SEVERSK, "potential")
    residents = _plan_people(persons, PERVOMAYSKY, "resident_school")
    with suppressed():
        rubric = reviews.ensure_rubric(tenant.id, ST)
        criteria = [c for c in rubric.criteria if c.is_active]
        ctx = (tenant, users, criteria, pdf, made)
        if _no(2019, 1) not in have and potentials:
            _potential_2019(ctx, _no(2019, 1), potentials[0])
        if _no(2019, 2) not in have:
            _placement_2019(ctx, _no(2019, 2), munis[SEVERSK])
        if REJECTED_2019.number not in have and len(potentials) > 1:
            _run(ctx, REJECTED_2019, potentials[1], None)
        opportunity = _opportunity_2020(tenant, made)
        people = {SEVERSK: iter(potentials[2:]), PERVOMAYSKY: iter(residents)}
        for planned in PLANNED:
            person = next(people[planned.municipality], None)
            if planned.number in have or person is None:
                continue
            _run(
                ctx,
                planned,
                person,
                opportunity if planned.kind is NominationKind.OPPORTUNITY else None,
            )
    db.session.flush()
    return {k: v for k, v in made.items() if v}


def _users(tenant: Tenant) -> dict | None:
    emails = dict(db.session.execute(sa.select(User.email, User.id)).all())
    if ADMIN not in emails or any(e not in emails for e in EXPERTS):
        return None
    coordinators = {}
    for name, user_id in db.session.execute(
        sa.select(Municipality.name, Membership.user_id)
        .join(membership_municipality, membership_municipality.c.municipality_id == Municipality.id)
        .join(Membership, Membership.id == membership_municipality.c.membership_id)
        .where(Membership.tenant_id == tenant.id, Membership.role == Role.COORDINATOR)
        .order_by(Membership.id)
    ):
        coordinators.setdefault(name, user_id)
    if SEVERSK not in coordinators or PERVOMAYSKY not in coordinators:
        return None
    return {
        "admin": emails[ADMIN],
        "experts": [emails[e] for e in EXPERTS],
        "coordinators": coordinators,
    }


def _plan_people(persons: dict[str, Person], municipality: str, status: str) -> list[Person]:
    """The plan's persons of a municipality in a status, senior pupils first, in plan order."""
    specs = [
        s
        for s in people_plan()
        if s.municipality == municipality and s.status.value == status and s.key in persons
    ]
    specs.sort(key=lambda s: -int(s.grade.split()[0]) if s.grade.split()[0].isdigit() else 0)
    return [persons[s.key] for s in specs]


def _opportunity_2020(tenant: Tenant, made: dict) -> Opportunity:
    title, year, starts_on = OPPORTUNITY_2020
    opp = db.session.scalar(
        sa.select(Opportunity).where(
            Opportunity.tenant_id == tenant.id, Opportunity.title == title, Opportunity.year == year
        )
    )
    if opp is None:
        partner = db.session.scalar(
            sa.select(Organization).where(
                Organization.tenant_id == tenant.id, Organization.name == "НИ ТГУ"
            )
        )
        opp = Opportunity(
            tenant_id=tenant.id,
            kind=OpportunityKind.PROFILE_SHIFT,
            title=title,
            year=year,
            partner_id=partner.id if partner else None,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=6),
        )
        db.session.add(opp)
        db.session.flush()
        made["nomination_opportunities"] += 1
    return opp


def _create(ctx, planned: Planned, person: Person, opportunity: Opportunity | None) -> Nomination:
    tenant, users, _criteria, pdf, made = ctx
    coordinator = users["coordinators"][planned.municipality]
    n = Nomination(
        tenant_id=tenant.id,
        number=planned.number,
        kind=planned.kind,
        person_id=person.id,
        municipality_id=person.municipality_id,
        opportunity_id=opportunity.id if opportunity else None,
        achievement_level=planned.level.value if planned.level else None,
        description=planned.description,
        state=S.DRAFT,
        created_by_id=coordinator,
    )
    db.session.add(n)
    db.session.flush()
    n.files.append(
        save_bytes(tenant.id, "evidence", "diploma.pdf", pdf, "application/pdf", coordinator)
    )
    record(
        "nomination.create",
        n,
        tenant_id=tenant.id,
        number=n.number,
        kind=n.kind.value,
        person_id=person.id,
    )
    made["nominations"] += 1
    return n


def _run(ctx, planned: Planned, person: Person, opportunity: Opportunity | None) -> Nomination:
    """Create the nomination and take it through the machinery up to ``planned.state``."""
    tenant, users, criteria, _pdf, _made = ctx
    n = _create(ctx, planned, person, opportunity)
    coordinator, admin = n.created_by_id, users["admin"]
    if planned.state is not S.DRAFT:
        transition(NOMINATION, n, ST, "submit", role=Role.COORDINATOR, user_id=coordinator)
    if planned.state not in (S.DRAFT, S.SUBMITTED):
        reviews.assign_experts(ST, n, users["experts"], role=Role.ADMIN, actor_id=admin)
        points = LOW_POINTS if planned.state is S.REJECTED else POINTS
        scored = users["experts"][:1] if planned.state is S.IN_REVIEW else users["experts"]
        for expert_id, pts in zip(scored, points, strict=False):
            assignment = db.session.execute(
                sa.select(ReviewAssignment).where(
                    ReviewAssignment.subject_type == ST,
                    ReviewAssignment.subject_id == n.id,
                    ReviewAssignment.expert_id == expert_id,
                )
            ).scalar_one()
            reviews.save_scores(
                assignment,
                {c.id: p for c, p in zip(criteria, pts, strict=False)},
                "Оценено по представленным документам.",
                submit=True,
                role=Role.EXPERT,
                user_id=expert_id,
            )
    if planned.state is S.RETURNED:
        transition(
            NOMINATION, n, ST, "return", role=Role.ADMIN, user_id=admin, comment=planned.comment
        )
    if planned.state in (S.APPROVED, S.REJECTED):
        n.decided_by_id = admin
        action = "approve" if planned.state is S.APPROVED else "reject"
        transition(
            NOMINATION, n, ST, action, role=Role.ADMIN, user_id=admin, comment=planned.comment
        )
    _backdate(n, planned.start, timedelta(days=2))
    return n


def _potential_2019(ctx, number: str, person: Person) -> None:
    """The nomination behind the potential status the persons loader gave this pupil."""
    spec_on = person.status_since or date(2019, 10, 1)
    planned = Planned(
        number,
        NominationKind.POTENTIAL,
        SEVERSK,
        S.APPROVED,
        _at(spec_on - timedelta(days=14)),
        None,
        "Активный участник проектных школ и мероприятий-спутников программы, "
        "волонтёр муниципального центра детского творчества.",
        "Присвоить статус.",
    )
    _run(ctx, planned, person, None)


def _placement_2019(ctx, number: str, severs: Municipality) -> None:
    """The nomination behind a Seversk Resident's 2019 placement the programme loader wrote."""
    placement = db.session.execute(
        sa.select(Placement)
        .join(Person, Person.id == Placement.person_id)
        .join(Opportunity, Opportunity.id == Placement.opportunity_id)
        .where(
            Person.municipality_id == severs.id,
            Opportunity.year == 2019,
            Placement.nomination_id.is_(None),
            Placement.tenant_id == ctx[0].id,
        )
        .order_by(Placement.placed_on, Placement.id)
        .limit(1)
    ).scalar_one_or_none()
    if placement is None:
        return
    planned = Planned(
        number,
        NominationKind.OPPORTUNITY,
        SEVERSK,
        S.APPROVED,
        _at(placement.placed_on - timedelta(days=20)),
        None,
        "Победитель регионального конкурса исследовательских работ; рекомендуется на смену.",
        "Направить.",
    )
    n = _run(ctx, planned, placement.person, placement.opportunity)
    placement.nomination_id = n.id


def _backdate(n: Nomination, start: datetime, step: timedelta) -> None:
    """Move the nomination's recorded history to when it happened."""
    logs = db.session.scalars(
        sa.select(TransitionLog)
        .where(TransitionLog.subject_type == ST, TransitionLog.subject_id == n.id)
        .order_by(TransitionLog.id)
    ).all()
    n.created_at = start - step
    for i, log in enumerate(logs):
        log.at = start + step * i
        if log.action in ("submit", "resubmit"):
            n.submitted_at = log.at
        if log.action in ("approve", "reject"):
            n.decided_at = log.at
    for a in db.session.scalars(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == ST, ReviewAssignment.subject_id == n.id
        )
    ):
        a.assigned_at = start + step
        if a.submitted_at is not None:
            a.submitted_at = start + step * 3
