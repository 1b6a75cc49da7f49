"""0 × 500 from input (issue 9, item 8): a generated corpus of garbage — every case of the
issue (ids above 2³¹, huge numbers, NUL bytes, "²", ``inf``/``1e400``, missing fields) and
the usual suspects — sent to every route of the app as every role, with real objects behind
every URL parameter (the access matrix's world, ``tests/factories.py``: :class:`AccessWorld`):

- every ``<int:…>`` URL parameter set to 2³¹ and 10²⁰: a 404 (or the role's refusal), never a
  5xx;
- every page a role reaches, asked with garbage in the query parameters its links and GET
  forms use plus the common ones (page, year, municipality, …);
- every POST form on those pages, sent with each garbage value in all its fields, and once
  with nothing but its tokens (every field missing), plus every POST-only route with garbage.

No answer may be a 5xx. A NUL byte anywhere is refused with its message (400)."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from mkr_web.extensions import db
from mkr_web.models import LoginFailure, User
from tests.conftest import empty_database
from tests.factories import PASSWORD, AccessWorld
from tests.support import login, page_forms

ROLES = ("admin", "coordinator", "organizer", "expert", "platform-admin", "anonymous")
GARBAGE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "²",
    "١٢",
    "０",
    str(2**31),
    str(2**63),
    "9" * 30,
    "-1",
    "-99999999999",
    "inf",
    "-inf",
    "nan",
    "1e400",
    "1.5",
    "0x10",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "😀",
    "x" * 5000,
    "2019-13-45",
    "0000-00-00",
    "9999-12-31",
    "../../etc/passwd",
    "%00",
    "\u202e",
]
HUGE_IDS = [2**31, 10**20]
COMMON_PARAMS = [
    "page",
    "per_page",
    "q",
    "year",
    "as_of",
    "municipality",
    "municipality_id",
    "organization",
    "organization_id",
    "status",
    "state",
    "kind",
    "sort",
    "order",
    "person_id",
    "event_id",
    "action",
    "user",
    "object_type",
    "format",
]
NOT_OBJECTS = {"action", "code", "filename", "fmt", "kind"}
NUL_MESSAGE = "В запросе есть недопустимый символ (NUL, код 0)"
LINK_RE = re.compile(r'href="([^"#]+)"')


@pytest.fixture(autouse=True)
def _clean_db():
    """The world is built once for the module (two full tenants) and emptied at its end."""
    yield


@pytest.fixture(scope="module")
def world(app, data_app):
    empty_database(app)
    with data_app.app_context():
        w = AccessWorld()
        plan = {
            role: {
                "email": (u.email if (u := w.user_for(role)) else None),
                "values": {
                    rule.endpoint: {a: w.value(a, rule.endpoint, role) for a in rule.arguments}
                    for rule in app.url_map.iter_rules()
                },
            }
            for role in ROLES
        }
        db.session.remove()
    yield plan
    empty_database(app)


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(endpoint, values)


def _query_names(html: str, url: str) -> set[str]:
    names = set()
    for form in page_forms(html, url):
        if form.method == "get":
            names.update(form.names)
    for href in LINK_RE.findall(html):
        query = urlsplit(href.replace("&amp;", "&")).query
        names.update(part.split("=", 1)[0] for part in query.split("&") if part)
    return names


def _fresh_login(app, email: str | None = None) -> None:
    """Undo what the garbage of the roles before did on purpose to the logins: wrong passwords
    from 127.0.0.1 fill the per-address login limit, and the world's valid password-reset link
    (the expert's, :class:`AccessWorld`) accepts a garbage password. Each role starts with no
    failure counted and its own password."""
    with app.app_context():
        db.session.execute(sa.delete(LoginFailure))
        if email is not None:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            user.set_password(PASSWORD)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("role", ROLES)
def test_garbage_never_answers_5xx(app, app_ctx, world, role, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a bug answers 500 here
    plan = world[role]
    _fresh_login(app, plan["email"])
    client = app.test_client()
    if plan["email"] is not None:
        assert login(client, plan["email"], PASSWORD).status_code == 302
    problems: list[str] = []
    sent = 0

    def check(method: str, url: str, resp, what: str) -> None:
        nonlocal sent
        sent += 1
        if resp.status_code >= 500:
            problems.append(f"{method} {url[:120]!r} {what}: {resp.status_code}")

    def csrf() -> str:
        html = client.get("/login" if plan["email"] is None else "/notifications").get_data(
            as_text=True
        )
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        return found.group(1) if found else ""

    token = csrf()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    for rule in rules:
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.endpoint in {"auth.logout"}:
            continue  # the session must survive the walk
        values = plan["values"][rule.endpoint]
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        # ids above 2**31 in every <int:…> parameter
        ints = [a for a, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        ints = [a for a in ints if a not in NOT_OBJECTS]
        for arg in ints:
            for huge in HUGE_IDS:
                filled = {k: (v if v is not None else 1) for k, v in values.items()}
                url = _url(app, rule.endpoint, {**filled, arg: huge})
                for method in methods:
                    data = {"csrf_token": token} if method == "POST" else None
                    resp = client.open(url, method=method, data=data)
                    check(method, url, resp, f"<{arg}>={huge}")
                    if resp.status_code not in (404, 403, 302, 400):
                        problems.append(f"{method} {url} <{arg}>={huge}: {resp.status_code}")
        if None in values.values():
            continue  # the role holds no object of a kind this rule needs
        url = _url(app, rule.endpoint, values)
        if "GET" in methods:
            resp = client.get(url)
            check("GET", url, resp, "as is")
            html = ""
            if resp.status_code == 200 and resp.mimetype == "text/html":
                html = resp.get_data(as_text=True)
            names = sorted(_query_names(html, url) | set(COMMON_PARAMS))
            for shift in range(4):
                query = {n: GARBAGE[(i * 7 + shift) % len(GARBAGE)] for i, n in enumerate(names)}
                got = client.get(url + "?" + urlencode(query))
                check("GET", url, got, f"query #{shift}")
            for form in page_forms(html, url):
                if form.method != "post" or form.action.startswith("/logout"):
                    continue
                if form.action.startswith("http") or "/language" in form.action:
                    continue
                kept = {n: v for n, v in form.fields if n in ("csrf_token",)}
                fillable = [
                    n for n in form.names if n != "csrf_token" and not n.endswith("form_token")
                ]
                payloads = [dict(kept)] + [
                    {**kept, **{n: value for n in fillable}} for value in GARBAGE
                ]
                for payload in payloads:
                    payload["form_token"] = secrets.token_urlsafe(16)
                    got = client.post(form.action, data=payload)
                    check("POST", form.action, got, f"{sorted(payload)[:4]}…")
                    if "\x00" in "".join(payload.values()) and got.status_code != 400:
                        problems.append(f"POST {form.action} with NUL: {got.status_code}")
        elif "POST" in methods:
            for value in GARBAGE[:8]:
                payload = {"csrf_token": token, "form_token": secrets.token_urlsafe(16)}
                payload.update({n: value for n in COMMON_PARAMS + ["version", "comment"]})
                got = client.post(url, data=payload)
                check("POST", url, got, f"garbage {value[:10]!r}")
    # a NUL byte in the URL itself is refused with the message
    resp = client.get("/verify/abc%00def")
    assert resp.status_code == 400 and NUL_MESSAGE in resp.get_data(as_text=True)
    print(f"{role}: {sent} requests, {len(problems)} problems")
    assert problems == [], f"{role}: {len(problems)} problems:\n" + "\n".join(problems[:80])


def test_the_cases_of_the_issue(app, factory):
    """The inputs the issue names, one by one, with the answers they must get."""
    from tests.factories import World

    _fresh_login(app)
    w = World(factory)
    try:
        admin = app.test_client()
        assert login(admin, w.admin.email, PASSWORD).status_code == 302
        # ids above 2**31: 404
        for url in (f"/admin/people/{2**31}", f"/admin/events/{10**20}", f"/jobs/{2**31}"):
            assert admin.get(url).status_code == 404, url
        # huge numbers and "²" in query parameters: the page, not a 500
        for query in (f"page={10**20}", "page=²", f"municipality={2**40}", f"year={10**9}"):
            assert admin.get(f"/admin/people?{query}").status_code == 200, query
        assert admin.get(f"/admin/report?year={10**9}").status_code == 400
        # a NUL byte in a text field: refused with the message
        form = page_forms(admin.get("/admin/people/new").get_data(as_text=True))[-1]
        resp = admin.post("/admin/people/new", data=form.data(surname="Ива\x00нова", name="Анна"))
        assert resp.status_code == 400 and NUL_MESSAGE in resp.get_data(as_text=True)
        # renaming an organisation to an existing name: a message
        url = f"/admin/organizations/{w.school2.id}"
        form = [
            f for f in page_forms(admin.get(url).get_data(as_text=True), url) if f.action == url
        ]
        data = form[0].data(name=w.school1.name, municipality_id=str(w.first.id))
        resp = admin.post(url, data=data, follow_redirects=True)
        assert resp.status_code == 200
        # the same name typed another way is refused too (issue 11: one matching key)
        assert (
            "Название «МБОУ «СОШ № 1»» уже занято: «МБОУ «СОШ № 1»» в справочнике."
            in resp.get_data(as_text=True)
        )
    finally:
        empty_database(app)
