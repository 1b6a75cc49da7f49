"""One server for every region: the registry, the card, the dashboards and the annual report
under a bounded concurrent load, on PostgreSQL, served by gunicorn (issue 14).

    PYTHONPATH=. python bench/scale.py --persons 10000 \
        --pg-url postgresql://postgres@127.0.0.1:5432/mkr_bench [--duration 30] [--clients 2,10]

1. Builds the shape (the database is wiped: schema dropped, migrations run): ``--persons`` spread
   over 85 tenants, the largest holding 30 %, each person with a dated status history (1-3
   changes: potential → Resident at school → Resident student), an admission date, ~3
   participations in the tenant's 90 editions (30 events × 2017-2019), plus the per-municipality
   counts, partnerships, placements and publications the annual report reads. Loaded with
   ``COPY``, then ``ANALYZE``. ``--reuse`` keeps a database of the same size (migrations are
   still run: new indexes are built).
2. Serves ``mkr_web:create_app()`` with gunicorn (``--workers``, default 2) and a hello-world
   Flask app with the same number of workers (the floor).
3. For each page of the largest tenant (admin's registry: first, filtered, searched, deep and
   sorted by every offered column; a person card; the coordinator's registry; the admin's and
   the coordinator's dashboards; the report dashboard, the report JSON and the coordinator's
   report JSON), after one untimed request to each of its URLs (:func:`warm`), and each client
   count (``--clients``, default "workers,10"): ``--clients``
   threads request the page in a loop for ``--duration`` seconds; then, in the same run, the
   app's ``/healthz`` and the hello-world app are measured the same way for a third of that
   time (the floors of that row). Reported: p50/p95/p99 (ms), pages/s, SQL queries per page (one
   request through the test client with a statement counter).
4. Times the annual report: the served path (``report_for``, its snapshot current) and the
   live query (``build_report``, what the first reader after a write pays, and ``report_for``
   cold), each beside its statements captured once and replayed bare on a raw connection
   (median of 3). The report pages of step 3 are served from the snapshot (their first,
   unmeasured request builds it).

Writes ``bench/results/scale-<persons>[-<tag>].json`` and ``.md``. The 1M run takes tens of
minutes to build (and a few GB of disk); run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
YEAR = 2019
TENANTS = 85
LARGEST_SHARE = 0.30
ADMIN_EMAIL = "admin@scale.test"
COORDINATOR_EMAIL = "coordinator@scale.test"


def hello_app():
    """The floor: the smallest Flask app gunicorn can serve (``bench/scale.py:hello_app()``)."""
    from flask import Flask

    app = Flask("hello")

    @app.route("/")
    def hello():
        return "Hello, World!"

    return app


# ---- the shape ------------------------------------------------------------------------------


def tenant_sizes(persons: int) -> list[int]:
    """85 sizes summing to ``persons``: the first is 30 %, the others spread (uneven, seeded)."""
    largest = int(persons * LARGEST_SHARE)
    rest = persons - largest
    rng = random.Random(85)
    weights = [rng.uniform(0.2, 2.0) for _ in range(TENANTS - 1)]
    total = sum(weights)
    sizes = [max(1, int(rest * w / total)) for w in weights]
    sizes[0] += rest - sum(sizes)
    return [largest, *sizes]


def _name_pools(seed: int, surnames: int = 600):
    """Synthetic Russian names by sex (Faker ru_RU, seeded): surnames, first names, patronymics."""
    from faker import Faker

    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    return {
        "f": (
            [fake.last_name_female() for _ in range(surnames)],
            [fake.first_name_female() for _ in range(80)],
            [fake.middle_name_female() for _ in range(60)],
        ),
        "m": (
            [fake.last_name_male() for _ in range(surnames)],
            [fake.first_name_male() for _ in range(80)],
            [fake.middle_name_male() for _ in range(60)],
        ),
    }


class Ids:
    """Explicit ids per table (the sequences are moved past them after the load)."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        self.next[table] = self.next.get(table, 0) + 1
        return self.next[table]


def build(conn, persons: int, log) -> dict:
    """COPY the whole shape; returns what the pages need (ids, a search needle)."""
    from mkr_web.models import normalize_name

    rng = random.Random(14)
    pools = _name_pools(14)
    ids = Ids()
    now = datetime(2026, 1, 1)
    sizes = tenant_sizes(persons)
    info: dict = {"sizes": sizes}
    cur = conn.cursor()

    def copy(table: str, columns: tuple[str, ...], rows):
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)

    statuses_final = ("potential", "resident_school", "resident_student", "alumni")
    for t, size in enumerate(sizes):
        started = time.monotonic()
        tid = ids.take("tenant")
        copy(
            "tenant",
            ("id", "slug", "name", "settings", "created_at"),
            [(tid, f"t{t:02d}", f"Регион {t:02d}", "{}", now)],
        )
        munis = [ids.take("municipality") for _ in range(21)]
        copy(
            "municipality",
            ("id", "tenant_id", "name", "kind", "sort_order"),
            [
                (m, tid, f"Район {i:02d}", "district", i)
                if i < 20
                else (m, tid, "Другой регион", "other_region", 100)
                for i, m in enumerate(munis)
            ],
        )
        n_orgs = max(10, min(400, size // 100))
        kinds = ["school"] * 8 + ["college", "university"]
        orgs = [(ids.take("organization"), munis[i % 20], kinds[i % 10]) for i in range(n_orgs)]
        copy(
            "organization",
            ("id", "tenant_id", "name", "kind", "municipality_id", "is_regional_subordination"),
            [(o, tid, f"Организация {i:03d}", k, m, i < 2) for i, (o, m, k) in enumerate(orgs)],
        )
        events = [ids.take("event") for _ in range(30)]
        directions = [
            "project_research",
            "civic_legal",
            "entrepreneurship",
            "pedagogy",
            "media",
            "engineering",
        ]
        copy(
            "event",
            ("id", "tenant_id", "title", "kind", "direction", "level", "created_at"),
            [
                (
                    e,
                    tid,
                    f"{'Аккредитованное' if i < 10 else 'Спутник'} {i}",
                    "accredited" if i < 10 else "satellite",
                    directions[i % len(directions)],
                    "regional",
                    now,
                )
                for i, e in enumerate(events)
            ],
        )
        editions = [(ids.take("event_edition"), e, y) for e in events for y in (2017, 2018, 2019)]
        copy(
            "event_edition",
            ("id", "tenant_id", "event_id", "year", "format", "state"),
            [(ed, tid, e, y, "in_person", "held") for ed, e, y in editions],
        )
        listed = [ed for ed, _, _ in editions[:60]]  # accredited + 10 satellites: person lists
        counted = [ed for ed, _, _ in editions[60:]]
        person_rows, change_rows, part_rows = [], [], []
        person_ids = []
        for _ in range(size):
            pid = ids.take("person")
            person_ids.append(pid)
            sex = "f" if rng.random() < 0.55 else "m"
            surnames, firsts, middles = pools[sex]
            surname, name, patronymic = (
                rng.choice(surnames),
                rng.choice(firsts),
                rng.choice(middles),
            )
            org, muni, _ = orgs[rng.randrange(n_orgs)]
            start = date(2015, 1, 1) + timedelta(days=rng.randrange(5 * 365))
            steps = [(start, "potential")] if rng.random() < 0.3 else []
            if rng.random() < 0.9:
                steps.append((start + timedelta(days=rng.randrange(200)), "resident_school"))
                if rng.random() < 0.3:
                    steps.append(
                        (steps[-1][0] + timedelta(days=rng.randrange(100, 900)), "resident_student")
                    )
                    if rng.random() < 0.3:
                        steps.append(
                            (steps[-1][0] + timedelta(days=rng.randrange(100, 900)), "alumni")
                        )
            if not steps:
                steps = [(start, "potential")]
            admitted = next((on for on, s in steps if s == "resident_school"), None)
            status = steps[-1][1]
            assert status in statuses_final
            person_rows.append(
                (
                    pid,
                    tid,
                    surname,
                    name,
                    patronymic,
                    date(1998, 1, 1) + timedelta(days=rng.randrange(365 * 12)),
                    normalize_name(surname, name, patronymic),
                    org,
                    muni,
                    f"{rng.randint(5, 11)} класс",
                    f"p{pid}@example.ru",
                    f"+7 900 {pid:07d}",
                    status,
                    steps[-1][0],
                    admitted,
                    "Победитель конкурса" if admitted else None,
                    False,
                    now,
                    now - timedelta(minutes=rng.randrange(500_000)),
                    1,
                )
            )
            previous = "none"
            for on, s in steps:
                change_rows.append(
                    (ids.take("person_status_change"), tid, pid, previous, s, on, "bench", now)
                )
                previous = s
            for ed in rng.sample(listed, rng.choice((1, 2, 3, 3, 4, 5))):
                part_rows.append((ids.take("participation"), tid, ed, pid, "participant"))
        copy(
            "person",
            (
                "id",
                "tenant_id",
                "surname",
                "name",
                "patronymic",
                "birth_on",
                "search_name",
                "organization_id",
                "municipality_id",
                "grade",
                "email",
                "phone",
                "status",
                "status_since",
                "admission_on",
                "admission_basis",
                "is_anonymized",
                "created_at",
                "updated_at",
                "version",
            ),
            person_rows,
        )
        copy(
            "person_status_change",
            (
                "id",
                "tenant_id",
                "person_id",
                "from_status",
                "to_status",
                "changed_on",
                "action",
                "recorded_at",
            ),
            change_rows,
        )
        copy("participation", ("id", "tenant_id", "edition_id", "person_id", "role"), part_rows)
        copy(
            "participation_count",
            ("id", "tenant_id", "edition_id", "municipality_id", "category", "count"),
            [
                (ids.take("participation_count"), tid, ed, m, "students", rng.randrange(1, 50))
                for ed in counted
                for m in munis[:10]
            ],
        )
        copy(
            "partnership",
            ("id", "tenant_id", "organization_id", "started_on"),
            [
                (ids.take("partnership"), tid, orgs[i % n_orgs][0], date(YEAR - i % 5, 3, 1))
                for i in range(min(50, n_orgs))
            ],
        )
        opp = ids.take("opportunity")
        copy(
            "opportunity",
            ("id", "tenant_id", "kind", "title", "year"),
            [(opp, tid, "internship", "Стажировка", YEAR)],
        )
        copy(
            "placement",
            ("id", "tenant_id", "opportunity_id", "person_id", "placed_on"),
            [
                (ids.take("placement"), tid, opp, p, date(YEAR, 6, 1))
                for p in person_ids[: min(500, size // 20)]
            ],
        )
        copy(
            "publication",
            ("id", "tenant_id", "title", "outlet", "outlet_kind", "published_on"),
            [
                (
                    ids.take("publication"),
                    tid,
                    "Материал",
                    f"Сайт {i % 9}",
                    ("partner_site", "news_agency")[i % 2],
                    date(YEAR, 1 + i % 12, 5),
                )
                for i in range(100)
            ],
        )
        if t == 0:
            info.update(
                tenant_id=tid,
                slug=f"t{t:02d}",
                municipalities=munis[:20],
                person_ids=person_ids[:: max(1, size // 500)][:500],
                needle=person_rows[0][6].split()[0][:5],
            )
        if t == 0 or t % 20 == 0:
            log(
                f"  tenant {t}: {size} persons, {len(change_rows)} status changes, "
                f"{len(part_rows)} participations in {time.monotonic() - started:.1f} s"
            )
    for table in ids.next:
        cur.execute(f"SELECT setval('{table}_id_seq', {ids.next[table]})")
    conn.commit()
    return info


def prepare(args, log) -> dict:
    """Migrate, (re)build the shape, create the admin and the coordinator; returns page info."""
    import psycopg
    import sqlalchemy as sa

    os.environ["DATABASE_URL"] = args.sa_url
    os.environ.setdefault("MKR_INSTANCE_PATH", tempfile.mkdtemp(prefix="mkr-scale-"))
    from flask_migrate import upgrade

    from mkr_web import create_app
    from mkr_web.extensions import db
    from mkr_web.models import Person, Tenant
    from mkr_web.operations.tenancy import create_user_with_role
    from tests.support import rebuild_schema
    from workflows.roles import Role

    app = create_app()
    meta_path = Path(os.environ["MKR_INSTANCE_PATH"]) / "scale-info.json"
    with app.app_context():
        if args.reuse:
            upgrade()
            have = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
            row = db.session.execute(
                sa.text("SELECT value FROM scale_bench_info WHERE key = 'info'")
            ).scalar_one_or_none()
            if have == args.persons and row:
                log(f"reusing the database: {have} persons")
                return json.loads(row)
            log(f"--reuse: the database holds {have} persons, not {args.persons}: rebuilding")
        db.session.remove()
        rebuild_schema(app)
        db.engine.dispose()
    started = time.monotonic()
    with psycopg.connect(args.pg_url) as conn:
        info = build(conn, args.persons, log)
    built = time.monotonic() - started
    log(f"built in {built:.0f} s; ANALYZE …")
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    info["build_s"] = round(built, 1)
    with app.app_context():
        create_user_with_role(info["slug"], ADMIN_EMAIL, PASSWORD, Role.ADMIN, full_name="Админ")
        create_user_with_role(
            info["slug"],
            COORDINATOR_EMAIL,
            PASSWORD,
            Role.COORDINATOR,
            municipality_names=["Район 03", "Район 07"],
            full_name="Координатор",
        )
        db.session.commit()
        assert db.session.get(Tenant, info["tenant_id"]).slug == info["slug"]
        with db.engine.begin() as c:
            c.execute(sa.text("CREATE TABLE scale_bench_info (key text primary key, value text)"))
            c.execute(
                sa.text("INSERT INTO scale_bench_info VALUES ('info', :v)"),
                {"v": json.dumps(info)},
            )
    meta_path.write_text(json.dumps(info))
    return info


# ---- the pages ------------------------------------------------------------------------------


def pages(info: dict, persons_in_tenant: int) -> list[tuple[str, str, str]]:
    """(title, role, path) of each measured page; ``{person}`` cycles through person ids."""
    muni = info["municipalities"][3]
    deep = max(2, persons_in_tenant // 50 * 2 // 3)
    out = [
        ("registry, first page", "admin", "/admin/people"),
        (
            "registry, filtered",
            "admin",
            f"/admin/people?status=resident_school&municipality={muni}&year=2017&sort=birth&dir=desc",
        ),
        (f"registry, search q={info['needle']}", "admin", f"/admin/people?q={info['needle']}"),
        (f"registry, deep page ({deep})", "admin", f"/admin/people?page={deep}"),
    ]
    if info.get("deep_after"):
        out.append(("registry, deep (keyset)", "admin", "/admin/people?" + info["deep_after"]))
    for sort in ("birth", "admission", "status", "updated"):
        out.append(
            (f"registry, sorted by {sort} desc", "admin", f"/admin/people?sort={sort}&dir=desc")
        )
    out += [
        ("person card", "admin", "/admin/people/{person}"),
        ("coordinator's registry", "coordinator", "/coordinator/people"),
        ("admin dashboard", "admin", "/admin/"),
        ("coordinator dashboard", "coordinator", "/coordinator/"),
        ("report dashboard", "admin", f"/admin/report?year={YEAR}"),
        ("report JSON", "admin", f"/admin/report.json?year={YEAR}"),
        ("coordinator's report JSON", "coordinator", f"/coordinator/report.json?year={YEAR}"),
    ]
    return out


def count_queries(args, info: dict, page_list, runs: int = 5) -> tuple[dict, dict]:
    """SQL statements per page (one request through the test client) and the median time of
    ``runs`` requests one after another in this process (no concurrency, no HTTP: the
    page's own work, less sensitive to a busy machine than the loaded figures)."""
    import sqlalchemy as sa

    from mkr_web import create_app
    from mkr_web.extensions import db

    app = create_app()
    clients = {}
    for role, email in (("admin", ADMIN_EMAIL), ("coordinator", COORDINATOR_EMAIL)):
        c = app.test_client()
        html = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)
        r = c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302, (email, r.status_code)
        clients[role] = c
    with app.app_context():
        engine = db.engine
    counted: list[int] = [0]

    def listener(*_a):
        counted[0] += 1

    out, solo = {}, {}
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for title, role, path in page_list:
            url = path.replace("{person}", str(info["person_ids"][0]))
            clients[role].get(url)  # warm (caches, first-request work)
            counted[0] = 0
            resp = clients[role].get(url)
            assert resp.status_code == 200, (url, resp.status_code)
            out[title] = counted[0]
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                clients[role].get(url)
                times.append((time.perf_counter() - started) * 1000)
            solo[title] = round(statistics.median(times), 1)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return out, solo


def _replay(engine, captured, runs: int = 3) -> float:
    """Median seconds of ``runs`` replays of the captured statements on a raw connection."""
    bare = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for _ in range(runs):
            started = time.perf_counter()
            with raw.cursor() as cur:
                for statement, params in captured:
                    cur.execute(statement, params)
                    cur.fetchall() if cur.description else None
            bare.append(time.perf_counter() - started)
        raw.rollback()
    return statistics.median(bare)


def report_sql(args, info: dict) -> dict:
    """For the largest tenant: the live ``build_report`` (what a reader pays once after a write)
    and the same statements replayed bare; the served path ``report_for`` warm (its snapshot
    current) and its statements replayed bare; ``report_for`` cold (the version raised first:
    the live query plus storing the snapshot)."""
    import sqlalchemy as sa

    from mkr_web import create_app
    from mkr_web.extensions import db
    from mkr_web.operations.report_snapshot import report_for
    from mkr_web.operations.report_versions import bump_versions
    from mkr_web.queries.report import build_report

    app = create_app()
    out = {}
    with app.app_context():
        engine = db.engine

        def captured_run(fn) -> list:
            captured: list = []

            def listener(conn, cursor, statement, params, context, executemany):
                captured.append((statement, params))

            sa.event.listen(engine, "before_cursor_execute", listener)
            try:
                fn()
            finally:
                sa.event.remove(engine, "before_cursor_execute", listener)
            db.session.rollback()
            return captured

        def timed(fn, before=None, runs=3) -> float:
            times = []
            for _ in range(runs):
                if before:
                    before()
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
                db.session.rollback()
            return statistics.median(times)

        def stale():
            with engine.begin() as conn:
                bump_versions(conn, {info["tenant_id"]})

        for label, munis in (("admin", None), ("coordinator", info["municipalities"][3:8:4])):
            tid = info["tenant_id"]

            def live(tid=tid, munis=munis):
                build_report(tid, YEAR, None, munis)

            def served(tid=tid, munis=munis):
                report_for(tid, YEAR, None, munis)

            live()  # warm
            db.session.rollback()
            captured = captured_run(live)
            build_ms = timed(live)
            bare_ms = _replay(engine, captured)
            served()  # the snapshot is current from here
            db.session.rollback()
            warm_captured = captured_run(served)
            warm_ms = timed(served, runs=51)  # sub-millisecond: more runs
            warm_bare_ms = _replay(engine, warm_captured, runs=51)
            cold_ms = timed(served, before=stale)
            out[label] = {
                "queries": len(captured),
                "build_report_ms": round(build_ms * 1000, 1),
                "bare_sql_ms": round(bare_ms * 1000, 1),
                "snapshot_queries": len(warm_captured),
                "report_for_warm_ms": round(warm_ms * 1000, 2),
                "snapshot_bare_sql_ms": round(warm_bare_ms * 1000, 2),
                "report_for_cold_ms": round(cold_ms * 1000, 1),
            }
    return out


# ---- the load -------------------------------------------------------------------------------


class Server:
    """A gunicorn serving ``app`` on ``port`` (killed on exit, by its own pid)."""

    def __init__(self, app: str, port: int, workers: int, env: dict, log_path: Path, cwd: Path):
        self.cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "600",
            "--no-control-socket",
            "--log-level",
            "warning",
            app,
        ]
        self.port, self.env, self.log_path, self.cwd = port, env, log_path, cwd
        self.proc = None

    def __enter__(self):
        import requests

        self.out = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except requests.RequestException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start: {self.log_path.read_text()[-2000:]}"
                    ) from None
                time.sleep(0.3)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.out.close()


def login_cookies(base: str, email: str) -> dict:
    import requests

    s = requests.Session()
    html = s.get(base + "/login").text
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)
    r = s.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, (email, r.status_code, r.text[:500])
    # the page a browser lands on next: it puts the form token in the cookie, which a browser
    # then keeps (without it every measured page would mint a token and re-sign the cookie)
    s.get(base + r.headers["Location"], allow_redirects=False)
    return s.cookies.get_dict()


def _browser(cookies: dict | None, url: str):
    import requests

    s = requests.Session()
    for name, value in (cookies or {}).items():
        # the server's host-only cookie: a cookie it sets again replaces it, as in a browser
        s.cookies.set(name, value, domain=urlsplit(url).hostname)
    return s


def warm(urls: list[str], cookies: dict | None) -> None:
    """One untimed request to each of a page's URLs before it is measured: the figures are
    the steady state, not the first read of a person's rows from disk into PostgreSQL's
    buffers (the card cycles through 500 persons; without this pass the first run after
    building the database measured each one's first read, the next run did not)."""
    s = _browser(cookies, urls[0])
    for url in urls:
        s.get(url, allow_redirects=False, timeout=900)


def drive(urls: list[str], cookies: dict | None, clients: int, duration: float) -> dict:
    """``clients`` threads GET ``urls`` (cycled) for ``duration`` s: latencies and rate."""
    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client(k: int):
        s = _browser(cookies, urls[0])
        mine, i = [], k
        while time.perf_counter() < stop_at:
            url = urls[i % len(urls)]
            i += clients
            started = time.perf_counter()
            try:
                r = s.get(url, allow_redirects=False, timeout=900)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {url}")
                _ = r.content
            except requests.RequestException as exc:
                errors.append(f"{exc.__class__.__name__} {url}")
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return summary(latencies, elapsed, errors)


def summary(latencies: list[float], elapsed: float, errors: list[str]) -> dict:
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float | None:
        if not ms:
            return None
        return round(ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))], 1)

    return {
        "requests": len(ms),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "per_s": round(len(ms) / elapsed, 1) if elapsed else 0,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/mkr_bench"),
        help="a PostgreSQL database this run may wipe",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per page and load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="", help="client counts, default 'workers,10'")
    parser.add_argument("--port", type=int, default=5140, help="the app; the floor takes +1")
    parser.add_argument("--reuse", action="store_true", help="keep a database of that size")
    parser.add_argument("--only", default="", help="measure only pages whose title has this")
    parser.add_argument("--tag", default="", help="suffix of the result files")
    args = parser.parse_args(argv)
    args.pg_url = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    args.sa_url = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    client_counts = [int(x) for x in (args.clients or f"{args.workers},10").split(",")]

    def log(msg: str):
        print(msg, flush=True)

    sys.path.insert(0, str(ROOT))
    info = prepare(args, log)
    size = info["sizes"][0]
    deep_after = _deep_cursor(args, info, size)
    if deep_after:
        info["deep_after"] = deep_after
    page_list = [p for p in pages(info, size) if args.only in p[0]]
    queries, solo = count_queries(args, info, page_list)
    log("queries per page: " + json.dumps(queries, ensure_ascii=False))
    log("one request at a time, in-process (median ms): " + json.dumps(solo, ensure_ascii=False))
    report = report_sql(args, info)
    log("report SQL: " + json.dumps(report))

    instance = Path(os.environ["MKR_INSTANCE_PATH"])
    env = {
        "DATABASE_URL": args.sa_url,
        "MKR_INSTANCE_PATH": str(instance),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    rows = []
    app_base = f"http://127.0.0.1:{args.port}"
    hello_base = f"http://127.0.0.1:{args.port + 1}"
    with (
        Server("mkr_web:create_app()", args.port, args.workers, env, instance / "app.log", ROOT),
        Server(
            "scale:hello_app()",
            args.port + 1,
            args.workers,
            env,
            instance / "hello.log",
            ROOT / "bench",
        ),
    ):
        cookies = {
            "admin": login_cookies(app_base, ADMIN_EMAIL),
            "coordinator": login_cookies(app_base, COORDINATOR_EMAIL),
        }
        floor_s = max(2.0, args.duration / 3)
        for title, role, path in page_list:
            if "{person}" in path:
                urls = [app_base + path.replace("{person}", str(p)) for p in info["person_ids"]]
            else:
                urls = [app_base + path]
            warm(urls, cookies[role])
            for clients in client_counts:
                page = drive(urls, cookies[role], clients, args.duration)
                health = drive([app_base + "/healthz"], None, clients, floor_s)
                hello = drive([hello_base + "/"], None, clients, floor_s)
                row = {
                    "page": title,
                    "path": path,
                    "clients": clients,
                    "queries": queries.get(title),
                    "solo_ms": solo.get(title),
                    **{k: page[k] for k in ("p50", "p95", "p99", "per_s", "requests", "errors")},
                    "healthz_p95": health["p95"],
                    "hello_p95": hello["p95"],
                    "hello_per_s": hello["per_s"],
                }
                if page["errors"]:
                    row["first_error"] = page["first_error"]
                rows.append(row)
                log(
                    f"{title:<38} c={clients:<3} p50 {page['p50']} p95 {page['p95']} "
                    f"p99 {page['p99']} ms, {page['per_s']}/s, q={queries.get(title)}; "
                    f"healthz p95 {health['p95']}, hello p95 {hello['p95']}"
                    + (f" ERRORS {page['errors']}: {page['first_error']}" if page["errors"] else "")
                )
    result = {
        "persons": args.persons,
        "largest_tenant": size,
        "tenants": TENANTS,
        "workers": args.workers,
        "duration_s": args.duration,
        "build_s": info.get("build_s"),
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "report_sql": report,
        "pages": rows,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stem = f"scale-{args.persons}" + (f"-{args.tag}" if args.tag else "")
    (out_dir / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    (out_dir / f"{stem}.md").write_text(markdown(result))
    log(f"wrote bench/results/{stem}.json and .md")
    return 0


def _deep_cursor(args, info: dict, size: int) -> str | None:
    """A keyset URL two thirds down the registry (when the app pages by keyset)."""
    try:
        from mkr_web.queries.people import deep_cursor_args
    except ImportError:
        return None
    from mkr_web import create_app

    with create_app().app_context():
        return deep_cursor_args(info["tenant_id"], size * 2 // 3)


def markdown(result: dict) -> str:
    lines = [
        f"# Scale bench: {result['persons']:,} persons in {result['tenants']} tenants "
        f"(largest {result['largest_tenant']:,})",
        "",
        f"gunicorn {result['workers']} workers, {result['duration_s']:g} s per page and client "
        f"count, measured {result['measured_at']}; built in {result['build_s']} s.",
        "Floors measured right after each row, with the same clients: the app's /healthz "
        "and a hello-world Flask app. 'alone ms': the median of 5 requests one after another "
        "through the test client in the bench's process (the page's own work).",
        "",
        "| page (largest tenant) | clients | p50 ms | p95 ms | p99 ms | pages/s | queries "
        "| alone ms | /healthz p95 | hello p95 | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["pages"]:
        lines.append(
            f"| {r['page']} | {r['clients']} | {r['p50']} | {r['p95']} | {r['p99']} "
            f"| {r['per_s']} | {r['queries']} | {r.get('solo_ms')} | {r['healthz_p95']} "
            f"| {r['hello_p95']} "
            f"| {r['errors']} |"
        )
    lines += [
        "",
        "Annual report, in-process (median of 3; of 51 for the served path). Served: `report_for` with its snapshot current "
        "(the report pages above are served so, warmed by one request first) and its statements "
        "replayed bare on one connection. Live: `build_report` (what the first reader after a "
        "write pays; `report_for` cold = the version raised first, then the live query and "
        "storing the snapshot) and its statements replayed bare.",
        "",
        "| report | served ms | its queries | its bare SQL ms | cold report_for ms "
        "| live build_report ms | its queries | its bare SQL ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in result["report_sql"].items():
        lines.append(
            f"| {label} | {r.get('report_for_warm_ms')} | {r.get('snapshot_queries')} "
            f"| {r.get('snapshot_bare_sql_ms')} | {r.get('report_for_cold_ms')} "
            f"| {r['build_report_ms']} | {r['queries']} | {r['bare_sql_ms']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
