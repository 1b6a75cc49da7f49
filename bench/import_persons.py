"""A 10,000-row person import over HTTP (issue 14, item 5): upload → preview → commit against
gunicorn on PostgreSQL, beside the floor of openpyxl merely reading the file; the web worker's
peak RSS.

    PYTHONPATH=. python bench/import_persons.py \
        --pg-url postgresql://postgres@127.0.0.1:5432/mkr_bench [--rows 10000] [--repeat 5]

The database is wiped (schema dropped, migrations run), then one tenant per repetition, each
with a school and an admin: every import goes into an empty bank (no matches). The floor is
measured right before each import, so each ratio compares two figures taken under the same
load of the machine; the result is the median of the repetitions' ratios (this machine's
timings move by ±15% from minute to minute), with every repetition listed. Writes
``bench/results/import-<rows>.json`` and prints the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from scale import PASSWORD, Server  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
SCHOOL = "МБОУ «СОШ № 1»"


def workbook(rows: int) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["Фамилия", "Имя", "Дата рождения", "Образовательная организация", "Статус", "Дата статуса"]
    )
    for i in range(rows):
        ws.append(
            [
                f"Фамилия{chr(1072 + i % 32)}{chr(1072 + i // 32 % 32)}{chr(1072 + i // 1024 % 32)}",
                "Имя",
                date(2000 + i % 10, 1 + i % 12, 1 + i % 28),
                SCHOOL,
                "резидент (школьник)" if i % 2 else None,
                date(2019, 5, 1) if i % 2 else None,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def floor(data: bytes) -> float:
    """openpyxl merely reading every cell (read-only mode), seconds."""
    import openpyxl

    started = time.perf_counter()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.active.iter_rows(values_only=True))
    assert n > 1
    return time.perf_counter() - started


def email(n: int) -> str:
    return f"admin{n}@import.test"


def prepare(sa_url: str, tenants: int = 1) -> None:
    os.environ["DATABASE_URL"] = sa_url
    from mkr_web import create_app
    from mkr_web.extensions import db
    from mkr_web.models import Municipality, OrganizationKind
    from mkr_web.operations.tenancy import (
        create_organization,
        create_tenant,
        create_user_with_role,
    )
    from tests.support import rebuild_schema
    from workflows.roles import Role

    app = create_app()
    rebuild_schema(app)
    with app.app_context():
        for n in range(tenants):
            tenant = create_tenant(f"import{n}", f"Импорт {n}")
            db.session.flush()
            muni = Municipality(
                tenant_id=tenant.id, name="Второй район", kind="district", sort_order=1
            )
            db.session.add(muni)
            db.session.flush()
            create_organization(tenant, SCHOOL, OrganizationKind.SCHOOL, muni)
            create_user_with_role(f"import{n}", email(n), PASSWORD, Role.ADMIN, full_name="Админ")
        db.session.commit()


def login_session(base: str, address: str):
    """A requests session logged in as an admin (it keeps the cookies the server updates)."""
    import requests

    s = requests.Session()
    token = TOKEN.search(s.get(base + "/login").text).group(1)
    r = s.post(
        base + "/login",
        data={"email": address, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.status_code
    return s


def worker_peak_rss_kb(master_pid: int) -> int:
    """The largest VmHWM (peak resident set) of the gunicorn master's children."""
    peak = 0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def import_once(base: str, address: str, data: bytes, rows: int) -> tuple[float, float]:
    """(upload and preview, commit) seconds of one import by the tenant admin ``address``."""
    s = login_session(base, address)
    token = TOKEN.search(s.get(base + "/admin/people/import").text).group(1)
    started = time.perf_counter()
    resp = s.post(
        base + "/admin/people/import",
        data={"csrf_token": token},
        files={"file": ("big.xlsx", data, "application/octet-stream")},
        allow_redirects=False,
    )
    assert resp.status_code == 302, resp.text[-2000:]
    preview_url = base + resp.headers["Location"]
    html = s.get(preview_url).text
    preview = time.perf_counter() - started
    assert f"строк {rows}, ошибок 0" in html, html[-3000:]
    token = TOKEN.search(html).group(1)
    started = time.perf_counter()
    resp = s.post(preview_url, data={"csrf_token": token, "commit": "1"}, allow_redirects=False)
    committed = time.perf_counter() - started
    assert resp.status_code == 302, resp.text[-2000:]
    return preview, committed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="imports (each beside its floor)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/mkr_bench"),
    )
    parser.add_argument("--port", type=int, default=5150)
    args = parser.parse_args(argv)
    pg_url = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    sa_url = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    instance = Path(tempfile.mkdtemp(prefix="mkr-import-"))
    os.environ["MKR_INSTANCE_PATH"] = str(instance)
    prepare(sa_url, tenants=args.repeat + 1)
    data = workbook(args.rows)
    env = {"DATABASE_URL": sa_url, "MKR_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT)}
    base = f"http://127.0.0.1:{args.port}"
    runs = []
    with Server("mkr_web:create_app()", args.port, 1, env, instance / "app.log", ROOT) as server:
        rss_before = worker_peak_rss_kb(server.proc.pid)
        # a first small import (into a tenant of its own) so that the worker has loaded what
        # any import loads, as a server that has been up for a while has
        import_once(base, email(args.repeat), workbook(10), 10)
        for n in range(args.repeat):
            floor_s = floor(data)
            preview, committed = import_once(base, email(n), data, args.rows)
            total = preview + committed
            runs.append(
                {
                    "openpyxl_read_s": round(floor_s, 3),
                    "upload_and_preview_s": round(preview, 3),
                    "commit_s": round(committed, 3),
                    "total_s": round(total, 3),
                    "total_over_floor": round(total / floor_s, 2),
                }
            )
            print(json.dumps(runs[-1]), flush=True)
        rss = worker_peak_rss_kb(server.proc.pid)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    result = {
        "rows": args.rows,
        "file_kb": len(data) // 1024,
        "repeat": args.repeat,
        "openpyxl_read_s": round(median("openpyxl_read_s"), 2),
        "upload_and_preview_s": round(median("upload_and_preview_s"), 2),
        "commit_s": round(median("commit_s"), 2),
        "total_s": round(median("total_s"), 2),
        "total_over_floor": round(median("total_over_floor"), 2),
        "total_over_floor_worst": max(r["total_over_floor"] for r in runs),
        "runs": runs,
        "web_worker_peak_rss_mb": round(rss / 1024),
        "web_worker_rss_before_mb": round(rss_before / 1024),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(
        json.dumps({k: v for k, v in result.items() if k != "runs"}, ensure_ascii=False, indent=1)
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"import-{args.rows}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
