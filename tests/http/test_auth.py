"""Login, logout, CSRF, attempt limits, security headers and cookies."""

from tests.support import PASSWORD, csrf_token, login, post_form

GENERIC = "Неверная электронная почта или пароль."


def test_login_lands_on_role_dashboard(app, factory):
    tenant = factory.tenant()
    user = factory.user(tenant, "coordinator", email="Coord@Example.test")
    client = app.test_client()
    resp = login(client, "  coord@example.TEST ", PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/coordinator/"
    assert client.get("/").headers["Location"] == "/coordinator/"
    assert user.email == "coord@example.test"


def test_bad_credentials_give_one_generic_message(app, factory):
    tenant = factory.tenant()
    user = factory.user(tenant, "admin")
    for email, password in ((user.email, "wrong-password"), ("nobody@example.test", PASSWORD)):
        client = app.test_client()
        resp = login(client, email, password)
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        assert GENERIC in html
        assert "nobody@example.test" not in html.split("</form>")[-1]


def test_login_requires_csrf(app, factory):
    user = factory.user(factory.tenant(), "admin")
    client = app.test_client()
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/admin/").status_code == 302  # still anonymous


def test_open_redirect_refused(app, factory):
    user = factory.user(factory.tenant(), "admin")
    client = app.test_client()
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert resp.headers["Location"] == "/admin/"


def test_attempts_limited_per_account(app, factory):
    user = factory.user(factory.tenant(), "admin")
    for i in range(5):  # limit: 5 failed attempts per account per 15 minutes (test config)
        client = app.test_client()
        assert login(client, user.email, f"wrong-{i}").status_code == 200
    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 429
    # another account from the same address is not blocked
    other = factory.user(factory.tenant(), "admin")
    assert login(app.test_client(), other.email, PASSWORD).status_code == 302


def test_attempts_limited_per_address(app, factory):
    tenant = factory.tenant()
    for i in range(50):  # 50 failed attempts per address (test config), different accounts
        client = app.test_client()
        assert login(client, f"ghost{i}@example.test", "x").status_code == 200
    user = factory.user(tenant, "admin")
    assert login(app.test_client(), user.email, PASSWORD).status_code == 429


def test_successful_logins_do_not_count(app, factory):
    user = factory.user(factory.tenant(), "admin")
    for _ in range(7):
        client = app.test_client()
        assert login(client, user.email).status_code == 302


def test_logout(app, factory):
    user = factory.user(factory.tenant(), "expert")
    client = app.test_client()
    login(client, user.email)
    assert client.get("/expert/").status_code == 200
    resp = post_form(client, "/logout", {}, form_url="/expert/")
    assert resp.headers["Location"] == "/login"
    assert client.get("/expert/").status_code == 302


def test_security_headers_and_cookies(app, factory):
    user = factory.user(factory.tenant(), "admin")
    client = app.test_client()
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    resp = login(client, user.email)
    cookies = [v for k, v in resp.headers.items() if k == "Set-Cookie"]
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP in tests; MKR_HTTPS=1 turns it on


def test_secure_cookies_behind_https(factory):
    import os

    from mkr_web import create_app

    os.environ["MKR_HTTPS"] = "1"
    os.environ["MKR_BASE_URL"] = "https://localhost"
    try:
        https_app = create_app({"TESTING": True})
    finally:
        del os.environ["MKR_HTTPS"], os.environ["MKR_BASE_URL"]
    user = factory.user(factory.tenant(), "admin")
    client = https_app.test_client()
    token = csrf_token(client, "https://localhost/login")
    resp = client.post(
        "https://localhost/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    cookie = next(
        v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session=")
    )
    assert "Secure" in cookie
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
