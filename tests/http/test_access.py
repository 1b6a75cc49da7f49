"""Access control through real HTTP requests: declared policies, role matrix, tenants."""

import pytest

from mkr_web.access import POLICY_ATTR, PUBLIC, undeclared_endpoints
from tests.support import login

# One page per role; each must be reachable by its role only.
ROLE_PAGES = {
    "admin": [
        "/admin/",
        "/admin/reference",
        "/admin/users",
        "/admin/audit",
        "/admin/health",
        "/admin/sso",
    ],
    "coordinator": ["/coordinator/"],
    "organizer": ["/organizer/"],
    "expert": ["/expert/"],
    "platform-admin": ["/platform/", "/platform/outbox"],
}


def test_every_endpoint_declares_a_policy(app):
    assert undeclared_endpoints(app) == []


def test_undeclared_endpoint_is_refused(app):
    """The runtime guard fails closed: an endpoint without a policy answers 403."""
    from flask import Flask

    from mkr_web.access import init_access

    bare = Flask("bare")
    bare.add_url_rule("/x", "x", lambda: "secret")
    init_access(bare)
    assert undeclared_endpoints(bare) == ["x"]
    assert bare.test_client().get("/x").status_code == 403


def test_public_endpoints_are_few(app):
    public = sorted(
        e
        for e, v in app.view_functions.items()
        if getattr(v, POLICY_ATTR) == PUBLIC and not e.endswith("static")
    )
    assert public == [
        "api.docs",
        "api.openapi",
        "api.verify",
        "auth.forgot_password",
        "auth.index",
        "auth.invitation",
        "auth.language",
        "auth.login",
        "auth.login_code",
        "auth.reset_password",
        "auth.sso_callback",
        "auth.sso_start",
        "public.catalogue",
        "public.catalogue_ics",
        "public.favicon",
        "public.healthz",
        "public.verify",
    ]


@pytest.fixture
def users(factory):
    tenant = factory.tenant()
    return {
        "admin": factory.user(tenant, "admin"),
        "coordinator": factory.user(tenant, "coordinator"),
        "organizer": factory.user(tenant, "organizer"),
        "expert": factory.user(tenant, "expert"),
        "platform-admin": factory.user(platform_admin=True),
    }


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_role_matrix(app, users, role):
    client = app.test_client()
    assert login(client, users[role].email).status_code == 302
    for page_role, urls in ROLE_PAGES.items():
        for url in urls:
            status = client.get(url).status_code
            expected = 200 if page_role == role else 403
            assert status == expected, (role, url, status)


def test_anonymous_is_sent_to_login(client):
    for urls in ROLE_PAGES.values():
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 302
            assert resp.headers["Location"].startswith("/login")


def test_other_tenant_objects_are_404(app, factory):
    a = factory.tenant("region-a")
    b = factory.tenant("region-b")
    admin_a = factory.user(a, "admin")
    coord_a = factory.user(a, "coordinator", municipalities=["Первый район"])
    org_b = factory.organization(b, "Первый район")
    muni_b = factory.municipality(b, "Первый район")
    member_b = factory.user(b, "expert").memberships[0]
    own_org = factory.organization(a, "Первый район")
    other_muni_org = factory.organization(a, "Второй район")

    client = app.test_client()
    login(client, admin_a.email)
    assert client.get(f"/admin/organizations/{own_org.id}").status_code == 200
    for url in (
        f"/admin/organizations/{org_b.id}",
        f"/admin/municipalities/{muni_b.id}",
        f"/admin/users/{member_b.id}",
    ):
        assert client.get(url).status_code == 404, url

    client = app.test_client()
    login(client, coord_a.email)
    assert client.get(f"/coordinator/organizations/{own_org.id}").status_code == 200
    # another municipality of the same tenant, and another tenant: both 404
    assert client.get(f"/coordinator/organizations/{other_muni_org.id}").status_code == 404
    assert client.get(f"/coordinator/organizations/{org_b.id}").status_code == 404


def test_user_with_several_roles_switches(app, factory):
    from tests.support import post_form

    tenant = factory.tenant()
    user = factory.user(tenant, "admin")
    from mkr_web.extensions import db
    from mkr_web.operations.tenancy import grant_role
    from workflows.roles import Role

    expert_m, _ = grant_role(user, tenant, Role.EXPERT)
    db.session.commit()
    client = app.test_client()
    resp = login(client, user.email)
    assert resp.headers["Location"] == "/admin/"
    assert client.get("/expert/").status_code == 403
    resp = post_form(client, "/context", {"context": str(expert_m.id)}, form_url="/admin/")
    assert resp.headers["Location"] == "/expert/"
    assert client.get("/expert/").status_code == 200
    assert client.get("/admin/").status_code == 403
    # a context the user does not hold is refused
    resp = post_form(client, "/context", {"context": "platform"}, form_url="/expert/")
    assert client.get("/expert/").status_code == 200
