"""The contract, fuzzed: schemathesis generates requests from ``/api/v1/openapi.json`` for
every operation and sends them in process to the app with a token of each role (admin,
coordinator, organiser). No answer may be a 5xx, violate the document (status, content type,
headers, body schema), or accept what the document forbids. The examples per operation are
few (the suite's time is bounded); the access matrix (``test_api_access_matrix.py``) covers
the cross-tenant and cross-scope requests case by case."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as oas

from mkr_web.extensions import db
from tests.factories import World, api_token, row
from workflows.lifecycle import PersonStatus

EXAMPLES = 5  # per operation and role (PostgreSQL: ~35 s, SQLite: ~10 s)
ROLES = ("admin", "coordinator", "organizer")


@pytest.fixture
def tokens(factory, app, monkeypatch):
    monkeypatch.setitem(app.config, "MKR_API_RATE_LIMIT", 100_000)
    a = World(factory, "a", admins=1)
    World(factory, "b", admins=1)
    a.person("Первая", "Анна", None, date(2006, 1, 2), PersonStatus.RESIDENT_SCHOOL)
    from mkr_web.operations import admission as ops

    ops.create_batch(a.edition, [row()], a.organizer)
    db.session.commit()
    return {
        "admin": api_token(a.admin),
        "coordinator": api_token(a.coord1),
        "organizer": api_token(a.organizer),
    }


CHECKS = [
    oas.status_code_conformance,
    oas.content_type_conformance,
    oas.response_headers_conformance,
    oas.response_schema_conformance,
]


def _fuzz(operation, role: str, token: str, failures: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{role} {case.method} {case.formatted_path}: 5xx")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            failures.append(f"{role} {operation.label}: {str(exc)[:300]}")

    run()


def test_the_contract_holds_for_every_role(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 18
    failures: list[str] = []
    for role in ROLES:
        for operation in operations:
            _fuzz(operation, role, tokens[role], failures)
    assert failures == [], "\n".join(failures[:20])
