"""A dead broker (issue 9, item 1, the pages that queue work): against a Redis port nobody
listens on, every page that queues work answers within 2 s with "Фоновая обработка
недоступна, повторите позже.", commits nothing half-way and leaves no pending job: a job row
exists only once its task is queued, or it is marked failed with the reason. Pages that need
no worker keep working.

(The login limiter's storage is the other half of item 1, on another branch: this app keeps
its limiter in memory.)"""

from __future__ import annotations

import re
import socket
import time
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Job, Person
from mkr_web.operations import admission as ops
from tests.factories import World, row
from tests.support import another_app, csrf_token, login
from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

DEAD_BROKER = "redis://127.0.0.1:5131/0"  # a port of this branch's range; nothing listens
MESSAGE = "Фоновая обработка недоступна, повторите позже."
REASON = "Фоновая обработка недоступна: задание не поставлено в очередь."


@pytest.fixture
def dead_app(app, monkeypatch):
    with socket.socket() as s:  # the port must really be dead
        assert s.connect_ex(("127.0.0.1", 5131)) != 0
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI's
    # PostgreSQL leg sets it to the live Redis): without it the dead broker below holds.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    celery = dict(
        app.config["CELERY"],
        broker_url=DEAD_BROKER,
        result_backend=DEAD_BROKER,
        task_always_eager=False,
    )
    with another_app(
        {
            "TESTING": True,
            "MKR_UPLOAD_DIR": app.config["MKR_UPLOAD_DIR"],
            "MKR_LOGIN_LIMIT_ACCOUNT": app.config.get("MKR_LOGIN_LIMIT_ACCOUNT"),
            "MKR_LOGIN_LIMIT_IP": app.config.get("MKR_LOGIN_LIMIT_IP"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "CELERY": celery,
        }
    ) as dead:
        yield dead


@pytest.fixture
def world(factory):
    return World(factory)


def admin_client(dead_app, world):
    client = dead_app.test_client()
    assert login(client, world.admin.email).status_code == 302
    return client


def confirmed_batch(world, rows):
    batch = ops.create_batch(world.edition, rows, world.organizer)
    db.session.commit()
    for c in batch.candidates:
        ops.confirm_candidate(
            c, world.membership(world.admin), consent_on=date(2019, 4, 5), on_file=True
        )
    db.session.commit()
    return batch


def timed_post(client, url, data, form_url):
    payload = {"csrf_token": csrf_token(client, form_url), "confirmed": "1", **data}
    started = time.monotonic()
    resp = client.post(url, data=payload, headers={"Referer": f"http://localhost{form_url}"})
    return resp, time.monotonic() - started


def flashed(client, resp) -> list[str]:
    assert resp.status_code == 302, resp.status_code
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    return re.findall(r'role="alert">([^<]*)<', html)


def jobs() -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [
        (j.kind, j.state.value, j.message)
        for j in db.session.scalars(sa.select(Job).order_by(Job.id))
    ]


def states(batch) -> list[CandidateState]:
    db.session.expire_all()
    return [
        c.state
        for c in db.session.scalars(
            sa.select(AdmissionCandidate)
            .where(AdmissionCandidate.batch_id == batch.id)
            .order_by(AdmissionCandidate.row_no)
        )
    ]


def test_admit_and_admit_all_refuse_and_commit_nothing(dead_app, world):
    batch = confirmed_batch(world, [row(), row(surname="Второва", name="Ольга")])
    client = admin_client(dead_app, world)
    page = f"/admin/admission/batches/{batch.id}"
    candidate = batch.candidates[0]
    url = f"/admin/admission/candidates/{candidate.id}"
    resp, seconds = timed_post(client, f"{url}/admit", {"version": str(candidate.version)}, url)
    assert seconds < 2, seconds
    assert MESSAGE in flashed(client, resp)
    resp, seconds = timed_post(client, f"{page}/admit-all", {}, page)
    assert seconds < 2, seconds
    assert MESSAGE in flashed(client, resp)
    # nothing admitted, no person made a Resident, no job row at all
    assert states(batch) == [CandidateState.CONFIRMED, CandidateState.CONFIRMED]
    assert db.session.scalars(sa.select(Person.status)).all() == [PersonStatus.NONE] * 2
    assert jobs() == []
    # pages that need no worker keep working
    for path in (page, url, "/admin/people", "/admin/", "/healthz"):
        assert client.get(path).status_code == 200, path


def test_report_pdf_and_certificates_leave_failed_jobs_with_the_reason(dead_app, world):
    batch = confirmed_batch(world, [row(), row(surname="Второва", name="Ольга")])
    ops.admit_confirmed(batch, world.membership(world.admin), on=date(2019, 5, 20))
    db.session.commit()  # admitted while the broker was up (the demo does it this way too)
    person_id = batch.candidates[0].person_id
    client = admin_client(dead_app, world)

    resp, seconds = timed_post(client, "/admin/report/pdf", {"year": "2019"}, "/admin/report")
    assert seconds < 2, seconds
    assert MESSAGE in flashed(client, resp)

    page = f"/admin/admission/batches/{batch.id}"
    resp, seconds = timed_post(client, f"{page}/certificates", {}, page)
    assert seconds < 2, seconds
    assert MESSAGE in flashed(client, resp)

    started = time.monotonic()
    resp = client.get(f"/admin/people/{person_id}/certificate")
    assert time.monotonic() - started < 2
    assert resp.status_code == 503 and MESSAGE in resp.get_data(as_text=True)

    assert jobs() == [
        ("report_pdf", "failed", REASON),
        ("resident_certificates", "failed", REASON),
        ("certificate", "failed", REASON),
    ]
