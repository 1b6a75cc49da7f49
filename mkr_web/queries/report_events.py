"""The event sections of the annual report: criteria 2 and 4, Tables 2 and 3, the coverage
map. Definitions: see :mod:`mkr_web.queries.report`.

Two queries: the editions of accredited and satellite events in Y-2..Y, and their
participants grouped by edition and municipality (``ParticipationCount`` sums, or distinct
persons of ``Participation`` for editions with no count rows).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Direction,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    Participation,
    ParticipationCount,
    Person,
)

HELD = (EditionState.HELD, EditionState.MOVED)


def _editions(tenant_id: int, years: list[int]) -> list:
    return db.session.execute(
        sa.select(
            EventEdition.id,
            EventEdition.year,
            EventEdition.state,
            EventEdition.note,
            EventEdition.title,
            Event.id.label("event_id"),
            Event.title.label("event_title"),
            Event.kind,
            Event.direction,
        )
        .join(Event, Event.id == EventEdition.event_id)
        .where(
            EventEdition.tenant_id == tenant_id,
            EventEdition.year.in_(years),
            Event.kind.in_((EventKind.ACCREDITED, EventKind.SATELLITE)),
        )
        .order_by(Event.id, EventEdition.year)
    ).all()


def participant_grid(tenant_id: int, edition_ids: list[int]) -> dict[int, dict[int | None, int]]:
    """edition id -> municipality id (None: unknown) -> participants of the editions
    ``edition_ids`` (the report's, read by :func:`_editions`), in one query."""
    if not edition_ids:
        return {}
    pc = ParticipationCount
    counted = (
        sa.select(
            pc.edition_id.label("edition_id"),
            pc.municipality_id.label("municipality_id"),
            sa.func.sum(pc.count).label("n"),
        )
        .where(pc.tenant_id == tenant_id, pc.edition_id.in_(edition_ids))
        .group_by(pc.edition_id, pc.municipality_id)
    )
    has_counts = sa.select(pc.id).where(pc.edition_id == Participation.edition_id).exists()
    # distinct (edition, person) pairs first (an index-only scan of the unique index over the
    # listed editions), then each person's municipality: persons counted once per edition
    # whatever their roles. The editions are given as values, not a subquery, so the planner
    # knows how many pairs come (it underestimated them ~400x and sorted on disk).
    pairs = (
        sa.select(Participation.edition_id, Participation.person_id)
        .where(
            Participation.tenant_id == tenant_id,
            Participation.edition_id.in_(edition_ids),
            ~has_counts,
        )
        .distinct()
        .subquery()
    )
    listed = (
        sa.select(pairs.c.edition_id, Person.municipality_id, sa.func.count())
        .join(Person, Person.id == pairs.c.person_id)
        .where(Person.tenant_id == tenant_id)
        .group_by(pairs.c.edition_id, Person.municipality_id)
    )
    grid: dict[int, dict[int | None, int]] = {}
    for edition_id, muni_id, n in analytic(sa.union_all(counted, listed)):
        cells = grid.setdefault(edition_id, {})
        cells[muni_id] = cells.get(muni_id, 0) + int(n or 0)
    return grid


#: PostgreSQL working memory of the report's scans of a whole tenant: the hashes of a large
#: tenant's (edition, person) pairs and persons and the sorts of its status history stay in
#: memory instead of spilling to disk.
ANALYTIC_WORK_MEM = "64MB"


def analytic(query) -> list:
    """Run one of the report's scans of a whole tenant (the participant grid, the status grid,
    the admissions) with PostgreSQL's nested loops off and ``ANALYTIC_WORK_MEM`` (both
    restored after it): its sorts and hashes stay in memory.

    The planner underestimates a large tenant's participations per edition (editions of all
    tenants share one statistic) and then looks its persons up one by one; hashing the
    tenant's persons instead is ~2x faster at 100k persons and grows linearly, not worse."""
    if db.session.get_bind().dialect.name != "postgresql":
        return db.session.execute(query).all()
    db.session.execute(sa.text("SET LOCAL enable_nestloop = off"))
    db.session.execute(sa.text(f"SET LOCAL work_mem = '{ANALYTIC_WORK_MEM}'"))
    try:
        return db.session.execute(query).all()
    finally:
        db.session.execute(sa.text("SET LOCAL work_mem TO DEFAULT"))
        db.session.execute(sa.text("SET LOCAL enable_nestloop = on"))


def _change(previous: int | None, current: int | None) -> tuple[int | None, float | None]:
    if previous is None and current is None:
        return None, None
    change = (current or 0) - (previous or 0)
    return change, (round(change / previous * 100, 1) if previous else None)


def _table2(accredited, grid, munis, ids, years):
    own = [m for m in munis if not m["other_region"] and (ids is None or m["id"] in ids)]
    others = [m for m in munis if m["other_region"] and ids is None]
    rows, took_part = [], {}
    for year in years:
        for e in (e for e in accredited if e.year == year):
            cells = grid.get(e.id, {})
            held = e.state in HELD
            present = [m for m in own if held and cells.get(m["id"], 0) > 0]
            for m in present:
                took_part.setdefault(m["id"], {}).setdefault(year, [0, 0])
                took_part[m["id"]][year][0] += 1
                took_part[m["id"]][year][1] += cells[m["id"]]
            rows.append(
                {
                    "year": year,
                    "event": e.event_title,
                    "edition": e.title,
                    "state": e.state.value,
                    "municipalities": [m["name"] for m in present],
                    "other_regions": [
                        m["name"] for m in others if held and cells.get(m["id"], 0) > 0
                    ],
                    "count": len(present),
                    "participants": sum(cells.values()) if held else 0,
                    "note": e.note if not held else None,
                    "footnote": e.note if e.state is EditionState.MOVED else None,
                }
            )
    coverage = {
        "years": years,
        "max_editions": max([len([e for e in accredited if e.year == y]) for y in years] + [1]),
        "rows": [
            {
                "municipality": m["name"],
                "editions": [took_part.get(m["id"], {}).get(y, [0, 0])[0] for y in years],
                "participants": [took_part.get(m["id"], {}).get(y, [0, 0])[1] for y in years],
            }
            for m in own
        ],
    }
    gaps = [m["name"] for m in own if m["id"] not in took_part]
    return rows, gaps, coverage


def _table3(satellites, grid, year):
    events: dict[int, dict] = {}
    for e in satellites:
        if e.year not in (year - 1, year):
            continue
        row = events.setdefault(
            e.event_id,
            {
                "event": e.event_title,
                "direction": e.direction.title_ru,
                "direction_key": e.direction.value,
                "participants_previous": None,
                "participants": None,
                "note_previous": None,
                "note": None,
            },
        )
        held = e.state is not EditionState.NOT_HELD
        n = sum(grid.get(e.id, {}).values()) if held else 0
        suffix = "" if e.year == year else "_previous"
        row["participants" + suffix] = n
        row["note" + suffix] = e.note
    rows = list(events.values())
    for row in rows:
        row["change"], row["change_percent"] = _change(
            row["participants_previous"], row["participants"]
        )

    def total(group):
        prev = sum(r["participants_previous"] or 0 for r in group)
        cur = sum(r["participants"] or 0 for r in group)
        change, pct = _change(prev, cur)
        return {
            "participants_previous": prev,
            "participants": cur,
            "change": change,
            "change_percent": pct,
            "events": len(group),
        }

    by_direction = []
    for d in Direction:
        group = [r for r in rows if r["direction_key"] == d.value]
        if group:
            by_direction.append({"direction": d.title_ru, **total(group)})
    return rows, total(rows), by_direction


def event_sections(tenant_id: int, year: int, munis: list[dict], ids: list[int] | None) -> dict:
    years = [year - 2, year - 1, year]
    editions = _editions(tenant_id, years)
    grid = participant_grid(tenant_id, [e.id for e in editions])
    accredited = [e for e in editions if e.kind is EventKind.ACCREDITED]
    satellites = [e for e in editions if e.kind is EventKind.SATELLITE]
    own_ids = {m["id"] for m in munis if not m["other_region"]}
    name_of = {m["id"]: m["name"] for m in munis}

    def participants(year_, local=False):
        return sum(
            n
            for e in accredited
            if e.year == year_ and e.state in HELD
            for muni_id, n in grid.get(e.id, {}).items()
            if not local or muni_id in (ids or ())
        )

    by_year = [{"year": y, "participants": participants(y)} for y in years]
    order = {m["id"]: i for i, m in enumerate(munis)}
    reached = sorted(
        {
            m
            for e in accredited
            if e.year == year and e.state in HELD
            for m, n in grid.get(e.id, {}).items()
            if n > 0 and m in own_ids
        },
        key=order.__getitem__,
    )
    p2, p1, p0 = (b["participants"] for b in by_year)
    criterion2 = {
        "events_held": sum(1 for e in accredited if e.year == year and e.state in HELD),
        "events_held_titles": [
            e.event_title for e in accredited if e.year == year and e.state in HELD
        ],
        "participants": p0,
        "participants_by_year": by_year,
        "change_previous_percent": _change(p1, p0)[1],
        "change_before_previous_percent": _change(p2, p0)[1],
        "municipalities_reached": len(reached),
        "municipalities_reached_names": [name_of[i] for i in reached],
        "local_value": participants(year, local=True) if ids is not None else None,
        "grew": p0 > p1,
    }
    held_satellites = [
        e for e in satellites if e.year == year and e.state is not EditionState.NOT_HELD
    ]
    criterion4 = {
        "events": len(held_satellites),
        "participants": sum(sum(grid.get(e.id, {}).values()) for e in held_satellites),
    }
    table2, gaps, coverage = _table2(accredited, grid, munis, ids, years)
    table3, table3_total, table3_by_direction = _table3(satellites, grid, year)
    return {
        "criterion2": criterion2,
        "criterion4": criterion4,
        "table2": table2,
        "table2_footnotes": [r["footnote"] for r in table2 if r["footnote"]],
        "municipalities_without_participation": gaps,
        "coverage": coverage,
        "table3": table3,
        "table3_total": table3_total,
        "table3_by_direction": table3_by_direction,
    }
