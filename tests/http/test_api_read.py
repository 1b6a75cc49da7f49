"""The API's reads through real requests with personal tokens: 401/403 as problem+json, the
role and scope walls, cross-tenant and cross-scope objects 404, cursor pages, the audit of a
coordinator's reads (with the token's id), the rate limit, and the same objects as the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import ApiToken, AuditEntry, Certificate, CertificateKind
from tests.factories import World, api_token
from tests.support import login
from workflows.lifecycle import PersonStatus

PROBLEM = "application/problem+json"


@pytest.fixture
def two(factory):
    a = World(factory, "a")
    b = World(factory, "b")
    a.p1 = a.person("Первая", "Анна", None, date(2006, 1, 2), PersonStatus.RESIDENT_SCHOOL)
    a.p2 = a.person("Вторая", "Вера", None, date(2006, 3, 4), municipality=a.second)
    a.p3 = a.person("Третья", "Галина", None, date(2007, 5, 6))
    b.p1 = b.person("Чужая", "Дарья", None, date(2006, 1, 2))
    return a, b


def get(client, url, token, **kw):
    return client.get(url, headers={"Authorization": f"Bearer {token}"}, **kw)


def problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status
    assert body["type"].startswith("https://mkr.example/problems/")
    return body


def ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [i["id"] for i in resp.get_json()["items"]]


def test_no_token_bad_token_revoked_expired_answer_401(client, two):
    a, _b = two
    body = problem(client.get("/api/v1/persons"), 401)
    assert body["detail"].startswith("Send a personal API token")
    assert problem(get(client, "/api/v1/persons", "mkr_not-a-token"), 401)["title"] == (
        "Unauthorized"
    )
    secret = api_token(a.admin)
    assert get(client, "/api/v1/persons", secret).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    problem(get(client, "/api/v1/persons", secret), 401)
    token.expires_at, token.revoked_at = token.created_at + timedelta(days=1), token.created_at
    db.session.commit()
    problem(get(client, "/api/v1/persons", secret), 401)


def test_session_cookie_is_ignored_by_the_api(app, two):
    a, _b = two
    client = app.test_client()
    assert login(client, a.admin.email).status_code == 302
    problem(client.get("/api/v1/persons"), 401)


def test_role_wall_and_missing_scope_answer_403(client, two):
    a, _b = two
    organizer = api_token(a.organizer)
    assert problem(get(client, "/api/v1/persons", organizer), 403)["detail"] == (
        "This resource is not available to the token's role."
    )
    narrow = api_token(a.admin, scopes=["reference:read"])
    body = problem(get(client, "/api/v1/persons", narrow), 403)
    assert body["type"].endswith("/insufficient-scope")
    assert ids(get(client, "/api/v1/organizations", narrow)) == sorted(
        [a.school1.id, a.school2.id, a.school3.id, a.university.id, a.rcro.id, a.other_org.id]
    )


def test_admin_sees_the_tenant_and_nothing_of_another(client, two):
    a, b = two
    token = api_token(a.admin)
    assert ids(get(client, "/api/v1/persons", token)) == [a.p1.id, a.p2.id, a.p3.id]
    resp = get(client, f"/api/v1/persons/{a.p2.id}", token)
    assert resp.status_code == 200
    assert resp.get_json()["surname"] == "Вторая"
    assert resp.headers["ETag"] == f'"person-{a.p2.id}-v1"'
    problem(get(client, f"/api/v1/persons/{b.p1.id}", token), 404)
    problem(get(client, f"/api/v1/organizations/{b.school1.id}", token), 404)
    problem(get(client, f"/api/v1/events/{b.event.id}", token), 404)
    problem(get(client, f"/api/v1/editions/{b.edition.id}", token), 404)
    # the admin's reads are not audited (as on the pages)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(["person.view", "person.api_list"]))
        )
        == 0
    )


def test_coordinator_scope_and_audited_reads(client, two):
    a, _b = two
    token = api_token(a.coord1)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert ids(get(client, "/api/v1/persons", token)) == [a.p1.id, a.p3.id]
    problem(get(client, f"/api/v1/persons/{a.p2.id}", token), 404)
    assert get(client, f"/api/v1/persons/{a.p1.id}", token).status_code == 200
    assert ids(get(client, "/api/v1/municipalities", token)) == [a.first.id]
    problem(get(client, f"/api/v1/organizations/{a.school2.id}", token), 404)
    rows = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.object_id, AuditEntry.role, AuditEntry.details)
        .where(AuditEntry.action.in_(["person.view", "person.api_list"]))
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        (
            "person.api_list",
            None,
            "coordinator",
            {"person_ids": [a.p1.id, a.p3.id], "api_token_id": token_id},
        ),
        ("person.view", a.p1.id, "coordinator", {"api_token_id": token_id}),
    ]


def test_filters_and_cursor_pages(client, two):
    a, _b = two
    token = api_token(a.admin)
    seen, url = [], "/api/v1/persons?limit=2"
    for _ in range(3):
        body = get(client, url, token).get_json()
        seen += [p["id"] for p in body["items"]]
        if body["next_cursor"] is None:
            break
        url = f"/api/v1/persons?limit=2&cursor={body['next_cursor']}"
    assert seen == [a.p1.id, a.p2.id, a.p3.id]
    assert ids(get(client, "/api/v1/persons?status=resident_school", token)) == [a.p1.id]
    assert ids(get(client, "/api/v1/persons?q=ВТОРАЯ", token)) == [a.p2.id]
    body = problem(get(client, "/api/v1/persons?cursor=!!", token), 400)
    assert body["errors"] == [{"field": "cursor", "detail": "not a cursor"}]
    body = problem(get(client, "/api/v1/persons?limit=0&status=nope", token), 400)
    assert sorted(e["field"] for e in body["errors"]) == ["limit", "status"]


def test_organizer_sees_own_events_and_editions(client, two):
    a, b = two
    token = api_token(a.organizer)
    assert ids(get(client, "/api/v1/events", token)) == [a.event.id, a.satellite.id]
    assert ids(get(client, "/api/v1/editions?year=2019", token)) == [
        a.edition.id,
        a.satellite_edition.id,
    ]
    assert ids(get(client, "/api/v1/organizations", token)) == [a.rcro.id]
    other = api_token(a.other_organizer)
    assert ids(get(client, "/api/v1/events", other)) == []
    problem(get(client, f"/api/v1/events/{a.event.id}", other), 404)


def test_certificates_in_scope_and_public_verification(client, two):
    a, _b = two
    cert = Certificate(
        tenant_id=a.tenant.id,
        kind=CertificateKind.RESIDENT,
        subject_id=a.p2.id,
        number="РЕЗ-2019-001",
        code="c0de-2",
        issued_on=date(2019, 5, 20),
    )
    db.session.add(cert)
    db.session.commit()
    assert ids(get(client, "/api/v1/certificates", api_token(a.admin))) == [cert.id]
    assert ids(get(client, "/api/v1/certificates", api_token(a.coord1))) == []
    assert ids(get(client, "/api/v1/certificates", api_token(a.coord2))) == [cert.id]
    resp = client.get("/api/v1/verify/c0de-2")
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["number"], body["kind"], body["is_valid"]) == ("РЕЗ-2019-001", "resident", False)
    assert [f["label"] for f in body["facts"]] == ["Статус владельца", "Инициалы владельца"]
    assert "Вторая" not in resp.get_data(as_text=True)
    problem(client.get("/api/v1/verify/nope"), 404)


def test_rate_limit_per_token_counted_in_the_database(app, client, two, monkeypatch):
    a, _b = two
    monkeypatch.setitem(app.config, "MKR_API_RATE_LIMIT", 3)
    token = api_token(a.admin)
    other = api_token(a.coord1)
    assert [get(client, "/api/v1/municipalities", token).status_code for _ in range(3)] == [200] * 3
    body = problem(resp := get(client, "/api/v1/municipalities", token), 429)
    assert 1 <= int(resp.headers["Retry-After"]) <= 61 and body["title"] == "Too many requests"
    assert get(client, "/api/v1/municipalities", other).status_code == 200
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.membership_id == a.membership(a.admin).id)
    )
    db.session.refresh(row)
    assert (row.window_count, row.last_used_at is not None) == (3, True)


def test_the_same_persons_as_the_coordinators_registry_page(app, client, two):
    a, _b = two
    page = app.test_client()
    assert login(page, a.coord1.email).status_code == 302
    html = page.get("/coordinator/people").get_data(as_text=True)
    on_page = sorted({int(i) for i in re.findall(r'href="/coordinator/people/(\d+)"', html)})
    through_api = ids(get(client, "/api/v1/persons", api_token(a.coord1)))
    assert on_page == through_api == [a.p1.id, a.p3.id]


def test_report_is_the_pages_json(app, client, two):
    a, _b = two
    page = app.test_client()
    assert login(page, a.admin.email).status_code == 302
    expected = page.get("/admin/report.json?year=2019&as_of=2019-12-31").get_json()
    resp = get(client, "/api/v1/report?year=2019&as_of=2019-12-31", api_token(a.admin))
    assert resp.status_code == 200 and resp.get_json() == expected
    assert expected["year"] == 2019
    problem(get(client, "/api/v1/report?year=1800", api_token(a.admin)), 400)


def test_openapi_document_and_its_page(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"] == "3.1.0"
    persons = doc["paths"]["/api/v1/persons/{person_id}"]["get"]
    assert persons["x-scope"] == "persons:read"
    assert set(persons["responses"]) == {"200", "401", "403", "404", "429"}
    assert doc["components"]["schemas"]["Person"]["properties"]["snils"]["type"] == [
        "string",
        "null",
    ]
    assert "/api/v1/editions/{edition_id}/protocol" in doc["paths"]
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'data-testid="op-submit_protocol"' in html
    assert not re.search(r'<script[^>]+src="https?://', html)
    problem(client.get("/api/v1/nothing-here"), 404)


@pytest.mark.parametrize(
    "role, page, link, api",
    [
        ("admin", "/admin/people", "/admin/people/", "/api/v1/persons"),
        ("admin", "/admin/events", "/admin/events/", "/api/v1/events"),
        ("organizer", "/organizer/events", "/organizer/events/", "/api/v1/events"),
        (
            "coordinator",
            "/coordinator/admission/?state=all",
            "/coordinator/admission/candidates/",
            "/api/v1/candidates",
        ),
    ],
)
def test_the_same_objects_through_the_api_and_the_pages(app, client, two, role, page, link, api):
    a, _b = two
    from mkr_web.operations import admission as ops
    from tests.factories import row

    ops.create_batch(
        a.edition,
        [row(), row(surname="Иная", municipality="Второй район", organization="МБОУ «СОШ № 2»")],
        a.organizer,
    )
    db.session.commit()
    user = {"admin": a.admin, "organizer": a.organizer, "coordinator": a.coord1}[role]
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    html = browser.get(page).get_data(as_text=True)
    on_page = sorted({int(i) for i in re.findall(rf'href="{re.escape(link)}(\d+)"', html)})
    through_api = ids(get(client, api, api_token(user)))
    assert on_page == through_api and len(on_page) >= 1
