"""Health probes: /healthz for load balancers, /admin/health for the operator.

The same test passes in both modes: tasks run eagerly (no CELERY_BROKER_URL) or go through
Redis to the real worker that .ci/run starts on the same database.
"""

from __future__ import annotations

import os
import re

from tests.support import login

CHECK_RE = re.compile(
    r'<tr data-check="(\w+)" data-ok="(\w+)">.*?<td>.*?</td>\s*<td>([^<]*)</td>', re.DOTALL
)


def test_healthz_answers_without_login(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_admin_health_reports_every_component_ok(client, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, role="admin")
    assert login(client, admin.email).status_code == 302

    resp = client.get("/admin/health")

    assert resp.status_code == 200
    rows = {
        name: (ok, detail) for name, ok, detail in CHECK_RE.findall(resp.get_data(as_text=True))
    }
    assert set(rows) == {"database", "broker", "worker"}
    assert {name: ok for name, (ok, _) in rows.items()} == {
        "database": "yes",
        "broker": "yes",
        "worker": "yes",
    }
    dialect = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    assert rows["database"][1] == dialect
    if os.environ.get("CELERY_BROKER_URL"):
        assert rows["worker"][1] == "воркер ответил"  # a real worker ran the ping task
    else:
        assert rows["worker"][1] == "в процессе"
