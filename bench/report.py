"""Time the annual report on a generated tenant (default 12,000 persons, 100,000 participations).

    PYTHONPATH=. MKR_INSTANCE_PATH=/tmp/mkr-bench python bench/report.py \
        --database-url postgresql://postgres@127.0.0.1:5432/mkr_wt6 [--persons 12000] \
        [--participations 100000] [--runs 5] [--keep]

Migrates the database if needed, generates a tenant ``bench-<time>`` with bulk inserts,
times ``build_report`` (and the query count), the JSON and XLSX writers and the PDF
rendering, prints the figures, and deletes the tenant (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

import sqlalchemy as sa


def _args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        required="DATABASE_URL" not in os.environ,
    )
    p.add_argument("--persons", type=int, default=12_000)
    p.add_argument("--participations", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--year", type=int, default=2019)
    p.add_argument("--keep", action="store_true")
    return p.parse_args()


def _insert(db, model, rows, returning=False):
    stmt = sa.insert(model)
    if returning:
        return [
            r[0]
            for r in db.session.execute(
                stmt.returning(model.id, sort_by_parameter_order=True), rows
            )
        ]
    for i in range(0, len(rows), 5000):
        db.session.execute(stmt, rows[i : i + 5000])
    return None


def generate(db, m, persons: int, participations: int, year: int) -> int:
    from workflows.lifecycle import PersonStatus as S

    rng = random.Random(6)
    tenant = m.Tenant(slug=f"bench-{int(time.time())}", name="Бенчмарк справки", settings={})
    db.session.add(tenant)
    db.session.flush()
    tid = tenant.id
    munis = _insert(
        db,
        m.Municipality,
        [
            {
                "tenant_id": tid,
                "name": f"Район {i:02d}",
                "kind": m.MunicipalityKind.DISTRICT,
                "sort_order": i,
            }
            for i in range(20)
        ]
        + [
            {
                "tenant_id": tid,
                "name": "Другой регион",
                "kind": m.MunicipalityKind.OTHER_REGION,
                "sort_order": 100,
            }
        ],
        returning=True,
    )
    orgs = _insert(
        db,
        m.Organization,
        [
            {
                "tenant_id": tid,
                "name": f"Школа {i}",
                "kind": m.OrganizationKind.SCHOOL,
                "municipality_id": munis[i % 20],
                "is_regional_subordination": i < 2,
            }
            for i in range(400)
        ],
        returning=True,
    )
    person_rows, histories = [], []
    for i in range(persons):
        org = orgs[rng.randrange(len(orgs))]
        start = date(year - 4, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        steps = [(start, S.POTENTIAL)] if rng.random() < 0.3 else []
        steps.append((start + timedelta(days=rng.randrange(200)), S.RESIDENT_SCHOOL))
        if rng.random() < 0.3:
            steps.append(
                (steps[-1][0] + timedelta(days=rng.randrange(100, 900)), S.RESIDENT_STUDENT)
            )
        person_rows.append(
            {
                "tenant_id": tid,
                "surname": f"Фамилия{i}",
                "name": "Имя",
                "search_name": f"фамилия{i} имя",
                "organization_id": org,
                "municipality_id": munis[orgs.index(org) % 20],
                "status": steps[-1][1],
            }
        )
        histories.append(steps)
    person_ids = _insert(db, m.Person, person_rows, returning=True)
    changes = []
    for pid, steps in zip(person_ids, histories, strict=True):
        previous = S.NONE
        for on, status in steps:
            changes.append(
                {
                    "tenant_id": tid,
                    "person_id": pid,
                    "from_status": previous,
                    "to_status": status,
                    "changed_on": on,
                    "action": "bench",
                }
            )
            previous = status
    _insert(db, m.PersonStatusChange, changes)
    events = _insert(
        db,
        m.Event,
        [
            {
                "tenant_id": tid,
                "title": f"{'Аккредитованное' if i < 10 else 'Спутник'} {i}",
                "kind": m.EventKind.ACCREDITED if i < 10 else m.EventKind.SATELLITE,
                "direction": list(m.Direction)[i % 8],
                "level": m.EventLevel.REGIONAL,
            }
            for i in range(30)
        ],
        returning=True,
    )
    editions = _insert(
        db,
        m.EventEdition,
        [
            {"tenant_id": tid, "event_id": e, "year": y}
            for e in events
            for y in (year - 2, year - 1, year)
        ],
        returning=True,
    )
    listed = (
        editions[:30] + editions[30:60]
    )  # accredited editions, and 10 satellite events: person lists
    counted = editions[60:]  # the other satellite editions: counts per municipality
    per_edition = participations // len(listed)
    rows = []
    for ed in listed:
        for pid in rng.sample(person_ids, per_edition):
            rows.append(
                {
                    "tenant_id": tid,
                    "edition_id": ed,
                    "person_id": pid,
                    "role": m.ParticipationRole.PARTICIPANT,
                }
            )
    _insert(db, m.Participation, rows)
    _insert(
        db,
        m.ParticipationCount,
        [
            {
                "tenant_id": tid,
                "edition_id": ed,
                "municipality_id": mu,
                "category": m.CountCategory.STUDENTS,
                "count": rng.randrange(1, 50),
            }
            for ed in counted
            for mu in munis[:10]
        ],
    )
    _insert(
        db,
        m.Partnership,
        [
            {"tenant_id": tid, "organization_id": orgs[i], "started_on": date(year - i % 5, 3, 1)}
            for i in range(50)
        ],
    )
    opp = _insert(
        db,
        m.Opportunity,
        [
            {
                "tenant_id": tid,
                "kind": m.OpportunityKind.INTERNSHIP,
                "title": "Стажировка",
                "year": year,
            }
        ],
        returning=True,
    )[0]
    _insert(
        db,
        m.Placement,
        [
            {
                "tenant_id": tid,
                "opportunity_id": opp,
                "person_id": pid,
                "placed_on": date(year, 6, 1),
            }
            for pid in person_ids[:500]
        ],
    )
    _insert(
        db,
        m.Publication,
        [
            {
                "tenant_id": tid,
                "title": "Материал",
                "outlet": f"Сайт {i % 9}",
                "outlet_kind": list(m.OutletKind)[i % 2],
                "published_on": date(year, 1 + i % 12, 5),
            }
            for i in range(100)
        ],
    )
    db.session.commit()
    return tid


def drop_tenant(db, tid: int) -> None:
    for table in reversed(db.metadata.sorted_tables):
        if "tenant_id" in table.c and table.name != "tenant":
            db.session.execute(table.delete().where(table.c.tenant_id == tid))
    db.session.execute(sa.text("DELETE FROM tenant WHERE id = :id"), {"id": tid})
    db.session.commit()


def _time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    args = _args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("MKR_INSTANCE_PATH", tempfile.mkdtemp(prefix="mkr-bench-"))
    from flask_migrate import upgrade

    from mkr_web import create_app, models as m
    from mkr_web.documents.report_outputs import report_json, report_pdf, report_xlsx
    from mkr_web.extensions import db
    from mkr_web.queries.report import build_report

    app = create_app()
    with app.app_context():
        upgrade()
        for stale in db.session.scalars(
            sa.select(m.Tenant.id).where(m.Tenant.slug.startswith("bench-"))
        ):
            drop_tenant(db, stale)  # left by an interrupted run
        start = time.perf_counter()
        tid = generate(db, m, args.persons, args.participations, args.year)
        generated = time.perf_counter() - start
        try:
            counts = {
                t: db.session.scalar(
                    sa.select(sa.func.count()).select_from(t).where(t.tenant_id == tid)
                )
                for t in (m.Person, m.PersonStatusChange, m.Participation, m.ParticipationCount)
            }
            statements = []
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
            fresh, _ = _time(lambda: build_report(tid, args.year), 1)
            queries = len(statements)
            if db.engine.dialect.name == "postgresql":
                db.session.commit()
                db.session.execute(
                    sa.text("ANALYZE")
                )  # what autovacuum does shortly after a bulk load
                db.session.commit()
            build, report = _time(lambda: build_report(tid, args.year), args.runs)
            as_json, data = _time(lambda: report_json(build_report(tid, args.year)), args.runs)
            xlsx, _ = _time(lambda: report_xlsx(report), args.runs)
            pdf, pdf_bytes = _time(
                lambda: report_pdf(build_report(tid, args.year)), max(1, args.runs // 2)
            )
            print(
                f"database: {db.engine.dialect.name}; generated in {generated:.1f} s: "
                + ", ".join(f"{k.__tablename__}={v}" for k, v in counts.items())
            )
            print(
                f"build_report right after the load (no planner statistics yet): {fresh * 1000:.0f} ms, "
                f"{queries} queries"
            )
            print(f"build_report: {build * 1000:.0f} ms (median of {args.runs}), {queries} queries")
            print(f"JSON (build + serialise): {as_json * 1000:.0f} ms, {len(data)} bytes")
            print(f"XLSX (from the dict): {xlsx * 1000:.0f} ms")
            print(f"PDF (build + render): {pdf * 1000:.0f} ms, {len(pdf_bytes)} bytes")
            print(
                f"residents: {report['residents']}; table 2 rows: {len(report['table2'])}; "
                f"criterion 2 participants: {report['criteria'][1]['participants']}"
            )
        finally:
            if not args.keep:
                drop_tenant(db, tid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
