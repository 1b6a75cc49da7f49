"""Two-factor authentication (issue 13.3): enrolment with a QR code and recovery codes kept
as digests, the code asked after the password, rate-limited like the password, a tenant
requirement with a grace period, an admin's reset (audited)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Membership, PlatformAuditEntry, RecoveryCode, Tenant, User
from tests.support import PASSWORD, csrf_token, login, post_form, totp_now


def _logged_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _enrol(app, client) -> tuple[str, list[str]]:
    """Enrol through the pages; returns the secret and the recovery codes shown."""
    page = client.get("/account/2fa").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert b"<svg" in base64.b64decode(qr)
    resp = post_form(client, "/account/2fa", {"code": totp_now(secret)}, form_url="/account/2fa")
    html = resp.get_data(as_text=True)
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", html)
    return secret, codes


def _password_step(app, email, password=PASSWORD):
    client = app.test_client()
    resp = login(client, email, password)
    return client, resp


def _code_step(client, code):
    token = csrf_token(client, "/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": token})


def test_enrol_then_log_in_with_a_code(app, factory):
    user = factory.user(factory.tenant(), "coordinator")
    client = _logged_in(app, user.email)
    secret, codes = _enrol(app, client)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # digests only
    assert "Включена" in client.get("/account").get_data(as_text=True)

    # password alone is not enough
    other, resp = _password_step(app, user.email)
    assert resp.status_code == 302 and resp.headers["Location"] == "/login/code"
    assert other.get("/coordinator/").status_code == 302
    resp = _code_step(other, "000000" if totp_now(secret) != "000000" else "111111")
    assert resp.status_code == 200 and "Неверный код." in resp.get_data(as_text=True)
    resp = _code_step(other, totp_now(secret, offset_steps=1))
    assert resp.status_code == 302 and resp.headers["Location"] == "/coordinator/"
    assert other.get("/coordinator/").status_code == 200
    # a code is good once
    third, _ = _password_step(app, user.email)
    resp = _code_step(third, totp_now(secret, offset_steps=1))
    assert resp.status_code == 200


def test_recovery_code_works_once(app, factory):
    user = factory.user(factory.tenant(), "expert")
    _secret, codes = _enrol(app, _logged_in(app, user.email))
    client, _ = _password_step(app, user.email)
    resp = _code_step(client, codes[3].upper())
    assert resp.status_code == 302
    assert "Кодов восстановления осталось: 9" in client.get("/account").get_data(as_text=True)
    again, _ = _password_step(app, user.email)
    assert _code_step(again, codes[3]).status_code == 200
    actions = db.session.scalars(
        sa.select(PlatformAuditEntry.action)
        .where(PlatformAuditEntry.action.like("2fa.%"))
        .order_by(PlatformAuditEntry.id)
    ).all()
    assert actions == ["2fa.enable", "2fa.recovery_used", "2fa.failed"]


def test_wrong_enrolment_code_keeps_the_factor_off(app, factory):
    user = factory.user(factory.tenant(), "expert")
    client = _logged_in(app, user.email)
    client.get("/account/2fa")
    resp = post_form(client, "/account/2fa", {"code": "123456"}, form_url="/account/2fa")
    assert "Код не подошёл." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_enabled_at is None
    assert _password_step(app, user.email)[1].headers["Location"] == "/expert/"


def test_code_attempts_are_limited_like_passwords(app, factory):
    user = factory.user(factory.tenant(), "expert")
    secret, _codes = _enrol(app, _logged_in(app, user.email))
    client, _ = _password_step(app, user.email)
    wrong = "999999" if totp_now(secret) != "999999" else "888888"
    for _ in range(5):
        assert _code_step(client, wrong).status_code == 200
    resp = _code_step(client, totp_now(secret))
    assert resp.status_code == 429
    assert "Слишком много попыток входа." in resp.get_data(as_text=True)
    # a new password step does not reset the second factor's counter
    fresh, resp = _password_step(app, user.email)
    assert _code_step(fresh, totp_now(secret)).status_code == 429


def test_admin_resets_a_users_second_factor(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    user = factory.user(tenant, "coordinator")
    _enrol(app, _logged_in(app, user.email))
    member_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id))
    admin_client = _logged_in(app, admin.email)
    assert "включён" in admin_client.get(f"/admin/users/{member_id}").get_data(as_text=True)
    post_form(admin_client, f"/admin/users/{member_id}/reset-2fa", {}, f"/admin/users/{member_id}")
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert (fresh.totp_secret, fresh.totp_enabled_at) == (None, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert _password_step(app, user.email)[1].headers["Location"] == "/coordinator/"
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "2fa.reset")
    ).scalar_one()
    assert (entry.user_id, entry.tenant_id, entry.details) == (
        admin.id,
        tenant.id,
        {"member_id": user.id},
    )


def test_admin_of_another_tenant_cannot_reset(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    user = factory.user(tenant, "coordinator")
    _enrol(app, _logged_in(app, user.email))
    member_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id))
    intruder = _logged_in(app, factory.user(other, "admin").email)
    resp = post_form(intruder, f"/admin/users/{member_id}/reset-2fa", {}, "/admin/users")
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_enabled_at is not None


def _require(app, admin, grace_days):
    client = _logged_in(app, admin.email)
    return post_form(
        client,
        "/admin/settings/two-factor",
        {"required": "y", "grace_days": str(grace_days)},
        form_url="/admin/settings",
    )


def test_tenant_requirement_with_grace_period(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    coordinator = factory.user(tenant, "coordinator")
    expert = factory.user(tenant, "expert")
    resp = _require(app, admin, 14)
    assert resp.headers["Location"] == "/admin/settings"
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).settings["two_factor"]["required"] is True
    # within the grace period: logged in, told the date
    client, resp = _password_step(app, coordinator.email)
    assert resp.headers["Location"] == "/coordinator/"
    assert "Проект требует её для вашей роли" in client.get("/account").get_data(as_text=True)
    # after it (the membership is 15 days old and the requirement began before that)
    for m in db.session.scalars(sa.select(Membership)):
        m.created_at = m.created_at - timedelta(days=15)
    t = db.session.get(Tenant, tenant.id)
    t.settings = {**t.settings, "two_factor": {**t.settings["two_factor"], "since": "2020-01-01"}}
    db.session.commit()
    client, resp = _password_step(app, coordinator.email)
    assert resp.headers["Location"] == "/account/2fa"
    blocked = client.get("/coordinator/")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/account/2fa"
    secret = re.search(
        r'data-testid="totp-secret">([A-Z2-7]+)<', client.get("/account/2fa").get_data(as_text=True)
    ).group(1)
    post_form(client, "/account/2fa", {"code": pyotp.TOTP(secret).now()}, "/account/2fa")
    assert client.get("/coordinator/").status_code == 200
    # the expert does not read personal data: never required
    assert _password_step(app, expert.email)[1].headers["Location"] == "/expert/"
    # a required factor cannot be switched off by its user
    resp = post_form(client, "/account/2fa/disable", {"password": PASSWORD})
    assert resp.headers["Location"] == "/account"
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_enabled_at is not None
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "tenant.two_factor.update")
    ).all()
    assert actions == ["tenant.two_factor.update"]


def test_user_disables_own_factor_with_password(app, factory):
    user = factory.user(factory.tenant(), "expert")
    client = _logged_in(app, user.email)
    _enrol(app, client)
    resp = post_form(client, "/account/2fa/disable", {"password": "wrong-password"})
    assert "Пароль указан неверно." in resp.get_data(as_text=True)
    post_form(client, "/account/2fa/disable", {"password": PASSWORD})
    assert _password_step(app, user.email)[1].headers["Location"] == "/expert/"
