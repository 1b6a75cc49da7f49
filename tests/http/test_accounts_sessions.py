"""Sessions end when they should (issue 9.5, issue 13.4): a cookie saved before logout, a
password change, a role removal or a deactivation, replayed afterwards, gets the login page.
Idle and absolute lifetimes; the list of one's sessions and "log out everywhere"."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Membership, PlatformAuditEntry, UserSession
from tests.support import PASSWORD, login, post_form, replay, saved_cookie

NEW_PASSWORD = "Оранжевый-закат-над-Томью"


def _logged_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _is_login_page(resp) -> bool:
    return resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_cookie_dies_at_logout(app, factory):
    user = factory.user(factory.tenant(), "coordinator")
    client = _logged_in(app, user.email)
    cookie = saved_cookie(client)
    assert replay(app, cookie, "/coordinator/").status_code == 200
    post_form(client, "/logout", {}, form_url="/coordinator/")
    resp = replay(app, cookie, "/coordinator/")
    assert _is_login_page(resp)
    assert resp.headers["Location"] == "/login?next=/coordinator/"
    ended = db.session.scalars(sa.select(UserSession.end_reason)).all()
    assert ended == ["logout"]


def test_cookie_dies_at_password_change_but_this_browser_stays(app, factory):
    user = factory.user(factory.tenant(), "admin")
    other_browser = _logged_in(app, user.email)
    client = _logged_in(app, user.email)
    saved = saved_cookie(client)
    resp = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    assert _is_login_page(replay(app, saved, "/account"))
    assert _is_login_page(other_browser.get("/account"))
    assert client.get("/account").status_code == 200  # a new session for the asking browser
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200  # old one refused
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    entry = db.session.execute(
        sa.select(PlatformAuditEntry).where(PlatformAuditEntry.action == "auth.password.change")
    ).scalar_one()
    assert entry.user_id == user.id and entry.ip == "127.0.0.1"
    assert entry.details == {"sessions_ended": 2}
    assert NEW_PASSWORD not in str(entry.details)


def test_password_change_refuses_wrong_current_and_weak_new(app, factory):
    user = factory.user(factory.tenant(), "admin")
    client = _logged_in(app, user.email)
    resp = post_form(
        client,
        "/account/password",
        {"current": "not-my-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Текущий пароль указан неверно." in resp.get_data(as_text=True)
    resp = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "qwertyuiop123", "confirm": "qwertyuiop123"},
    )
    assert "Этот пароль слишком распространён" in resp.get_data(as_text=True)
    resp = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "short1", "confirm": "short1"},
    )
    assert "Пароль должен быть не короче 12 символов." in resp.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # nothing ended


def test_cookie_dies_when_a_role_is_removed(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    coordinator = factory.user(tenant, "coordinator")
    member_id = db.session.scalar(
        sa.select(Membership.id).where(Membership.user_id == coordinator.id)
    )
    victim = _logged_in(app, coordinator.email)
    cookie = saved_cookie(victim)
    assert replay(app, cookie, "/account").status_code == 200
    admin_client = _logged_in(app, admin.email)
    resp = post_form(
        admin_client, f"/admin/users/{member_id}/remove", {}, form_url=f"/admin/users/{member_id}"
    )
    assert resp.headers["Location"] == "/admin/users"
    assert _is_login_page(replay(app, cookie, "/account"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "membership.delete")
    ).scalar_one()
    assert (entry.user_id, entry.tenant_id, entry.details) == (
        admin.id,
        tenant.id,
        {"role": "coordinator", "member_id": coordinator.id},
    )


def test_admin_cannot_remove_own_admin_role(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    member_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == admin.id))
    client = _logged_in(app, admin.email)
    post_form(client, f"/admin/users/{member_id}/remove", {}, form_url="/admin/users")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_cookie_dies_when_the_account_is_disabled(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    expert = factory.user(tenant, "expert")
    member_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == expert.id))
    cookie = saved_cookie(_logged_in(app, expert.email))
    admin_client = _logged_in(app, admin.email)
    post_form(
        admin_client,
        f"/admin/users/{member_id}/active",
        {"active": "0"},
        form_url=f"/admin/users/{member_id}",
    )
    assert _is_login_page(replay(app, cookie, "/expert/"))
    assert login(app.test_client(), expert.email).status_code == 200  # cannot log in either
    post_form(
        admin_client,
        f"/admin/users/{member_id}/active",
        {"active": "1"},
        form_url=f"/admin/users/{member_id}",
    )
    assert login(app.test_client(), expert.email).status_code == 302
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("user.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["user.deactivate", "user.activate"]


def test_tenant_admin_cannot_disable_an_account_of_another_tenant_too(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    admin = factory.user(tenant, "admin")
    shared = factory.user(tenant, "expert")
    from mkr_web.operations.tenancy import grant_role
    from workflows.roles import Role

    grant_role(shared, other, Role.EXPERT)
    db.session.commit()
    member_id = db.session.scalar(
        sa.select(Membership.id).where(
            Membership.user_id == shared.id, Membership.tenant_id == tenant.id
        )
    )
    client = _logged_in(app, admin.email)
    resp = post_form(client, f"/admin/users/{member_id}/active", {"active": "0"})
    assert resp.status_code == 302
    assert login(app.test_client(), shared.email).status_code == 302  # still active


def test_idle_and_absolute_lifetimes(app, factory):
    user = factory.user(factory.tenant(), "expert")
    client = _logged_in(app, user.email)
    cookie = saved_cookie(client)
    row = db.session.execute(sa.select(UserSession)).scalar_one()
    # idle: 120 minutes by default
    row.last_seen_at = row.last_seen_at - timedelta(minutes=119)
    db.session.commit()
    assert replay(app, cookie, "/expert/").status_code == 200
    row.last_seen_at = row.last_seen_at - timedelta(minutes=122)
    db.session.commit()
    assert _is_login_page(replay(app, cookie, "/expert/"))
    db.session.refresh(row)
    assert row.end_reason == "idle"
    # absolute: 12 hours after login, however busy
    client = _logged_in(app, user.email)
    cookie = saved_cookie(client)
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.ended_at.is_(None))
    ).scalar_one()
    row.created_at = row.created_at - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert _is_login_page(replay(app, cookie, "/expert/"))
    db.session.refresh(row)
    assert row.end_reason == "expired"


def test_session_list_and_log_out_everywhere(app, factory):
    user = factory.user(factory.tenant(), "expert")
    phone = _logged_in(app, user.email)
    laptop = _logged_in(app, user.email)
    page = laptop.get("/account").get_data(as_text=True)
    table = page.split('data-testid="sessions"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # header + two sessions
    assert table.count(">этот<") == 1
    resp = post_form(laptop, "/account/sessions/end-all", {}, form_url="/account")
    assert resp.headers["Location"] == "/login"
    assert _is_login_page(phone.get("/expert/"))
    assert _is_login_page(laptop.get("/expert/"))
    assert db.session.scalars(sa.select(UserSession.end_reason)).all() == [
        "logout_all",
        "logout_all",
    ]


def test_end_one_other_session(app, factory):
    user = factory.user(factory.tenant(), "expert")
    phone = _logged_in(app, user.email)
    laptop = _logged_in(app, user.email)
    phone_row = (
        db.session.execute(sa.select(UserSession).order_by(UserSession.id)).scalars().first()
    )
    post_form(laptop, f"/account/sessions/{phone_row.id}/end", {}, form_url="/account")
    assert _is_login_page(phone.get("/expert/"))
    assert laptop.get("/expert/").status_code == 200


def test_another_users_session_cannot_be_ended(app, factory):
    tenant = factory.tenant()
    victim = factory.user(tenant, "expert")
    attacker = factory.user(tenant, "expert")
    victim_client = _logged_in(app, victim.email)
    row = db.session.execute(sa.select(UserSession)).scalar_one()
    attacker_client = _logged_in(app, attacker.email)
    resp = post_form(attacker_client, f"/account/sessions/{row.id}/end", {}, form_url="/account")
    assert resp.status_code == 404
    assert victim_client.get("/expert/").status_code == 200


def test_logins_and_failures_are_audited_with_address(app, factory):
    user = factory.user(factory.tenant(), "expert")
    login(app.test_client(), user.email, "wrong-password-1")
    login(app.test_client(), "nobody@example.test", "wrong-password-2")
    login(app.test_client(), user.email)
    rows = db.session.execute(
        sa.select(
            PlatformAuditEntry.action,
            PlatformAuditEntry.user_id,
            PlatformAuditEntry.ip,
            PlatformAuditEntry.details,
        )
        .where(PlatformAuditEntry.action.like("auth.%"))
        .order_by(PlatformAuditEntry.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("auth.login.failed", user.id, "127.0.0.1", {"reason": "password"}),
        ("auth.login.failed", None, "127.0.0.1", {"reason": "password"}),
        ("auth.login", user.id, "127.0.0.1", {"method": "password"}),
    ]
    dump = str([tuple(r) for r in rows])
    assert "wrong-password" not in dump and "nobody@" not in dump


# --- the same four over real HTTP: gunicorn with two workers, cookies replayed by requests --


def test_saved_cookies_replayed_over_real_http(app, factory):
    import requests

    from tests.support import FORM_TOKEN_RE, gunicorn, http_login

    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    users = {name: factory.user(tenant, "coordinator") for name in ("a", "b", "c", "d")}
    member = {
        name: db.session.scalar(sa.select(Membership.id).where(Membership.user_id == u.id))
        for name, u in users.items()
    }

    def form_post(session, base, url, data, form_url):
        token = FORM_TOKEN_RE.search(session.get(base + form_url, timeout=10).text).group(1)
        return session.post(
            base + url, data={**data, "csrf_token": token}, allow_redirects=False, timeout=10
        )

    def replayed(base, cookie):
        resp = requests.get(
            base + "/coordinator/people",
            cookies={"session": cookie},
            allow_redirects=False,
            timeout=10,
        )
        return resp.status_code, resp.headers.get("Location")

    with gunicorn({"MKR_LOGIN_DELAY_SECONDS": "0"}) as (base, _log):
        admin_s, _ = http_login(base, admin.email, PASSWORD)
        saved = {}
        for name, u in users.items():
            s, resp = http_login(base, u.email, PASSWORD)
            assert resp.status_code == 302
            saved[name] = (s, s.cookies["session"])
            assert replayed(base, saved[name][1]) == (200, None)
        gone = (302, "/login?next=/coordinator/people")
        # a: logout
        s, cookie = saved["a"]
        form_post(s, base, "/logout", {}, "/coordinator/")
        assert replayed(base, cookie) == gone
        # b: password change
        s, cookie = saved["b"]
        resp = form_post(
            s,
            base,
            "/account/password",
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "/account/password",
        )
        assert resp.status_code == 302
        assert replayed(base, cookie) == gone
        # c: role removed by the admin
        mid = member["c"]
        form_post(admin_s, base, f"/admin/users/{mid}/remove", {}, f"/admin/users/{mid}")
        assert replayed(base, saved["c"][1]) == gone
        # d: account disabled by the admin
        mid = member["d"]
        form_post(admin_s, base, f"/admin/users/{mid}/active", {"active": "0"}, "/admin/users")
        assert replayed(base, saved["d"][1]) == gone


def test_tenant_admin_sees_members_logins_in_the_audit_log(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    admin = factory.user(tenant, "admin")
    member = factory.user(tenant, "expert")
    stranger = factory.user(other, "expert")
    login(app.test_client(), member.email, "wrong-password-x")
    login(app.test_client(), member.email)
    login(app.test_client(), stranger.email)
    client = _logged_in(app, admin.email)
    page = client.get("/admin/audit?action=auth.").get_data(as_text=True)
    rows = re.findall(r'<tr data-action="([^"]+)">(.*?)</tr>', page, re.S)
    # the technical record (one click away for the admin) names the account
    rows = [(a, re.search(r"[\w.+-]+@[\w.-]+", row)) for a, row in rows]
    rows = [(a, found.group(0) if found else "") for a, found in rows]
    actions = [(a, who) for a, who in rows]
    assert ("auth.login", member.email) in actions
    assert ("auth.login.failed", member.email) in actions
    assert all(who != stranger.email for _a, who in actions)
    assert "127.0.0.1" in page
