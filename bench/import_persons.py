"""A 10,000-row person import over HTTP (issue 14, item 5): upload → preview → commit against
gunicorn on PostgreSQL, beside the floor of openpyxl merely reading the file; the web worker's
peak RSS.

    PYTHONPATH=. python bench/import_persons.py \
        --pg-url postgresql://postgres@127.0.0.1:5432/mkr_bench [--rows 10000] [--port 5150]

The database is wiped (schema dropped, migrations run), then one tenant with a school and an
admin. Writes ``bench/results/import-<rows>.json`` and prints the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
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
EMAIL = "admin@import.test"
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


def prepare(sa_url: str) -> None:
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
        tenant = create_tenant("import", "Импорт")
        db.session.flush()
        muni = Municipality(tenant_id=tenant.id, name="Второй район", kind="district", sort_order=1)
        db.session.add(muni)
        db.session.flush()
        create_organization(tenant, SCHOOL, OrganizationKind.SCHOOL, muni)
        create_user_with_role("import", EMAIL, PASSWORD, Role.ADMIN, full_name="Админ")
        db.session.commit()


def login_session(base: str):
    """A requests session logged in as the admin (it keeps the cookies the server updates)."""
    import requests

    s = requests.Session()
    token = TOKEN.search(s.get(base + "/login").text).group(1)
    r = s.post(
        base + "/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
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
    prepare(sa_url)
    data = workbook(args.rows)
    floors = sorted(floor(data) for _ in range(3))
    env = {"DATABASE_URL": sa_url, "MKR_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT)}
    base = f"http://127.0.0.1:{args.port}"
    with Server("mkr_web:create_app()", args.port, 1, env, instance / "app.log", ROOT) as server:
        s = login_session(base)
        rss_before = worker_peak_rss_kb(server.proc.pid)
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
        assert f"строк {args.rows}, ошибок 0" in html, html[-3000:]
        token = TOKEN.search(html).group(1)
        started = time.perf_counter()
        resp = s.post(preview_url, data={"csrf_token": token, "commit": "1"}, allow_redirects=False)
        committed = time.perf_counter() - started
        assert resp.status_code == 302, resp.text[-2000:]
        rss = worker_peak_rss_kb(server.proc.pid)
    result = {
        "rows": args.rows,
        "file_kb": len(data) // 1024,
        "openpyxl_read_s": round(floors[1], 2),
        "upload_and_preview_s": round(preview, 2),
        "commit_s": round(committed, 2),
        "total_s": round(preview + committed, 2),
        "total_over_floor": round((preview + committed) / floors[1], 1),
        "web_worker_peak_rss_mb": round(rss / 1024),
        "web_worker_rss_before_mb": round(rss_before / 1024),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"import-{args.rows}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
