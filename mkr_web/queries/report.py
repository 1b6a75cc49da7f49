"""The annual analytical report (Аналитическая справка, DOMAIN 6) as SQL over the bank's rows.

:func:`build_report` runs a fixed set of fourteen aggregate queries, whatever the size of
the data, and returns one plain, JSON-ready dict. The dashboard, the PDF, the XLSX
workbook, the JSON route and ``flask mkr report`` all render that dict; nothing in it is
stored as a total or typed in.

What each number means
----------------------
``Y`` is the report year, ``D`` the as-of date (default: 1 January of Y+1, the seed's
"по состоянию на январь 2020"; any date may be given). *The period of Y* runs from 1 January
of Y to the earlier of 31 December of Y and D, so a report as of a mid-year date is an interim
report. Dated rows (status changes, placements, publications, partnerships, accreditation
decisions) count in Y when their date is in that period. Event editions count in their
reporting year ``EventEdition.year`` whatever their dates (DOMAIN 5.4: the Assembly of
November 2018 moved to January 2019 is a 2019 edition with a footnote).

*Status as of D*: the ``to_status`` of the person's latest ``PersonStatusChange`` with
``changed_on <= D`` (ties broken by the larger id). ``Person.status`` is not read: it is
today's status, not D's.

- ``residents``: persons by status as of D: ``school`` (resident_school), ``student``
  (resident_student), ``active`` = school + student, ``potential``, ``alumni``.
- Criterion 1 (new Residents): persons whose *first* change into resident_school or
  resident_student is dated in the period of Y. Threshold ``thresholds["1"]``. Percent of
  plan = value / threshold × 100, so 124 admissions against 75 are 165.3 % of the plan,
  +65.3 % over it. (The seed's "+39.5 %" divided by the actual; the report says which base
  it uses.)
- Criterion 2 (the network of accredited events; no threshold): ``events_held`` = editions
  of year Y, state held or moved, of events of kind accredited; ``newly_accredited`` =
  applications accredited (or accredited and since expired) whose validity starts in Y or
  that were decided in the period of Y (renewals included); ``expired`` = accreditations
  whose last valid year is Y-1 (they no longer cover Y), whether or not the nightly job has
  marked them expired yet; ``accredited_valid`` = accreditations whose validity covers Y.
  Participants of an edition = the sum of its ``ParticipationCount`` rows (students,
  teachers, experts, all municipalities), or, for an edition with no count rows, its distinct
  persons in ``Participation``. ``participants_by_year`` sums the accredited editions of Y-2,
  Y-1, Y; the changes are in % of the earlier year. ``municipalities_reached`` = the tenant's
  municipalities (other regions excluded) with participants > 0 in an accredited edition of
  Y. Met when at least one accredited edition was held in Y and its participants are more
  than in Y-1.
- Criterion 3 (partners): ``active`` = ``Partnership`` rows with started_on <= D and
  (ended_on empty or >= D); value = partnerships started in the period of Y, against
  ``thresholds["3"]``.
- Criterion 4 (satellite events): value = editions of year Y of events of kind satellite,
  not in state not_held, against ``thresholds["4_events"]``; ``participants`` = their
  participants (counted as above) against ``thresholds["4_participants"]``; met = both.
- Criterion 5 (DOMAIN 8.2): distinct persons with a ``Placement`` whose start
  (``placed_on``) is in the period of Y *and* who were active Residents (status
  resident_school or resident_student as of that start date, by the status history),
  against ``thresholds["5"]``; ``by_kind`` counts those persons per opportunity kind (a
  person may appear under several kinds). ``not_residents``: distinct persons placed in Y
  who were not active Residents at the start (e.g. potential Residents): shown in the
  report's notes, not in the criterion.
- Criterion 6: ``Publication`` rows dated in the period of Y, against ``thresholds["6"]``,
  split by outlet kind (partner sites, news agencies) with the number of distinct outlets.
- Table 1 (DOMAIN 8.1): every municipality of the tenant that is not another region, in
  ``sort_order``: the school Residents (status resident_school as of D) counted in the row of
  the municipality *of the organisation where they study* (``Organization.municipality_id``;
  the person's own ``Person.municipality_id`` only when the organisation, or its
  municipality, is unknown), and the number of distinct organisations located in that
  municipality with at least one of them; a total row (distinct organisations, Residents).
  So a regional-subordination lyceum in the regional centre counts in the centre's row
  whichever district its pupils come from; such organisations are listed again in
  ``regional_organizations``. School Residents whose row would be no municipality (or
  another region) are in ``residents`` but in no row: ``table1_unassigned`` says how many.
  ``municipalities_without_residents`` (DOMAIN 8.3): the municipalities with no active
  Resident (school or student) as of D *by the person's own municipality*, so a district
  whose only Residents are university students from it is not listed, even when its
  Table 1 row is zero.
- Table 2: for Y-2, Y-1, Y, every edition of every accredited event (events in the order
  they were created): the tenant's municipalities (in ``sort_order``) and other regions with
  participants > 0, and ``count``, the number of the tenant's municipalities. A not-held
  edition shows its ``note`` instead; a moved edition carries its note as ``footnote``.
  ``municipalities_without_participation``: the tenant's municipalities with no participant
  in any accredited edition of the three years. ``coverage`` (the heat map): per municipality
  and year, the number of accredited editions it took part in, and its participants.
- Table 3: satellite events with an edition in Y-1 or Y: participants in each year (None: no
  edition that year), the change and the change in % of Y-1; totals (the sum of the rows)
  and totals by direction.

Thresholds are tenant settings (``Tenant.settings["thresholds"]``, defaults in
``models/tenancy.py``) and are stated in the report.

Coordinator's report (``municipality_ids`` given; the scope follows the person's own
municipality): ``residents``, Table 1 (of those persons, rows limited to the scope),
``regional_organizations``, ``municipalities_without_residents``, Table 2's municipalities
(other regions are left out), the coverage map and ``municipalities_without_participation``
are limited to those municipalities. The criteria are the programme's and stay
programme-wide (their thresholds are the programme's); criteria 1, 2 and 5 add a
``local_value`` for the coordinator's municipalities (admissions, participants of accredited
editions of Y, Residents placed). Table 3 (satellite events, counted per event) is
programme-wide.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus

from ..extensions import db
from ..models import (
    EventEdition,
    Municipality,
    MunicipalityKind,
    Organization,
    Person,
    PersonStatusChange,
    Tenant,
)
from ..models.tenancy import DEFAULT_SETTINGS
from .report_criteria import accreditations, partners, placements_of, publications_of
from .report_events import analytic, event_sections

S = PersonStatus
RESIDENT_STATUSES = (S.RESIDENT_SCHOOL, S.RESIDENT_STUDENT)

CRITERIA_TITLES = {
    1: "Ежегодное пополнение регионального банка данных",
    2: "Обновление и пополнение сети аккредитованных мероприятий",
    3: "Расширение сети организаций-партнёров",
    4: "Мероприятия-спутники для Резидентов",
    5: "Резиденты, прошедшие практики, стажировки, профильные смены и др.",
    6: "Публикации в СМИ и на сайтах организаций-партнёров",
}


def default_as_of(year: int) -> date:
    return date(year + 1, 1, 1)


def thresholds_of(tenant: Tenant) -> dict[str, int]:
    merged = dict(DEFAULT_SETTINGS["thresholds"])
    merged.update(
        {k: int(v) for k, v in (tenant.setting("thresholds") or {}).items() if k in merged}
    )
    return merged


def _percent(part: int | None, base: int | None) -> float | None:
    if not base or part is None:
        return None
    return round(part / base * 100, 1)


def status_as_of(tenant_id: int, as_of: date, municipality_ids: list[int] | None = None):
    """Subquery (person_id, status, municipality_id, organization_id): each person's status as
    of ``as_of``. Persons are joined *inside* the ranking, so no plan re-ranks per person."""
    psc = PersonStatusChange
    ranked = (
        sa.select(
            psc.person_id,
            psc.to_status.label("status"),
            Person.municipality_id,
            Person.organization_id,
            sa.func.row_number()
            .over(partition_by=psc.person_id, order_by=(psc.changed_on.desc(), psc.id.desc()))
            .label("rn"),
        )
        .join(Person, Person.id == psc.person_id)
        .where(
            psc.tenant_id == tenant_id,
            Person.tenant_id == tenant_id,
            psc.changed_on <= as_of,
            _in_scope(Person.municipality_id, municipality_ids),
        )
        .subquery()
    )
    return (
        sa.select(
            ranked.c.person_id, ranked.c.status, ranked.c.municipality_id, ranked.c.organization_id
        )
        .where(ranked.c.rn == 1)
        .subquery()
    )


def _in_scope(column, municipality_ids):
    return sa.true() if municipality_ids is None else column.in_(municipality_ids)


def _status_grid(tenant_id, as_of, ids) -> list:
    """(municipality_id, organization_id, status, persons) as of ``as_of``: the one scan of
    the status history the residents, Table 1 and the regional organisations are read from."""
    cur = status_as_of(tenant_id, as_of, ids)
    return analytic(
        sa.select(
            cur.c.municipality_id, cur.c.organization_id, cur.c.status, sa.func.count()
        ).group_by(cur.c.municipality_id, cur.c.organization_id, cur.c.status)
    )


def _residents_and_table1(tenant_id, as_of, municipalities, ids):
    """From the one status grid: the status counts and "without Residents" by the person's own
    municipality (8.3); Table 1 by the municipality of the school (8.1), the person's own
    when the school is unknown or has none."""
    grid = _status_grid(tenant_id, as_of, ids)
    school_orgs = {
        org_id
        for _m, org_id, status, _n in grid
        if org_id is not None and status == S.RESIDENT_SCHOOL
    }
    org_muni = (
        dict(
            db.session.execute(
                sa.select(Organization.id, Organization.municipality_id).where(
                    Organization.tenant_id == tenant_id, Organization.id.in_(school_orgs)
                )
            ).all()
        )
        if school_orgs
        else {}
    )
    per_muni: dict = {}  # own municipality -> [school, student, potential, alumni]
    per_school_muni: dict = {}  # the school's municipality -> [set of schools, Residents]
    by_org: dict = {}  # organisation -> Residents at school
    column = {S.RESIDENT_SCHOOL: 0, S.RESIDENT_STUDENT: 1, S.POTENTIAL: 2, S.ALUMNI: 3}
    for muni_id, org_id, status, n in grid:
        status = S(status)
        cells = per_muni.setdefault(muni_id, [0, 0, 0, 0])
        if status in column:
            cells[column[status]] += n
        if status is S.RESIDENT_SCHOOL:
            row_muni = org_muni.get(org_id) or muni_id
            table = per_school_muni.setdefault(row_muni, [set(), 0])
            if org_id is not None:
                table[0].add(org_id)
            table[1] += n
            by_org[org_id] = by_org.get(org_id, 0) + n
    rows = [(muni_id, *c) for muni_id, c in per_muni.items()]
    table_rows = [(muni_id, len(t[0]), t[1]) for muni_id, t in per_school_muni.items()]
    listed = [m for m in municipalities if ids is None or m["id"] in ids]
    listed_ids = {m["id"] for m in listed}
    listed_orgs = set().union(*(per_school_muni[i][0] for i in listed_ids if i in per_school_muni))
    total_orgs = len(listed_orgs)
    total_school = sum(per_school_muni[i][1] for i in listed_ids if i in per_school_muni)
    regional = [
        (name, muni, by_org.get(org_id, 0))
        for org_id, name, muni in db.session.execute(
            sa.select(Organization.id, Organization.name, Municipality.name)
            .outerjoin(Municipality, Municipality.id == Organization.municipality_id)
            .where(
                Organization.tenant_id == tenant_id,
                Organization.is_regional_subordination.is_(True),
                _in_scope(Organization.municipality_id, ids),
            )
            .order_by(Organization.name)
        ).all()
    ]

    by_muni = {r[0]: r for r in rows}
    by_school_muni = {r[0]: r for r in table_rows}
    school_sum = sum(int(r[1]) for r in rows)
    student_sum = sum(int(r[2]) for r in rows)
    residents = {
        "active": school_sum + student_sum,
        "school": school_sum,
        "student": student_sum,
        "potential": sum(int(r[3]) for r in rows),
        "alumni": sum(int(r[4]) for r in rows),
    }
    table1, without = [], []
    for m in listed:
        t = by_school_muni.get(m["id"])
        orgs, school_n = (int(t[1]), int(t[2])) if t else (0, 0)
        table1.append({"municipality": m["name"], "organizations": orgs, "residents": school_n})
        r = by_muni.get(m["id"])
        if not r or int(r[1]) + int(r[2]) == 0:
            without.append(m["name"])
    return {
        "residents": residents,
        "table1": table1,
        "table1_total": {"organizations": int(total_orgs), "residents": int(total_school)},
        "table1_unassigned": school_sum - int(total_school),
        "regional_organizations": [
            {"organization": name, "municipality": muni, "residents": int(count)}
            for name, muni, count in regional
        ],
        "municipalities_without_residents": without,
    }


def _admissions(tenant_id, start, end, ids) -> tuple[int, int | None]:
    psc = PersonStatusChange
    first = (
        sa.select(
            psc.person_id, Person.municipality_id, sa.func.min(psc.changed_on).label("first_on")
        )
        .join(Person, Person.id == psc.person_id)
        .where(
            psc.tenant_id == tenant_id,
            Person.tenant_id == tenant_id,
            psc.to_status.in_(RESIDENT_STATUSES),
        )
        .group_by(psc.person_id, Person.municipality_id)
        .subquery()
    )
    local = sa.func.sum(sa.case((first.c.municipality_id.in_(ids or []), 1), else_=0))
    ((total, in_scope),) = analytic(
        sa.select(sa.func.count(), sa.func.coalesce(local, 0)).where(
            first.c.first_on >= start, first.c.first_on <= end
        )
    )
    return int(total), (int(in_scope) if ids is not None else None)


def _criterion(number: int, value: int, threshold: int | None, met: bool, **extra) -> dict:
    entry = {
        "number": number,
        "title": CRITERIA_TITLES[number],
        "value": value,
        "threshold": threshold,
        "met": bool(met),
        "percent_of_plan": _percent(value, threshold),
    }
    entry["over_plan_percent"] = (
        round(entry["percent_of_plan"] - 100, 1) if entry["percent_of_plan"] is not None else None
    )
    entry.update(extra)
    return entry


def _municipalities(tenant_id: int) -> list[dict]:
    rows = db.session.execute(
        sa.select(Municipality.id, Municipality.name, Municipality.kind)
        .where(Municipality.tenant_id == tenant_id)
        .order_by(Municipality.sort_order, Municipality.name)
    ).all()
    return [
        {"id": i, "name": name, "other_region": kind is MunicipalityKind.OTHER_REGION}
        for i, name, kind in rows
    ]


def build_report(
    tenant_id: int, year: int, as_of: date | None = None, municipality_ids: list[int] | None = None
) -> dict:
    """The report of ``year`` as of ``as_of``; ``municipality_ids`` limits it (coordinator)."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    as_of = as_of or default_as_of(year)
    start, end = date(year, 1, 1), min(date(year, 12, 31), as_of)
    ids = None if municipality_ids is None else sorted(set(municipality_ids))
    thresholds = thresholds_of(tenant)
    all_munis = _municipalities(tenant_id)
    own = [m for m in all_munis if not m["other_region"]]
    report = {
        "tenant": {
            "slug": tenant.slug,
            "name": tenant.name,
            "operator_name": tenant.operator_name,
            "signatory": tenant.signatory,
        },
        "year": year,
        "as_of": as_of.isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "years": [year - 2, year - 1, year],
        "scope": {
            "kind": "programme" if ids is None else "municipalities",
            "municipalities": [m["name"] for m in own if ids is not None and m["id"] in ids],
        },
        "thresholds": thresholds,
    }
    report.update(_residents_and_table1(tenant_id, as_of, own, ids))
    events = event_sections(tenant_id, year, all_munis, ids)

    admitted, admitted_local = _admissions(tenant_id, start, end, ids)
    acc = accreditations(tenant_id, year, start, end)
    active_partners, new_partners = partners(tenant_id, as_of, start, end)
    placements = placements_of(tenant_id, start, end, ids)
    publications = publications_of(tenant_id, start, end)
    c2, c4 = events.pop("criterion2"), events.pop("criterion4")
    report["criteria"] = [
        _criterion(
            1, admitted, thresholds["1"], admitted >= thresholds["1"], local_value=admitted_local
        ),
        _criterion(
            2,
            c2["events_held"],
            None,
            c2["events_held"] >= 1 and c2["grew"],
            **acc,
            **{k: v for k, v in c2.items() if k != "grew"},
        ),
        _criterion(
            3,
            new_partners,
            thresholds["3"],
            new_partners >= thresholds["3"],
            active=active_partners,
        ),
        _criterion(
            4,
            c4["events"],
            thresholds["4_events"],
            c4["events"] >= thresholds["4_events"]
            and c4["participants"] >= thresholds["4_participants"],
            participants=c4["participants"],
            participants_threshold=thresholds["4_participants"],
            events_met=c4["events"] >= thresholds["4_events"],
            participants_met=c4["participants"] >= thresholds["4_participants"],
            participants_percent_of_plan=_percent(c4["participants"], thresholds["4_participants"]),
        ),
        _criterion(
            5,
            placements["value"],
            thresholds["5"],
            placements["value"] >= thresholds["5"],
            local_value=placements["local_value"],
            by_kind=placements["by_kind"],
            not_residents=placements["not_residents"],
        ),
        _criterion(
            6,
            publications["value"],
            thresholds["6"],
            publications["value"] >= thresholds["6"],
            by_outlet_kind=publications["by_outlet_kind"],
        ),
    ]
    report.update(events)
    return report


def default_year(tenant_id: int, today: date) -> int:
    """The year the report opens on, and of every dashboard's yearly figures: the latest year
    with event editions up to ``today``'s (an edition planned for a later year moves nothing),
    or last year when there is none. So a bank whose data ends in 2020 shows 2020 in 2026."""
    latest = db.session.scalar(_LATEST_YEAR, {"t": tenant_id, "year": today.year})
    return int(latest) if latest is not None else today.year - 1


_LATEST_YEAR = sa.select(sa.func.max(EventEdition.year)).where(
    EventEdition.tenant_id == sa.bindparam("t", type_=sa.Integer),
    EventEdition.year <= sa.bindparam("year", type_=sa.Integer),
)  # built once: :func:`default_year` runs on every dashboard and report page


def report_years(tenant_id: int) -> list[int]:
    """Years that have event editions, newest first (the dashboard's year choices)."""
    return list(
        db.session.scalars(
            sa.select(EventEdition.year)
            .where(EventEdition.tenant_id == tenant_id)
            .distinct()
            .order_by(EventEdition.year.desc())
        )
    )
