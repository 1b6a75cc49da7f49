"""Login throttling that works (issue 9.6) and logins with Redis down (issue 9.1, login part).

- limits per account and per address, counted in the database: shared by gunicorn's workers;
- a growing delay between failed attempts of one account;
- the same work for known and unknown e-mails (the timing difference is within noise);
- with the broker's Redis dead, login, /verify and the pages that need no worker still work,
  and the /verify rate limiter says in the log that it counts in-process.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import date

import pytest
import requests
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind, LoginFailure
from tests.support import PASSWORD, gunicorn, http_login, login, port_is_closed

DEAD_REDIS_PORT = 5129  # nothing listens there (checked)


@pytest.fixture
def config(app):
    """Change the session app's settings for one test."""
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


def test_growing_delay_per_account(app, factory, config):
    config["MKR_LOGIN_DELAY_SECONDS"] = 1.0
    user = factory.user(factory.tenant(), "admin")
    assert login(app.test_client(), user.email, "wrong-password-1").status_code == 200
    # right after the 1st failure: wait 1 s, and the password is not even checked
    resp = login(app.test_client(), user.email, PASSWORD)
    assert resp.status_code == 429
    assert "Слишком много попыток входа. Повторите через 1 с." in resp.get_data(as_text=True)
    time.sleep(1.1)
    assert login(app.test_client(), user.email, "wrong-password-2").status_code == 200
    # after the 2nd failure: 2 s
    time.sleep(1.0)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 429
    time.sleep(1.2)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 302
    # success forgets the account's failures
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.scope == "account")
        )
        == 0
    )


def test_unknown_email_is_limited_like_a_known_one(app, factory):
    for i in range(5):
        assert login(app.test_client(), "ghost@example.test", f"guess-{i}").status_code == 200
    resp = login(app.test_client(), "ghost@example.test", "guess-5")
    assert resp.status_code == 429
    wait = re.search(r"Повторите через (\d+) с\.", resp.get_data(as_text=True))
    assert 890 <= int(wait.group(1)) <= 900  # the 15-minute window from the 1st failure


def test_failures_keep_no_personal_data(app, factory):
    login(app.test_client(), "someone@example.test", "secret-guess")
    keys = db.session.execute(sa.select(LoginFailure.scope, LoginFailure.key)).all()
    assert sorted(s for s, _k in keys) == ["account", "address"]
    assert all(len(k) == 64 and "someone" not in k and "127.0.0.1" not in k for _s, k in keys)


def _timed_login(app, email: str) -> float:
    client = app.test_client()
    start = time.perf_counter()
    resp = login(client, email, "wrong-password")
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200
    return elapsed


def test_known_and_unknown_emails_take_the_same_time(app, factory, config, capsys):
    """Wrong password for an existing account vs. an unknown address: medians of 21
    interleaved attempts each (CSRF page included) differ by less than 20 %; without the
    dummy hash the unknown address answers ~7 times faster (86 % apart, measured)."""
    config["MKR_LOGIN_ACCOUNT_LIMIT"] = 1000
    config["MKR_LOGIN_ADDRESS_LIMIT"] = 1000
    config["MKR_PASSWORD_HASH"] = "scrypt"  # production's hash, not the suite's cheap one
    user = factory.user(factory.tenant(), "admin")
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db.session.commit()
    _timed_login(app, user.email)  # warm up (the dummy hash is made once per process)
    _timed_login(app, "warm@example.test")
    known, unknown = [], []
    for i in range(21):
        known.append(_timed_login(app, user.email))
        unknown.append(_timed_login(app, f"nobody{i}@example.test"))
    k, u = statistics.median(known), statistics.median(unknown)
    diff = abs(k - u) / max(k, u)
    with capsys.disabled():
        print(f"\n[timing] known {k * 1000:.1f} ms, unknown {u * 1000:.1f} ms, diff {diff:.1%}")
    assert diff < 0.20


def test_inactive_and_passwordless_accounts_cost_the_same(app, factory, config):
    from mkr_web.auth.views import password_matches

    config["MKR_PASSWORD_HASH"] = "scrypt"
    user = factory.user(factory.tenant(), "admin")
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    user.is_active_account = False
    db.session.commit()
    with app.test_request_context():
        start = time.perf_counter()
        assert password_matches(user, PASSWORD) is False
        inactive = time.perf_counter() - start
        start = time.perf_counter()
        assert password_matches(None, PASSWORD) is False
        unknown = time.perf_counter() - start
    # both ran one scrypt check (tens of milliseconds), not a shortcut
    assert inactive > 0.005 and unknown > 0.005


# --- real gunicorn with two workers, and a dead Redis --------------------------------------


@pytest.fixture
def dead_redis_server(app):
    assert port_is_closed(DEAD_REDIS_PORT)
    env = {
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{DEAD_REDIS_PORT}/3",
        "MKR_LOGIN_DELAY_SECONDS": "0",
    }
    with gunicorn(env, workers=2) as (base, log):
        yield base, log


def test_two_workers_share_the_account_limit_with_redis_down(app, factory, dead_redis_server):
    base, _log = dead_redis_server
    user = factory.user(factory.tenant(), "admin")
    answers = [http_login(base, user.email, f"wrong-{i}")[1].status_code for i in range(6)]
    assert answers == [200, 200, 200, 200, 200, 429]
    _s, resp = http_login(base, user.email, PASSWORD)
    assert resp.status_code == 429  # locked for the window even with the right password


def test_login_verify_and_pages_work_with_redis_down(app, factory, dead_redis_server):
    from tests.factories import resident

    base, log = dead_redis_server
    tenant = factory.tenant()
    user = factory.user(tenant, "admin")
    person = resident(tenant)
    cert = Certificate(
        tenant_id=tenant.id,
        kind=CertificateKind.RESIDENT,
        subject_id=person.id,
        number="РЕЗ-2019-001",
        code="verify-code-123",
        issued_on=date(2019, 5, 1),
    )
    db.session.add(cert)
    db.session.commit()

    start = time.monotonic()
    session, resp = http_login(base, user.email, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/"
    for path in ("/admin/", "/admin/people", "/admin/users", "/admin/audit", "/account"):
        page = session.get(base + path, timeout=10, allow_redirects=False)
        assert page.status_code == 200, path
    for _ in range(3):
        page = requests.get(base + "/verify/verify-code-123", timeout=10)
        assert page.status_code == 200
        assert "Действующий резидент" in page.text
    assert requests.get(base + "/verify/unknown-code", timeout=10).status_code == 404
    assert time.monotonic() - start < 20
    text = log.read_text()
    assert "falling back to in-memory storage" in text
    assert "Traceback" not in text
