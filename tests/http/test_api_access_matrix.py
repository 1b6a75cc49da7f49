"""The API's access matrix: every API rule of ``app.url_map`` × a token of each role that may
hold one (admin, coordinator, organiser: every scope of its role) × tenant B's objects and A's
objects outside the role's scope, in the world of ``test_access_matrix.py`` (tests/factories.py
:class:`AccessWorld`).

- a role the rule does not admit gets 403 problem+json;
- an admitted role gets 404 problem+json for tenant B's object behind any URL parameter (and
  all of them), and for A's objects outside its scope; nothing changes in the database;
- with its own objects, a GET answers 200 with JSON.
Experts and platform admins cannot hold a token (no scope is offered to them): refused.
"""

from __future__ import annotations

import pytest

from mkr_web.access import TokenPolicy, policy_of
from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.operations.api_tokens import create_token
from tests.conftest import empty_database
from tests.factories import AccessWorld, changed_tables, table_rows

ROLES = ("admin", "coordinator", "organizer")
NOT_OBJECTS = {"code"}


@pytest.fixture(autouse=True)
def _clean_db():
    yield  # the world is built once for the module, emptied at its end


@pytest.fixture(scope="module")
def world(app, data_app):
    empty_database(app)
    with data_app.app_context():
        w = AccessWorld()
        db.session.commit()
        rules = [
            r
            for r in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
            if isinstance(policy_of(app, r.endpoint), TokenPolicy)
        ]
        cells = {
            (rule.endpoint, role): (
                {a: w.value(a, rule.endpoint, role) for a in rule.arguments},
                {a: w.value(a, rule.endpoint, role, w.b) for a in rule.arguments},
                {a: w.outside(a, rule.endpoint, role) for a in rule.arguments},
                {a: w.value(a, rule.endpoint, "admin") for a in rule.arguments},
            )
            for rule in rules
            for role in ROLES
        }
        secrets = dict(w.a.api_secrets)
        expert_id = w.a.side.expert.id
        db.session.remove()
    yield rules, cells, secrets, expert_id
    empty_database(app)


def _url(app, rule, values: dict) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


@pytest.mark.parametrize("role", ROLES)
def test_api_access_matrix(app, app_ctx, world, role):
    rules, cells, secrets, _expert = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secrets[role]}", "If-Match": "*"}
    problems: list[str] = []
    assert len(rules) >= 15
    for rule in rules:
        policy = policy_of(app, rule.endpoint)
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        own, foreign, outside, admins = cells[rule.endpoint, role]
        refusals = []
        if role not in policy.roles:
            refusals.append(("role wall", admins, 403))
        else:
            objects = [a for a in rule.arguments if a not in NOT_OBJECTS]
            for arg in objects:
                refusals.append((f"tenant B's <{arg}>", {**own, arg: foreign[arg]}, 404))
                for value in outside[arg]:
                    refusals.append((f"<{arg}> outside the scope", {**own, arg: value}, 404))
            if len(objects) > 1:
                refusals.append(("tenant B's objects", {**own, **foreign}, 404))
        refusals = [r for r in refusals if None not in r[1].values()]
        before = table_rows()
        for what, values, expected in refusals:
            resp = client.open(_url(app, rule, values), method=method, json={}, headers=headers)
            if resp.status_code != expected or resp.mimetype != "application/problem+json":
                problems.append(
                    f"{method} {rule.rule} {what}: expected {expected} problem, "
                    f"got {resp.status_code} {resp.mimetype}"
                )
        db.session.rollback()
        changed = changed_tables(before, table_rows())  # (a token's use is not a change)
        if changed:
            problems.append(f"{rule.endpoint}: refused, but rows changed: {changed}")
        if role in policy.roles and method == "GET" and None not in own.values():
            resp = client.get(_url(app, rule, own), headers=headers)
            if resp.status_code != 200 or resp.mimetype != "application/json":
                problems.append(f"GET {rule.rule} own objects: got {resp.status_code}")
    assert problems == [], f"{role}: {len(problems)} problems:\n" + "\n".join(problems)


def test_expert_and_platform_admin_hold_no_token(app_ctx, world):
    from mkr_web.models import User

    expert = db.session.get(User, world[3])
    with pytest.raises(OperationError, match="недоступны"):
        create_token(expert, expert.memberships[0], "x", ["reference:read"], 30)
    with pytest.raises(OperationError, match="хотя бы одно"):
        create_token(expert, expert.memberships[0], "x", [], 30)
