"""Password reset by e-mail (issue 13.2): a single-use expiring link; the same answer (and
the same timing within noise) whether the address exists or not; the reset ends every
session of the user; the password rules."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AccountNotification, Notification, PasswordReset, PlatformAuditEntry
from tests.support import (
    PASSWORD,
    account_mails,
    csrf_token,
    last_link_path,
    login,
    post_form,
    replay,
    saved_cookie,
)

NEW_PASSWORD = "Берёзовый-сок-весной"


def _ask(app, email):
    client = app.test_client()
    return post_form(client, "/password/forgot", {"email": email})


def _body(resp) -> str:
    html = resp.get_data(as_text=True)
    return html.split('<main id="main"')[1].split("</main>")[0]


def test_same_answer_for_known_and_unknown_addresses(app, factory):
    user = factory.user(factory.tenant(), "admin")
    known, unknown = _ask(app, user.email), _ask(app, "nobody@example.test")
    assert known.status_code == unknown.status_code == 200
    assert _body(known) == _body(unknown)
    assert "Если этот адрес зарегистрирован" in _body(known)
    assert len(account_mails(user.email)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountNotification)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_reset_sets_the_password_and_ends_every_session(app, factory):
    user = factory.user(factory.tenant(), "expert")
    browser = app.test_client()
    login(browser, user.email)
    cookie = saved_cookie(browser)
    _ask(app, user.email)
    mail = account_mails(user.email)[0]
    assert mail.subject == "Восстановление пароля в МКР"
    assert mail.link.startswith("http://127.0.0.1:5000/password/reset/")
    path = last_link_path(user.email)
    client = app.test_client()
    assert client.get(path).status_code == 200
    resp = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    # every session ended, the old password is gone, the new one works
    gone = replay(app, cookie, "/expert/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    # single use
    again = app.test_client().get(path)
    assert again.status_code == 410 and "Ссылка уже использована." in again.get_data(as_text=True)
    actions = db.session.execute(
        sa.select(PlatformAuditEntry.action, PlatformAuditEntry.user_id, PlatformAuditEntry.details)
        .where(PlatformAuditEntry.action.like("auth.reset.%"))
        .order_by(PlatformAuditEntry.id)
    ).all()
    assert [tuple(a) for a in actions] == [
        ("auth.reset.request", user.id, {"sent": True}),
        ("auth.reset.complete", user.id, {"sessions_ended": 1}),
    ]
    assert "/password/reset/" not in str([a.details for a in actions])


def test_expired_link_says_so(app, factory):
    user = factory.user(factory.tenant(), "expert")
    _ask(app, user.email)
    path = last_link_path(user.email)
    row = db.session.execute(sa.select(PasswordReset)).scalar_one()
    row.expires_at = row.created_at + timedelta(minutes=60) - timedelta(hours=2)
    db.session.commit()
    resp = app.test_client().get(path)
    assert resp.status_code == 410
    assert "Срок действия ссылки истёк." in resp.get_data(as_text=True)
    resp = post_form(
        app.test_client(), path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "/login"
    )
    assert resp.status_code == 410
    assert login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_a_newer_reset_spends_the_older_link_when_used(app, factory):
    user = factory.user(factory.tenant(), "expert")
    _ask(app, user.email)
    first = last_link_path(user.email)
    _ask(app, user.email)
    second = last_link_path(user.email)
    post_form(app.test_client(), second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    resp = app.test_client().get(first)
    assert resp.status_code == 410


def test_weak_password_refused_on_reset(app, factory):
    user = factory.user(factory.tenant(), "expert")
    _ask(app, user.email)
    path = last_link_path(user.email)
    resp = post_form(
        app.test_client(), path, {"password": "qwerty123456", "confirm": "qwerty123456"}
    )
    assert resp.status_code == 200
    assert "Этот пароль слишком распространён" in resp.get_data(as_text=True)
    assert db.session.execute(sa.select(PasswordReset.used_at)).scalar_one() is None


def test_reset_mails_are_limited_per_account(app, factory):
    user = factory.user(factory.tenant(), "expert")
    for _ in range(5):
        assert _ask(app, user.email).status_code == 200
    assert len(account_mails(user.email)) == 3  # three an hour; the answer never changes


def test_reset_mail_is_not_in_the_tenant_admins_outbox(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    expert = factory.user(tenant, "expert")
    _ask(app, expert.email)
    client = app.test_client()
    login(client, admin.email)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "/password/reset/" not in page and "Восстановление пароля" not in page


def _timed_request(app, email: str) -> float:
    client = app.test_client()
    token = csrf_token(client, "/password/forgot")
    start = time.perf_counter()
    resp = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200
    return elapsed


def test_reset_request_timing_does_not_tell_if_the_address_exists(app, factory, capsys):
    """Medians of 20 interleaved requests, known vs unknown address, differ by less than
    10 %. The known one writes two more rows (without the floor: 77.6 vs 61.0 ms, 21 %
    apart, measured): the answer waits for a fixed floor (0.25 s) that hides it."""
    users = [factory.user(factory.tenant(), "expert") for _ in range(20)]
    _timed_request(app, "warm@example.test")
    known, unknown = [], []
    for i, user in enumerate(users):
        known.append(_timed_request(app, user.email))
        unknown.append(_timed_request(app, f"nobody{i}@example.test"))
    k, u = statistics.median(known), statistics.median(unknown)
    with capsys.disabled():
        print(f"\n[reset timing] known {k * 1000:.1f} ms, unknown {u * 1000:.1f} ms")
    assert abs(k - u) / max(k, u) < 0.10
