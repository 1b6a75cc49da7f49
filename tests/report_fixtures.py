"""The rows the demo tenant is planned to have (mkr_web/demo/seed.py, plan.py), built fast with
bulk inserts, so the report can be tested against the seed before the demo loaders of the
other features exist. ``load_report_demo()`` returns the tenant.

What it assumes of the real demo (the integrator checks the demo matches):

- tenant ``tomsk`` with ``reference.load`` (20 municipalities, 2 other regions, schools);
- the five accredited events (``ACCREDITED_EVENTS``, created in that order, kind accredited)
  with editions 2017, 2018, 2019; the 2018 Assembly ``not_held`` with ``NOT_HELD_NOTE``, the
  2019 Assembly ``moved`` with ``MOVED_NOTE``, all others ``held``;
- ``ParticipationCount`` rows for those editions: for every municipality (or other region)
  of ``TABLE2[year][event]`` one row ``teachers`` = 1 and one row ``students`` > 0, plus one
  ``experts`` = 5 row on the edition's first municipality; per year they sum to
  ``PARTICIPANT_TOTALS[year]`` (2345, 2494, 2584). No rows for anything else;
- the eleven satellite events (``SATELLITES``, in that order, kind satellite, with their
  directions) with editions 2018 and 2019, each with one ``ParticipationCount`` row
  (г. Томск, students) equal to the seed's Table 3 figure;
- the persons of ``people_plan()`` with their ``municipality``/``organization`` and one
  ``PersonStatusChange`` per ``StatusStep`` (``changed_on`` = step date, ``to_status``);
- five ``AccreditationApplication`` rows, accredited, valid 2016–2021, and the two 2020
  candidates in review;
- guesses for issue 5's data (not asserted by tests/test_report_seed.py): 15 partnerships
  (3 started in 2019, 1 ended in 2018), 34 placed Residents in 2019 (6 + 17 + 11),
  21 publications in 2019 on 6 partner sites and 4 news agencies.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from mkr_web.demo import OPERATOR, TENANT_NAME, TENANT_SLUG, reference
from mkr_web.demo.plan import people_plan
from mkr_web.demo.seed import (
    ACCREDITED_EVENTS,
    CANDIDATES_2020,
    MOVED_NOTE,
    NOT_HELD_NOTE,
    PARTICIPANT_TOTALS,
    SATELLITE_RELATED,
    SATELLITES,
    TABLE2,
    edition_dates,
)
from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    CountCategory,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    Opportunity,
    OpportunityKind,
    Organization,
    OutletKind,
    ParticipationCount,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    Tenant,
    User,
    normalize_name,
)
from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState

YEARS = (2017, 2018, 2019)
EXPERTS_PER_EDITION = 5


def _ids(model, tenant_id) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(model.name, model.id).where(model.tenant_id == tenant_id)
        ).all()
    )


def _insert(model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = db.session.execute(
        sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


def _events(tenant_id, operator_id, munis) -> dict[tuple[str, int], int]:
    keys = list(ACCREDITED_EVENTS)
    event_ids = _insert(
        Event,
        [
            {
                "tenant_id": tenant_id,
                "title": t,
                "short_title": s,
                "kind": EventKind.ACCREDITED,
                "direction": d,
                "level": EventLevel.REGIONAL,
                "organizer_id": operator_id,
            }
            for t, s, d in ACCREDITED_EVENTS.values()
        ],
    )
    editions, counts = {}, []
    for year in YEARS:
        for key, event_id in zip(keys, event_ids, strict=True):
            start, end = edition_dates(key, year)
            state, note = EditionState.HELD, None
            if key == "assembly" and year == 2018:
                state, note = EditionState.NOT_HELD, NOT_HELD_NOTE
            elif key == "assembly" and year == 2019:
                state, note = EditionState.MOVED, MOVED_NOTE
            [edition_id] = _insert(
                EventEdition,
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": event_id,
                        "year": year,
                        "starts_on": start,
                        "ends_on": end,
                        "state": state,
                        "note": note,
                    }
                ],
            )
            editions[(key, year)] = edition_id
        cells = [(editions[(k, year)], m) for k in keys for m in TABLE2[year][k]]
        held = sum(1 for k in keys if TABLE2[year][k])
        students = PARTICIPANT_TOTALS[year] - EXPERTS_PER_EDITION * held - len(cells)
        base, extra = divmod(students, len(cells))
        seen = set()
        for i, (edition_id, muni) in enumerate(cells):
            row = {"tenant_id": tenant_id, "edition_id": edition_id, "municipality_id": munis[muni]}
            counts.append({**row, "category": CountCategory.TEACHERS, "count": 1})
            counts.append({**row, "category": CountCategory.STUDENTS, "count": base + (i < extra)})
            if edition_id not in seen:
                seen.add(edition_id)
                counts.append(
                    {**row, "category": CountCategory.EXPERTS, "count": EXPERTS_PER_EDITION}
                )
    sat_ids = _insert(
        Event,
        [
            {
                "tenant_id": tenant_id,
                "title": t,
                "kind": EventKind.SATELLITE,
                "direction": d,
                "level": EventLevel.REGIONAL,
                "organizer_id": operator_id,
                "related_event_id": event_ids[keys.index(SATELLITE_RELATED[i])]
                if i in SATELLITE_RELATED
                else None,
            }
            for i, (t, d, _p, _c) in enumerate(SATELLITES)
        ],
    )
    for event_id, (_t, _d, n2018, n2019) in zip(sat_ids, SATELLITES, strict=True):
        for year, n in ((2018, n2018), (2019, n2019)):
            [edition_id] = _insert(
                EventEdition,
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": event_id,
                        "year": year,
                        "starts_on": date(year, 10, 1),
                        "ends_on": date(year, 10, 2),
                    }
                ],
            )
            counts.append(
                {
                    "tenant_id": tenant_id,
                    "edition_id": edition_id,
                    "municipality_id": munis["г. Томск"],
                    "category": CountCategory.STUDENTS,
                    "count": n,
                }
            )
    db.session.execute(sa.insert(ParticipationCount), counts)
    return editions, event_ids


def _people(tenant_id, munis, orgs, editions) -> list[int]:
    plan = people_plan()
    rows = []
    for p in plan:
        admission = p.admission
        rows.append(
            {
                "tenant_id": tenant_id,
                "surname": p.surname,
                "name": p.name,
                "patronymic": p.patronymic,
                "birth_on": p.birth_on,
                "search_name": normalize_name(p.surname, p.name, p.patronymic),
                "organization_id": orgs[p.organization],
                "municipality_id": munis[p.municipality],
                "grade": p.grade,
                "status": p.status,
                "status_since": p.history[-1].on if p.history else None,
                "status_reason": p.history[-1].comment if p.history else None,
                "admission_on": admission.on if admission else None,
                "admission_edition_id": editions.get((admission.event_key, admission.year))
                if admission
                else None,
            }
        )
    person_ids = _insert(Person, rows)
    changes = []
    for person_id, p in zip(person_ids, plan, strict=True):
        previous = PersonStatus.NONE
        for step in p.history:
            changes.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person_id,
                    "from_status": previous,
                    "to_status": step.to,
                    "changed_on": step.on,
                    "action": step.action,
                    "comment": step.comment,
                    "edition_id": editions.get((step.event_key, step.year)),
                }
            )
            previous = step.to
    db.session.execute(sa.insert(PersonStatusChange), changes)
    return person_ids


def _issue5_guesses(tenant_id, orgs, person_ids, operator_id):
    plan = people_plan()
    partners = [n for n, _k in reference.PARTNERS] + reference.UNIVERSITIES
    db.session.execute(
        sa.insert(Partnership),
        [
            {
                "tenant_id": tenant_id,
                "organization_id": orgs[name],
                "started_on": date(2019, 3, 1 + i) if i in (0, 1, 6) else date(2012 + i % 6, 9, 1),
                "ended_on": date(2018, 12, 31) if i == 14 else None,
            }
            for i, name in enumerate(partners)
        ],
    )
    kinds = [
        ("Профильные смены ОЦ «Сириус»", OpportunityKind.PROFILE_SHIFT, 6),
        (
            "Профильные смены Томского регионального центра одарённых детей",
            OpportunityKind.PROFILE_SHIFT,
            17,
        ),
        ("Экспертная работа на аккредитованных мероприятиях", OpportunityKind.EXPERT_ROLE, 11),
    ]
    residents = [
        pid
        for pid, p in zip(person_ids, plan, strict=True)
        if p.status is PersonStatus.RESIDENT_SCHOOL
    ]
    placements, used = [], 0
    for title, kind, n in kinds:
        [opp_id] = _insert(
            Opportunity,
            [
                {
                    "tenant_id": tenant_id,
                    "kind": kind,
                    "title": title,
                    "year": 2019,
                    "partner_id": operator_id,
                }
            ],
        )
        for pid in residents[used : used + n]:
            placements.append(
                {
                    "tenant_id": tenant_id,
                    "opportunity_id": opp_id,
                    "person_id": pid,
                    "placed_on": date(2019, 7, 1),
                }
            )
        used += n
    db.session.execute(sa.insert(Placement), placements)
    sites = ["rcro.tomsk.ru", "НИ ТГУ", "НИ ТПУ", "ТГПУ", "Департамент образования", "ТУСУР"]
    agencies = ["РИА Томск", "ТВ2", "Томский обзор", "Tomsk.ru"]
    db.session.execute(
        sa.insert(Publication),
        [
            {
                "tenant_id": tenant_id,
                "title": f"Материал № {i + 1}",
                "outlet": outlet,
                "outlet_kind": kind,
                "published_on": date(2019, 1 + i % 12, 10),
            }
            for i, (outlet, kind) in enumerate(
                [(sites[i % 6], OutletKind.PARTNER_SITE) for i in range(13)]
                + [(agencies[i % 4], OutletKind.NEWS_AGENCY) for i in range(8)]
            )
        ],
    )


def load_report_demo() -> Tenant:
    """Build the demo's report-relevant rows (in the current app context) and commit."""
    tenant = Tenant(
        slug=TENANT_SLUG,
        name=TENANT_NAME,
        operator_name=OPERATOR,
        signatory="Директор ОГБУ «РЦРО»",
        settings={},
    )
    db.session.add(tenant)
    db.session.flush()
    reference.load(tenant)
    munis, orgs = _ids(Municipality, tenant.id), _ids(Organization, tenant.id)
    operator_id = orgs[reference.OPERATOR_ORG]
    decider = User(
        email="report-fixture-decider@example.test", password_hash="!", full_name="Оператор"
    )
    db.session.add(decider)
    db.session.flush()
    editions, event_ids = _events(tenant.id, operator_id, munis)
    apps = [
        {
            "number": f"ACC-2016-{i + 1:03d}",
            "event_id": event_id,
            "title": title,
            "direction": d,
            "state": ReviewState.ACCREDITED,
            "valid_from_year": 2016,
            "valid_to_year": 2021,
            "decided_at": datetime(2016, 1, 20),
            "decided_by_id": decider.id,
        }
        for i, (event_id, (title, _s, d)) in enumerate(
            zip(event_ids, ACCREDITED_EVENTS.values(), strict=True)
        )
    ] + [
        {
            "number": f"ACC-2020-{i + 1:03d}",
            "title": title,
            "direction": d,
            "state": ReviewState.IN_REVIEW,
        }
        for i, (title, d) in enumerate(CANDIDATES_2020)
    ]
    db.session.execute(
        sa.insert(AccreditationApplication),
        [
            {"tenant_id": tenant.id, "organizer_id": operator_id, "level": EventLevel.REGIONAL, **a}
            for a in apps
        ],
    )
    person_ids = _people(tenant.id, munis, orgs, editions)
    _issue5_guesses(tenant.id, orgs, person_ids, operator_id)
    db.session.commit()
    return tenant
