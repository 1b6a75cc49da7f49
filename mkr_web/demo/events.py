"""Demo events: the five accredited events with their accreditation history, the two 2020
candidates in review, the eleven satellite events with their 2018–2019 counts, and the
2017–2019 editions of the accredited events with the coverage of the seed's Table 2.

The history goes through the real operations (submit, assign, score, accredit), so it is
recorded like any other, then its timestamps are moved to the years it happened in.
Idempotent: applications are found by number, events by title, editions by year; counts are
written only for an edition that has none.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

import sqlalchemy as sa

from workflows.roles import Role

from ..documents.pdf import html_to_pdf
from ..documents.storage import save_bytes
from ..extensions import db
from ..models import (
    AccreditationApplication,
    CertificateKind,
    CountCategory,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    Organization,
    ParticipationCount,
    ReviewAssignment,
    SubjectType,
    Tenant,
    TransitionLog,
    User,
)
from ..operations import accreditation as acc, certificates, reviews
from ..operations.events import EditionData, EventData, save_edition, save_event
from ..operations.notifications import suppressed
from . import reference, seed

ST = SubjectType.ACCREDITATION
ADMIN, ORGANIZER = "admin@tomsk.mkr.demo", "organizer@tomsk.mkr.demo"
EXPERTS = ("expert1@tomsk.mkr.demo", "expert2@tomsk.mkr.demo")
LEVELS = {"assembly": EventLevel.INTERREGIONAL}
# Expert points per criterion (the default rubric: 10, 10, 10, 10, 5), per event.
SCORES = [
    ([9, 9, 8, 9, 5], [8, 9, 9, 8, 4]),
    ([8, 9, 9, 8, 4], [9, 8, 8, 9, 5]),
    ([9, 8, 9, 9, 4], [9, 9, 8, 8, 4]),
    ([8, 8, 9, 8, 5], [8, 9, 9, 9, 4]),
    ([10, 9, 9, 9, 5], [9, 9, 10, 8, 5]),
]
CANDIDATE_SCORES = ([8, 7, 8, 9, 4], [7, 8, 8, 7, 3])
# Table 2 counts: weight of a municipality within an edition (г. Томск takes the most).
WEIGHTS = {seed.TOMSK: 24, seed.SEVERSK: 7, "Томский район": 4}


def _by_name(model, tenant: Tenant, name: str):
    return db.session.execute(
        sa.select(model).where(model.tenant_id == tenant.id, model.name == name)
    ).scalar_one()


def _user(email: str) -> User:
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def _regulation(tenant: Tenant, title: str, user_id: int):
    html = (
        f"<html><body><h1>Положение</h1><p>о проведении мероприятия «{escape(title)}»</p>"
        "<p>(демонстрационный документ)</p></body></html>"
    )
    return save_bytes(
        tenant.id, "regulation", "polozhenie.pdf", html_to_pdf(html), "application/pdf", user_id
    )


def _application(
    tenant: Tenant,
    number: str,
    title: str,
    direction,
    level: EventLevel,
    munis: list[str],
    organizer: Organization,
    users: dict[str, User],
) -> AccreditationApplication:
    data = acc.ApplicationData(
        title=title,
        direction=direction,
        level=level,
        regularity="ежегодно",
        audience="обучающиеся 8–11 классов и студенты, педагоги",
        expected_participants=400,
        selection_method="Победители и призёры определяются жюри по критериям положения; "
        "протокол публикуется на сайте организатора.",
        municipalities=[_by_name(Municipality, tenant, m) for m in munis],
    )
    app = acc.create_application(
        tenant.id,
        organizer,
        data,
        user_id=users[ORGANIZER].id,
        number=number,
        regulation=_regulation(tenant, title, users[ORGANIZER].id),
    )
    acc.submit(app, role=Role.ORGANIZER, user_id=users[ORGANIZER].id)
    reviews.assign_experts(
        ST, app, [users[e].id for e in EXPERTS], role=Role.ADMIN, actor_id=users[ADMIN].id
    )
    return app


def _score(app: AccreditationApplication, expert: User, points: list[int], rubric) -> None:
    assignment = db.session.execute(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == ST,
            ReviewAssignment.subject_id == app.id,
            ReviewAssignment.expert_id == expert.id,
        )
    ).scalar_one()
    criteria = [c for c in rubric.criteria if c.is_active]
    reviews.save_scores(
        assignment,
        {c.id: p for c, p in zip(criteria, points, strict=False)},
        "Заявка соответствует требованиям.",
        submit=True,
        role=Role.EXPERT,
        user_id=expert.id,
    )


def _backdate(app: AccreditationApplication, start: datetime, step: timedelta) -> None:
    """Move the application's recorded history to when it happened."""
    logs = db.session.scalars(
        sa.select(TransitionLog)
        .where(TransitionLog.subject_type == ST, TransitionLog.subject_id == app.id)
        .order_by(TransitionLog.id)
    ).all()
    for i, log in enumerate(logs):
        log.at = start + step * i
        if log.action in ("submit", "resubmit"):
            app.submitted_at = log.at
        if log.action == "accredit":
            app.decided_at = log.at
            app.event.created_at = log.at
    app.created_at = start - step
    for a in db.session.scalars(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == ST, ReviewAssignment.subject_id == app.id
        )
    ):
        a.assigned_at = start + step
        if a.submitted_at is not None:
            a.submitted_at = start + step * 3


def _accredited(tenant: Tenant, users, organizer, rubric, made) -> dict[str, Event]:
    events = {}
    for i, (key, (title, short, direction)) in enumerate(seed.ACCREDITED_EVENTS.items(), start=1):
        number = f"{acc.NUMBER_PREFIX}-{seed.ACCREDITED_SINCE}-{i:03d}"
        app = db.session.execute(
            sa.select(AccreditationApplication).where(
                AccreditationApplication.tenant_id == tenant.id,
                AccreditationApplication.number == number,
            )
        ).scalar_one_or_none()
        if app is None:
            munis = seed.TABLE2[2017][key]
            app = _application(
                tenant,
                number,
                title,
                direction,
                LEVELS.get(key, EventLevel.REGIONAL),
                munis,
                organizer,
                users,
            )
            for expert, points in zip(EXPERTS, SCORES[i - 1], strict=True):
                _score(app, users[expert], points, rubric)
            acc.accredit(
                app,
                seed.ACCREDITED_SINCE,
                seed.ACCREDITED_SINCE + 5,
                role=Role.ADMIN,
                user_id=users[ADMIN].id,
                comment="Аккредитовано по итогам экспертизы.",
            )
            app.event.short_title = short
            _backdate(app, datetime(seed.ACCREDITED_SINCE, 2, 1 + i, 10, 0), timedelta(days=3))
            made["applications"] += 1
        cert = certificates.find(CertificateKind.ACCREDITATION, app.id)
        if cert is None:
            certificates.issue(
                tenant.id,
                CertificateKind.ACCREDITATION,
                app.id,
                issued_on=app.decided_at.date()
                if app.decided_at
                else date(seed.ACCREDITED_SINCE, 3, 1),
            )
            made["certificates"] += 1
        events[key] = app.event
    return events


def _candidates(tenant: Tenant, users, organizer, rubric, made) -> None:
    for i, (title, direction) in enumerate(seed.CANDIDATES_2020, start=1):
        number = f"{acc.NUMBER_PREFIX}-2020-{i:03d}"
        exists = db.session.execute(
            sa.select(AccreditationApplication.id).where(
                AccreditationApplication.tenant_id == tenant.id,
                AccreditationApplication.number == number,
            )
        ).first()
        if exists:
            continue
        app = _application(
            tenant,
            number,
            title,
            direction,
            EventLevel.REGIONAL,
            [seed.TOMSK, seed.SEVERSK],
            organizer,
            users,
        )
        _score(
            app, users[EXPERTS[0]], CANDIDATE_SCORES[i - 1], rubric
        )  # expert2 has not scored yet
        _backdate(app, datetime(2020, 2, 10 + i, 11, 0), timedelta(days=2))
        made["applications"] += 1


def _edition(event: Event, year: int, made, **fields) -> EventEdition:
    edition = db.session.execute(
        sa.select(EventEdition).where(EventEdition.event_id == event.id, EventEdition.year == year)
    ).scalar_one_or_none()
    if edition is None:
        edition = save_edition(event, EditionData(year=year, **fields))
        made["editions"] += 1
    return edition


def _has_counts(edition: EventEdition) -> bool:
    return (
        db.session.execute(
            sa.select(ParticipationCount.id)
            .where(ParticipationCount.edition_id == edition.id)
            .limit(1)
        ).first()
        is not None
    )


def _add_counts(edition: EventEdition, municipality: Municipality, total: int) -> None:
    """Split ``total`` into students, teachers and experts (every part of a small total is students)."""
    experts, teachers = total // 20, total // 8
    parts = {
        CountCategory.STUDENTS: total - experts - teachers,
        CountCategory.TEACHERS: teachers,
        CountCategory.EXPERTS: experts,
    }
    for category, n in parts.items():
        if n:
            db.session.add(
                ParticipationCount(
                    tenant_id=edition.tenant_id,
                    edition_id=edition.id,
                    municipality_id=municipality.id,
                    category=category,
                    count=n,
                )
            )


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` by ``weights``, every share at least 1, the shares summing to ``total``
    exactly (largest remainders)."""
    base = [1] * len(weights)
    rest = total - len(weights)
    raw = [rest * w / sum(weights) for w in weights]
    shares = [b + int(r) for b, r in zip(base, raw, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _coverage(tenant: Tenant, events: dict[str, Event], made) -> None:
    """Editions 2017–2019 of the accredited events with Table 2's municipalities; each year's
    students + teachers + experts sum to PARTICIPANT_TOTALS."""
    munis = {
        m.name: m
        for m in db.session.scalars(
            sa.select(Municipality).where(Municipality.tenant_id == tenant.id)
        )
    }
    for year, per_event in seed.TABLE2.items():
        editions, pairs = {}, []
        for key, names in per_event.items():
            if key == "assembly" and year == 2018:
                _edition(
                    events[key], year, made, state=EditionState.NOT_HELD, note=seed.NOT_HELD_NOTE
                )
                continue
            starts_on, ends_on = seed.edition_dates(key, year)
            moved = key == "assembly" and year == 2019
            editions[key] = _edition(
                events[key],
                year,
                made,
                starts_on=starts_on,
                ends_on=ends_on,
                state=EditionState.MOVED if moved else EditionState.HELD,
                note=seed.MOVED_NOTE if moved else None,
            )
            pairs += [(key, name) for name in names]
        if any(_has_counts(e) for e in editions.values()):
            continue
        shares = allocate(
            seed.PARTICIPANT_TOTALS[year], [WEIGHTS.get(name, 2) for _, name in pairs]
        )
        for (key, name), share in zip(pairs, shares, strict=True):
            _add_counts(editions[key], munis[name], share)
        made["counts"] += len(pairs)


def _satellites(tenant: Tenant, events: dict[str, Event], organizer: Organization, made) -> None:
    tomsk = _by_name(Municipality, tenant, seed.TOMSK)
    for index, (title, direction, n2018, n2019) in enumerate(seed.SATELLITES):
        event = db.session.execute(
            sa.select(Event).where(
                Event.tenant_id == tenant.id,
                Event.title == title,
                Event.kind == EventKind.SATELLITE,
            )
        ).scalar_one_or_none()
        if event is None:
            related = events.get(seed.SATELLITE_RELATED.get(index, ""))
            event = save_event(
                tenant.id,
                EventData(
                    title=title,
                    kind=EventKind.SATELLITE,
                    direction=direction,
                    level=EventLevel.REGIONAL,
                    organizer=organizer,
                    related_event=related,
                ),
            )
            made["events"] += 1
        for year, count in ((2018, n2018), (2019, n2019)):
            edition = _edition(event, year, made)
            if not _has_counts(edition):
                db.session.add(
                    ParticipationCount(
                        tenant_id=tenant.id,
                        edition_id=edition.id,
                        municipality_id=tomsk.id,
                        category=CountCategory.STUDENTS,
                        count=count,
                    )
                )
                made["counts"] += 1


def load(tenant: Tenant) -> dict[str, int]:
    made = dict.fromkeys(("applications", "certificates", "events", "editions", "counts"), 0)
    users = {email: _user(email) for email in (ADMIN, ORGANIZER, *EXPERTS)}
    organizer = _by_name(Organization, tenant, reference.OPERATOR_ORG)
    with suppressed():
        rubric = reviews.ensure_rubric(tenant.id, ST)
        events = _accredited(tenant, users, organizer, rubric, made)
        _candidates(tenant, users, organizer, rubric, made)
        _coverage(tenant, events, made)
        _satellites(tenant, events, organizer, made)
    db.session.flush()
    return {f"event_{k}": v for k, v in made.items()}
