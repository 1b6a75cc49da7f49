"""Resident certificates with real Celery workers (issue 14, item 4): ``--count`` certificate
jobs (``mkr.certificates.render``: number, render the PDF, store it) queued at once and served by
``--workers`` Celery workers (one process each) on Redis, end to end; beside the floor of
WeasyPrint rendering the same certificate in a loop (ms per page), and each worker's peak RSS.

    PYTHONPATH=. python bench/certificates.py \
        --pg-url postgresql://postgres@127.0.0.1:5432/mkr_bench \
        --redis-url redis://127.0.0.1:6379/5 [--count 1000] [--workers 2]

The database is wiped (schema dropped, migrations run) and the Redis database flushed. Writes
``bench/results/certificates-<count>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(count: int) -> list[int]:
    """A tenant with ``count`` Residents at school; their ids."""
    import sqlalchemy as sa
    from flask import current_app

    from mkr_web.extensions import db
    from mkr_web.models import Municipality, Organization, Person, normalize_name
    from mkr_web.operations.tenancy import create_tenant
    from tests.support import rebuild_schema

    rebuild_schema(current_app)
    tenant = create_tenant("certs", "Сертификаты")
    db.session.flush()
    muni = Municipality(tenant_id=tenant.id, name="Район", kind="district", sort_order=1)
    db.session.add(muni)
    db.session.flush()
    org = Organization(
        tenant_id=tenant.id, name="Школа № 1", kind="school", municipality_id=muni.id
    )
    db.session.add(org)
    db.session.flush()
    rows = [
        {
            "tenant_id": tenant.id,
            "surname": f"Фамилия{i}",
            "name": "Имя",
            "patronymic": "Отчество",
            "search_name": normalize_name(f"Фамилия{i}", "Имя", "Отчество"),
            "birth_on": date(2006, 1, 1 + i % 28),
            "organization_id": org.id,
            "municipality_id": muni.id,
            "status": "resident_school",
            "status_since": date(2025, 5, 1),
            "admission_on": date(2025, 5, 1),
            "admission_basis": "Победитель",
            "is_anonymized": False,
            "version": 1,
        }
        for i in range(count)
    ]
    db.session.execute(sa.insert(Person), rows)
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(Person.id).where(Person.tenant_id == tenant.id).order_by(Person.id)
        )
    )


def floor_ms(person_id: int, tenant_id: int, runs: int = 10) -> float:
    """WeasyPrint rendering one Resident certificate, ms per page (median of ``runs``)."""
    from mkr_web.extensions import db
    from mkr_web.models import CertificateKind
    from mkr_web.operations import certificates as certs

    cert = certs.issue(tenant_id, CertificateKind.RESIDENT, person_id)
    db.session.flush()
    from mkr_web.documents.pdf import render_pdf

    # the very document the task renders (operations.certificates.document), in a loop
    template, files, context = certs.document(cert, certs.verify_url(cert.code))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render_pdf(template, files=files, **context)
        times.append((time.perf_counter() - started) * 1000)
    db.session.rollback()
    return statistics.median(times)


def peak_rss_kb(pids: list[int]) -> int:
    """The largest VmHWM among ``pids`` and their children."""
    peak = 0
    todo = list(pids)
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            todo += Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/mkr_bench"),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    sa_url = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    instance = Path(tempfile.mkdtemp(prefix="mkr-certs-"))
    env = {
        "DATABASE_URL": sa_url,
        "MKR_INSTANCE_PATH": str(instance),
        "MKR_UPLOAD_DIR": str(instance / "files"),
        "CELERY_BROKER_URL": args.redis_url,
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    import redis
    import sqlalchemy as sa

    redis.Redis.from_url(args.redis_url).flushdb()
    from mkr_web import create_app
    from mkr_web.extensions import db
    from mkr_web.models import CertificateKind, Job, Person
    from mkr_web.operations.certificates import queue_certificate

    app = create_app()
    with app.app_context():
        ids = prepare(args.count)
        tenant_id = db.session.get(Person, ids[0]).tenant_id
        floor = floor_ms(ids[0], tenant_id)
    workers = []
    logs = []
    try:
        for k in range(args.workers):
            log = open(instance / f"worker{k}.log", "w")
            logs.append(log)
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "celery_worker",
                        "worker",
                        "-c",
                        "1",
                        "-n",
                        f"bench{k}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "-l",
                        "warning",
                    ],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        time.sleep(8)  # the workers connect (their start is not part of the figure)
        with app.app_context():
            started = time.perf_counter()
            for pid in ids:
                queue_certificate(tenant_id, CertificateKind.RESIDENT, pid, user_id=None)
            queued = time.perf_counter() - started
            deadline = time.monotonic() + args.timeout
            while True:
                db.session.rollback()
                states = dict(
                    db.session.execute(
                        sa.select(Job.state, sa.func.count()).group_by(Job.state)
                    ).all()
                )
                finished = sum(n for s, n in states.items() if str(s) in ("done", "failed"))
                if finished >= len(ids) or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        rss = peak_rss_kb([w.pid for w in workers])
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()
        for log in logs:
            log.close()
    result = {
        "certificates": args.count,
        "workers": args.workers,
        "end_to_end_s": round(elapsed, 1),
        "queueing_s": round(queued, 1),
        "per_certificate_ms": round(elapsed * 1000 / args.count, 1),
        "floor_weasyprint_ms_per_page": round(floor, 1),
        "job_states": {str(k): v for k, v in states.items()},
        "worker_peak_rss_mb": round(rss / 1024),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"certificates-{args.count}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
