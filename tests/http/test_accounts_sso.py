"""Single sign-on through a tenant's OpenID Connect provider (issue 13.5), against a REAL
provider (npm ``oidc-provider``) started on 127.0.0.1 by the ``oidc_provider`` fixture:
success, wrong state, wrong nonce, expired token, unknown user refused (or created without a
role when the tenant says so), a user with a role in another tenant only."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, PlatformAuditEntry, TenantSSO, User, UserSession
from mkr_web.operations.tenancy import grant_role
from tests.factories import tenant_sso
from tests.oidc.provider import callback_path, query
from tests.support import csrf_token, login, post_form
from workflows.roles import Role

REDIRECT_URI = "http://127.0.0.1:5000/sso/callback"  # MKR_BASE_URL of the test app


@pytest.fixture
def sso(factory, oidc_provider):
    """A tenant whose provider is the test provider, with a freshly registered client."""
    tenant = factory.tenant(slug="tomsk-sso")
    client_id, secret = oidc_provider.register(REDIRECT_URI)
    return tenant, tenant_sso(tenant, oidc_provider, client_id, secret)


def _start(app, slug="tomsk-sso"):
    client = app.test_client()
    token = csrf_token(client, "/login")
    resp = client.post(f"/sso/{slug}/start", data={"csrf_token": token})
    assert resp.status_code == 302
    return client, resp.headers["Location"]


def _sso_login(app, provider, email, *, tamper_auth=None, tamper_callback=None):
    client, auth_url = _start(app)
    assert auth_url.startswith(provider.issuer + "/auth?")
    if tamper_auth:
        auth_url = tamper_auth(auth_url)
    back = provider.sign_in(auth_url, email)
    assert back.startswith(REDIRECT_URI + "?")
    path = callback_path(back)
    if tamper_callback:
        path = tamper_callback(path)
    return client, client.get(path)


def _refused(client, resp, message):
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert message in page
    assert client.get("/account").status_code == 302  # not logged in


def _failure_reasons():
    return db.session.scalars(
        sa.select(AuditEntry.details)
        .where(AuditEntry.action == "auth.login.failed")
        .order_by(AuditEntry.id)
    ).all()


def _with(url, **params):
    parts = urlsplit(url)
    q = query(url)
    q.update(params)
    return parts._replace(query=urlencode(q)).geturl()


def test_login_page_offers_the_provider(app, sso, oidc_provider):
    resp = app.test_client().get("/login")
    assert "Войти через Томский ID" in resp.get_data(as_text=True)
    # the button's form is redirected to the provider: its origin is an allowed form action
    assert f"form-action 'self' {oidc_provider.issuer};" in resp.headers["Content-Security-Policy"]


def test_issuer_that_could_break_the_csp_is_refused(app, factory):
    tenant = factory.tenant()
    client = app.test_client()
    login(client, factory.user(tenant, "admin").email)
    data = {"label": "X", "client_id": "c", "client_secret": "s", "email_claim": "email"}
    resp = post_form(client, "/admin/sso", {**data, "issuer": "https://a.example; script-src *"})
    assert "Издатель (issuer): адрес вида" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TenantSSO)) == 0


def test_success(app, sso, oidc_provider, factory):
    tenant, _conf = sso
    user = factory.user(tenant, "coordinator", email="coord@example.org")
    client, resp = _sso_login(app, oidc_provider, "Coord@Example.org")
    assert resp.status_code == 302 and resp.headers["Location"] == "/coordinator/"
    assert client.get("/coordinator/").status_code == 200
    row = db.session.execute(sa.select(UserSession)).scalar_one()
    assert (row.user_id, row.method) == (user.id, "sso")
    entry = db.session.execute(
        sa.select(PlatformAuditEntry).where(PlatformAuditEntry.action == "auth.login")
    ).scalar_one()
    assert (entry.user_id, entry.details, entry.ip) == (user.id, {"method": "sso"}, "127.0.0.1")
    # the authorization request used PKCE, state and nonce
    _c, auth_url = _start(app)
    q = query(auth_url)
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert len(q["state"]) >= 20 and len(q["nonce"]) >= 20 and q["redirect_uri"] == REDIRECT_URI


@pytest.mark.parametrize(
    ("tamper", "message", "reason"),
    [
        (
            {"tamper_callback": lambda path: _with(path, state="forged-state-value")},
            "Ответ сервера входа не относится к этому входу.",
            "state",
        ),
        (
            {"tamper_auth": lambda url: _with(url, nonce="nonce-of-another-login-attempt")},
            "ID-токен выдан для другого входа (nonce).",
            "nonce",
        ),
    ],
    ids=["wrong-state", "wrong-nonce"],
)
def test_wrong_state_or_nonce_is_refused(app, sso, oidc_provider, factory, tamper, message, reason):
    tenant, _conf = sso
    factory.user(tenant, "coordinator", email="coord@example.org")
    client, resp = _sso_login(app, oidc_provider, "coord@example.org", **tamper)
    _refused(client, resp, message)
    assert _failure_reasons() == [{"method": "sso", "reason": reason}]


def test_callback_without_a_started_login_is_refused(app, sso):
    client = app.test_client()
    resp = client.get("/sso/callback?code=abc&state=xyz")
    assert resp.headers["Location"] == "/login"
    assert "не начат или устарел" in client.get("/login").get_data(as_text=True)


def test_expired_token_is_refused(app, sso, oidc_provider, factory):
    tenant, _conf = sso
    factory.user(tenant, "coordinator", email="coord@example.org")
    oidc_provider.set_clock(-7200)  # the provider's clock is two hours behind: exp has passed
    try:
        client, resp = _sso_login(app, oidc_provider, "coord@example.org")
    finally:
        oidc_provider.set_clock(0)
    _refused(client, resp, "Срок действия ID-токена истёк.")
    assert _failure_reasons() == [{"method": "sso", "reason": "expired"}]


def test_unknown_user_is_refused_by_default(app, sso, oidc_provider):
    client, resp = _sso_login(app, oidc_provider, "stranger@example.org")
    _refused(client, resp, "Учётной записи с этим адресом нет.")
    assert _failure_reasons() == [{"method": "sso", "reason": "unknown_user"}]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_unknown_user_created_without_a_role_when_allowed(app, sso, oidc_provider):
    _tenant, conf = sso
    conf.create_unknown = True
    db.session.commit()
    client, resp = _sso_login(app, oidc_provider, "newcomer@example.org")
    assert resp.headers["Location"] == "/no-role"
    user = db.session.execute(sa.select(User)).scalar_one()
    assert (user.email, user.memberships, user.has_password) == ("newcomer@example.org", [], False)
    assert client.get("/admin/").status_code == 403


def test_user_with_a_role_in_another_tenant_only_is_refused(app, sso, oidc_provider, factory):
    other = factory.tenant()
    factory.user(other, "admin", email="other-admin@example.org")
    client, resp = _sso_login(app, oidc_provider, "other-admin@example.org")
    _refused(client, resp, "У вас нет роли в этом проекте.")
    assert _failure_reasons() == [{"method": "sso", "reason": "no_role_in_tenant"}]


def test_sso_session_acts_in_its_tenant_only(app, sso, oidc_provider, factory):
    tenant, _conf = sso
    other = factory.tenant()
    user = factory.user(other, "admin", email="both@example.org")
    grant_role(user, tenant, Role.EXPERT)
    db.session.commit()
    client, resp = _sso_login(app, oidc_provider, "both@example.org")
    assert resp.headers["Location"] == "/expert/"
    assert client.get("/admin/").status_code == 403  # the other tenant's admin role is not here
    other_key = str(user.memberships[0].id)
    post_form(client, "/context", {"context": other_key}, form_url="/expert/")
    assert client.get("/admin/").status_code == 403


def test_custom_email_claim(app, sso, oidc_provider, factory):
    tenant, conf = sso
    conf.email_claim = "upn"
    db.session.commit()
    factory.user(tenant, "expert", email="upn-user@example.org")
    _client, resp = _sso_login(app, oidc_provider, "upn-user@example.org")
    assert resp.headers["Location"] == "/expert/"


def test_admin_configures_the_provider_secret_never_shown(app, factory, oidc_provider):
    tenant = factory.tenant(slug="novo")
    admin = factory.user(tenant, "admin")
    client = app.test_client()
    login(client, admin.email)
    page = client.get("/admin/sso").get_data(as_text=True)
    assert REDIRECT_URI in page
    data = {
        "label": "Новосибирский ID",
        "issuer": oidc_provider.issuer + "/",
        "client_id": "mkr-client",
        "client_secret": "s3cr3t-value-for-the-client",
        "email_claim": "email",
        "is_enabled": "y",
    }
    resp = post_form(client, "/admin/sso", data)
    assert resp.status_code == 302
    page = client.get("/admin/sso").get_data(as_text=True)
    assert "s3cr3t-value-for-the-client" not in page
    assert "Секрет сохранён и не показывается." in page
    # saving again with an empty secret keeps it
    post_form(client, "/admin/sso", {**data, "client_secret": "", "label": "НСО ID"})
    conf = db.session.execute(sa.select(TenantSSO)).scalar_one()
    assert (conf.label, conf.issuer, conf.client_secret) == (
        "НСО ID",
        oidc_provider.issuer,
        "s3cr3t-value-for-the-client",
    )
    audit = db.session.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "tenant.sso.update")
    ).all()
    assert len(audit) == 2 and "s3cr3t" not in str(audit)
    assert "Войти через НСО ID" in app.test_client().get("/login").get_data(as_text=True)


def test_non_https_issuer_refused(app, factory):
    tenant = factory.tenant()
    client = app.test_client()
    login(client, factory.user(tenant, "admin").email)
    resp = post_form(
        client,
        "/admin/sso",
        {
            "label": "X",
            "issuer": "http://id.example.org",
            "client_id": "c",
            "client_secret": "s",
            "email_claim": "email",
        },
    )
    assert "Издатель (issuer) должен работать по https." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TenantSSO)) == 0
