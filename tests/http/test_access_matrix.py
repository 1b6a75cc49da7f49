"""One access matrix for the whole app: every rule of ``app.url_map`` × every role × a foreign
tenant and objects outside each scope, with real objects behind every URL parameter.

The world (``tests/factories.py``: :class:`AccessWorld`) is two tenants built alike. Logged in as a
role of tenant A, for every rule and each of its methods (POST with a valid CSRF token):

- a role the rule does not admit gets 403; an anonymous visitor is sent to the login page;
- a role the rule admits gets 404 for tenant B's object behind any one URL parameter (and
  behind all of them), and for A's objects outside its scope (another municipality's person,
  another organisation's event, another expert's assignment, another user's job or preview,
  a file or record of another parent);
- none of those refusals changes a row (every table is compared before and after);
- with A's objects inside its scope, a GET answers 200 (so the refusals above come from the
  access rules, not from a world that lacks the object).

Rules are read from ``app.url_map``, so a route added later is walked automatically; a URL
parameter for which the world has no object fails the walk with a message naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from mkr_web.access import AUTHENTICATED, PUBLIC, TokenPolicy, policy_of
from mkr_web.extensions import db
from tests.conftest import empty_database
from tests.factories import RESOLVERS, AccessWorld, changed_tables, table_rows
from tests.support import PASSWORD, login

ROLES = ("admin", "coordinator", "organizer", "expert", "platform-admin", "anonymous")
#: URL parameters that are not objects (a converter's value): no tenant, no scope.
NOT_OBJECTS = {"action", "code", "filename", "fmt", "kind"}
#: GET rules whose success is a redirect: the index (to the dashboard), the rubrics (to the
#: first rubric), the second login step and the single sign-on callback with no login under
#: way (to the login page) and, for a logged-in user, the login page (to the dashboard).
REDIRECTS = {"auth.index", "admin.rubrics", "auth.login_code", "auth.sso_callback"}
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _page_rules(app):
    """The rules of pages: the API's (a :class:`TokenPolicy`: a bearer token, never the
    cookie) are walked by ``test_api_access_matrix.py`` with a token of each role."""
    return [r for r in _rules(app) if not isinstance(policy_of(app, r.endpoint), TokenPolicy)]


def _admits(policy, role: str) -> bool:
    if policy == PUBLIC:
        return True
    if policy == AUTHENTICATED:
        return role != "anonymous"
    return role in {str(r) for r in policy}


def _url(app, rule, values: dict) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)


def _token(client, role: str) -> str:
    page = "/login" if role == "anonymous" else "/notifications"
    html = client.get(page).get_data(as_text=True)
    found = CSRF_RE.search(html)
    assert found, f"no CSRF token on {page} for {role}"
    return found.group(1)


def test_every_url_parameter_has_an_object_in_the_world(app):
    """A rule with a URL parameter the world cannot fill would escape the matrix."""
    missing = sorted(
        f"<{arg}> of {rule.endpoint} ({rule.rule})"
        for rule in _rules(app)
        for arg in rule.arguments
        if arg not in RESOLVERS
    )
    assert missing == [], "add an object for each to tests/factories.py RESOLVERS: " + ", ".join(
        missing
    )


@pytest.fixture(autouse=True)
def _clean_db():
    """Overrides the suite's per-test emptying: the world is built once for this module (it
    is two full tenants) and emptied when the module ends."""
    yield


@dataclass(frozen=True)
class Cell:
    """The URL values of one rule for one role: its own objects, tenant B's, and A's outside
    its scope; ``wall``: its own, or the admin's where it holds none (to knock on a wall)."""

    own: dict
    wall: dict
    foreign: dict
    outside: dict


@pytest.fixture(scope="module")
def plan(app, data_app):
    empty_database(app)
    with data_app.app_context():
        world = AccessWorld()
        emails = {r: (u.email if (u := world.user_for(r)) else None) for r in ROLES}
        cells = {
            (rule.endpoint, role): Cell(
                own={a: world.value(a, rule.endpoint, role) for a in rule.arguments},
                wall={
                    a: world.value(a, rule.endpoint, role) or world.value(a, rule.endpoint, "admin")
                    for a in rule.arguments
                },
                foreign={a: world.value(a, rule.endpoint, role, world.b) for a in rule.arguments},
                outside={a: world.outside(a, rule.endpoint, role) for a in rule.arguments},
            )
            for rule in _rules(app)
            for role in ROLES
        }
        db.session.remove()
    yield emails, cells
    empty_database(app)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, app_ctx, plan, role):
    emails, cells = plan
    client = app.test_client()
    if emails[role] is not None:
        assert login(client, emails[role], PASSWORD).status_code == 302
    token = _token(client, role)
    problems: list[str] = []

    def request(method: str, url: str):
        if method == "GET":
            return client.get(url)
        return client.post(url, data={"csrf_token": token})

    for rule in _page_rules(app):
        policy = policy_of(app, rule.endpoint)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        admitted = _admits(policy, role)
        cell = cells[rule.endpoint, role]
        own = cell.own
        refusals: list[tuple[str, dict, int]] = []  # (what, url values, expected status)
        if not admitted:
            refusals.append(("role wall", cell.wall, 302 if role == "anonymous" else 403))
        elif policy != PUBLIC:
            objects = [a for a in rule.arguments if a not in NOT_OBJECTS]
            for arg in objects:
                refusals.append((f"tenant B's <{arg}>", {**own, arg: cell.foreign[arg]}, 404))
                for value in cell.outside[arg]:
                    refusals.append((f"<{arg}> outside the scope", {**own, arg: value}, 404))
            if len(objects) > 1:
                refusals.append(("tenant B's objects", {**own, **cell.foreign}, 404))
        # A role holding no object of a kind (the platform admin has no tenant) is refused
        # only the objects that exist; a URL that cannot be built is not requested.
        refusals = [r for r in refusals if None not in r[1].values()]
        if refusals:
            before = table_rows()
            for what, values, expected in refusals:
                for method in methods:
                    resp = request(method, _url(app, rule, values))
                    status = resp.status_code
                    where = resp.headers.get("Location", "")
                    if status != expected or (expected == 302 and not where.startswith("/login")):
                        problems.append(
                            f"{method} {rule.rule} [{rule.endpoint}] {what}: "
                            f"expected {expected}, got {status} {where}".rstrip()
                        )
            db.session.rollback()  # see what the requests committed
            changed = changed_tables(before, table_rows())
            if changed:
                problems.append(f"{rule.endpoint}: refused, but rows changed: {changed}")
        if admitted and "GET" in methods and None not in own.values():
            resp = request("GET", _url(app, rule, own))
            redirects = rule.endpoint in REDIRECTS or (
                rule.endpoint == "auth.login" and role != "anonymous"
            )
            expected = 302 if redirects else 200
            if resp.status_code != expected:
                problems.append(
                    f"GET {rule.rule} [{rule.endpoint}] own objects: expected {expected}, "
                    f"got {resp.status_code}"
                )
    assert problems == [], f"{role}: {len(problems)} problems:\n" + "\n".join(problems)


def readable_pages(app, world) -> dict[str, tuple[str | None, list[str]]]:
    """``{role: (email, [url, …])}``: every GET page each role may open, with the world's
    objects behind its URL parameters (the page walks of the phone/axe and English tests)."""
    plan = {}
    for role in ROLES:
        user = world.user_for(role)
        urls = []
        for rule in _rules(app):
            if "GET" not in rule.methods or not _admits(policy_of(app, rule.endpoint), role):
                continue
            if rule.endpoint.endswith("static"):
                continue
            values = {a: world.value(a, rule.endpoint, role) for a in rule.arguments}
            if None not in values.values():
                urls.append(_url(app, rule, values))
        plan[role] = (user.email if user else None, sorted(set(urls)))
    return plan
