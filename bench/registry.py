"""Benchmark of the persons registry: a tenant with 100,000 persons (and another tenant
beside it), the search page, a filtered page, a deep page and the XLSX/CSV exports, timed
through the Flask test client with a logged-in admin, on SQLite and PostgreSQL.

    PYTHONPATH=. python bench/registry.py                       # both databases
    PYTHONPATH=. python bench/registry.py --db sqlite --persons 20000
    PYTHONPATH=. python bench/registry.py --db postgresql --pg-url postgresql://postgres@127.0.0.1:5432/mkr_wt3

The PostgreSQL database is wiped (schema dropped and rebuilt by the migrations).
Prints one table: backend, request, rows, median time (ms) of the runs, SQL queries.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale import _name_pools  # noqa: E402  (the one source of the benches' synthetic names)

PG_URL = "postgresql://postgres@127.0.0.1:5432/mkr_wt3"
PASSWORD = "bench-password-123"
CHUNK = 5000


def make_app(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("MKR_INSTANCE_PATH", tempfile.mkdtemp(prefix="mkr-bench-"))
    from mkr_web import create_app

    return create_app({"MKR_UPLOAD_DIR": os.path.join(os.environ["MKR_INSTANCE_PATH"], "files")})


def generate(app, n_persons: int, n_other: int) -> dict:
    """Bulk-insert the two tenants; returns ids the requests need."""
    from mkr_web.extensions import db
    from mkr_web.models import (
        Municipality,
        Organization,
        Person,
        PersonStatusChange,
        Tenant,
        normalize_name,
    )
    from mkr_web.operations.tenancy import create_user_with_role
    from workflows.lifecycle import PersonStatus as S
    from workflows.roles import Role

    rng = random.Random(42)
    pools = _name_pools(42, surnames=400)
    statuses = [S.RESIDENT_SCHOOL] * 5 + [S.RESIDENT_STUDENT] * 3 + [S.POTENTIAL, S.ALUMNI]
    out = {}
    with app.app_context():
        for slug, count in (("bench", n_persons), ("beside", n_other)):
            tenant = Tenant(slug=slug, name=f"Проект {slug}", settings={})
            db.session.add(tenant)
            db.session.flush()
            munis = [
                Municipality(
                    tenant_id=tenant.id,
                    name=f"Муниципалитет {i:02d}",
                    kind="district",
                    sort_order=i,
                )
                for i in range(20)
            ]
            db.session.add_all(munis)
            db.session.flush()
            kinds = ["school"] * 8 + ["college", "university"]
            orgs = [
                Organization(
                    tenant_id=tenant.id,
                    name=f"Организация {i:03d}",
                    kind=kinds[i % 10],
                    municipality_id=munis[i % 20].id,
                )
                for i in range(300)
            ]
            db.session.add_all(orgs)
            db.session.commit()
            started = time.monotonic()
            people, changes = [], []
            for i in range(count):
                sex = "f" if rng.random() < 0.55 else "m"
                surnames, firsts, middles = pools[sex]
                surname, name, patronymic = (
                    rng.choice(surnames),
                    rng.choice(firsts),
                    rng.choice(middles),
                )
                org = orgs[rng.randrange(300)]
                status = rng.choice(statuses)
                admitted = date(2012, 1, 1) + timedelta(days=rng.randrange(365 * 8))
                people.append(
                    {
                        "tenant_id": tenant.id,
                        "surname": surname,
                        "name": name,
                        "patronymic": patronymic,
                        "birth_on": date(1995, 1, 1) + timedelta(days=rng.randrange(365 * 15)),
                        "search_name": normalize_name(surname, name, patronymic),
                        "organization_id": org.id,
                        "municipality_id": org.municipality_id,
                        "grade": f"{rng.randint(5, 11)} класс",
                        "email": f"p{i}@example.ru",
                        "phone": f"+7 900 {i:07d}",
                        "status": status,
                        "status_since": admitted,
                        "admission_on": admitted
                        if status.is_resident or status is S.ALUMNI
                        else None,
                        "admission_basis": "Победитель конкурса",
                        "is_anonymized": False,
                        "version": 1,
                    }
                )
            with db.engine.begin() as conn:
                for k in range(0, count, CHUNK):
                    conn.execute(sa.insert(Person), people[k : k + CHUNK])
                ids = conn.execute(
                    sa.select(Person.id, Person.status, Person.status_since).where(
                        Person.tenant_id == tenant.id
                    )
                ).all()
                for pid, status, since in ids:
                    changes.append(
                        {
                            "tenant_id": tenant.id,
                            "person_id": pid,
                            "from_status": S.NONE,
                            "to_status": status,
                            "changed_on": since,
                            "action": "bench",
                        }
                    )
                for k in range(0, len(changes), CHUNK):
                    conn.execute(sa.insert(PersonStatusChange), changes[k : k + CHUNK])
            out[slug] = {
                "tenant_id": tenant.id,
                "municipality": munis[3].id,
                "generated_s": time.monotonic() - started,
            }
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as conn:
                    conn.execute(sa.text("ANALYZE"))
        create_user_with_role("bench", "admin@bench.test", PASSWORD, Role.ADMIN, full_name="Админ")
        db.session.commit()
        first = db.session.execute(
            sa.select(Person.search_name)
            .where(Person.tenant_id == out["bench"]["tenant_id"])
            .limit(1)
        ).scalar_one()
        out["needle"] = first.split()[0][:5]
    return out


def login(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    resp = client.post(
        "/login", data={"email": "admin@bench.test", "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/", resp.status_code


def measure(app, client, url: str, runs: int) -> tuple[float, int, int, int]:
    """(median ms, queries per request, response bytes, status)."""
    from mkr_web.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    times = []
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(runs):
            statements.clear()
            started = time.perf_counter()
            resp = client.get(url)
            if resp.status_code == 302 and "/exports/" in resp.headers["Location"]:
                # A large export is a background job (run in-process here, Celery being
                # eager): the time covers starting it, running it and downloading the file.
                job = client.get(resp.headers["Location"] + "?format=json").get_json()
                resp = client.get(job["download"])
            body = resp.data
            times.append((time.perf_counter() - started) * 1000)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return statistics.median(times), len(statements), len(body), resp.status_code


def _total(client, url: str) -> str:
    m = re.search(r"Найдено: (\d+)", client.get(url).get_data(as_text=True))
    return m.group(1) if m else "?"


def run(backend: str, url: str, n_persons: int, runs: int) -> list[tuple]:
    from tests.support import rebuild_schema

    app = make_app(url)
    rebuild_schema(app)
    info = generate(app, n_persons, max(1, n_persons // 20))
    client = app.test_client()
    login(client)
    muni = info["bench"]["municipality"]
    needle = info["needle"]
    filtered = f"status=resident_school&municipality={muni}&year=2019&sort=birth&dir=desc"
    requests = [
        ("first page (50)", "/admin/people", runs),
        (f"search q={needle!r}", f"/admin/people?q={needle}", runs),
        ("search, 200 per page", f"/admin/people?q={needle}&per_page=200", runs),
        ("filtered page", f"/admin/people?{filtered}", runs),
        (f"last page (offset {n_persons - 50:,})", f"/admin/people?page={n_persons // 50}", runs),
        ("XLSX export, filtered", f"/admin/people/export.xlsx?{filtered}", runs),
        ("XLSX export, search", f"/admin/people/export.xlsx?q={needle}", max(1, runs // 3)),
        ("CSV export, all (job)", "/admin/people/export.csv", 1),
        ("XLSX export, all (job)", "/admin/people/export.xlsx", 1),
    ]
    rows = [
        (
            backend,
            "generate persons+history (s)",
            n_persons,
            f"{info['bench']['generated_s']:.1f} s",
            "",
        )
    ]
    for title, path, n in requests:
        matched = _total(client, path.replace("/export.xlsx", "").replace("/export.csv", ""))
        ms, queries, size, status = measure(app, client, path, n)
        assert status == 200, (path, status)
        rows.append((backend, title, matched, f"{ms:,.0f} ms", queries, f"{size / 1024:,.0f} KB"))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_URL))
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    if args.db in ("sqlite", "both"):
        path = os.path.join(tempfile.mkdtemp(prefix="mkr-bench-"), "bench.db")
        results += run("sqlite", f"sqlite:///{path}", args.persons, args.runs)
    if args.db in ("postgresql", "both"):
        results += run("postgresql", args.pg_url, args.persons, args.runs)
    print(
        f"\n{'backend':<11} {'request':<30} {'matched':>8} {'median':>11} {'queries':>8} {'size':>9}"
    )
    for row in results:
        backend, title, matched, ms, queries, *size = row
        print(
            f"{backend:<11} {title:<30} {matched!s:>8} {ms:>11} {queries!s:>8} {(size or [''])[0]:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
