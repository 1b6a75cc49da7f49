"""Jobs survive workers (issue 9, item 4): a real Celery worker is killed (SIGKILL) in the middle
of a batch of Resident certificates; after a worker starts again the batch completes and every
certificate number was issued once.

Runs only with PostgreSQL (``TEST_DATABASE_URL``) and a broker (``CELERY_BROKER_URL``), as in
CI's second leg; elsewhere the ``real_worker`` marker deselects it (tests/conftest.py). The
test starts its own workers on a queue of its own (the batch task is routed there for the
test), so CI's worker never takes the task.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from faker import Faker

from mkr_web.documents.storage import read_bytes
from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind, Job, JobState
from mkr_web.models.base import utcnow
from mkr_web.operations import jobs, resident_certificates
from tests.factories import admitted_batch as admit_rows, row
from tests.support import csrf_token, login

pytestmark = pytest.mark.real_worker

ROOT = Path(__file__).resolve().parents[2]
PERSONS = 40
YEAR = date.today().year


@pytest.fixture
def queue(app, data_app):
    """A queue of this test's own: the batch task goes there (from the test's app and from the
    app the pages run in), and only this test's workers consume it."""
    name = f"killtest-{uuid.uuid4().hex[:8]}"
    apps = [a.extensions["celery"] for a in (app, data_app)]
    saved = [c.conf.task_routes for c in apps]

    def route(celery, table):
        celery.conf.task_routes = table
        celery.amqp.flush_routes()
        celery.amqp.__dict__.pop("router", None)  # the router caches the routing table

    for celery in apps:
        route(celery, {"mkr.admission.render_certificates": {"queue": name}})
    yield name
    for celery, table in zip(apps, saved, strict=True):
        route(celery, table)


class Worker:
    """``celery -A celery_worker worker --pool=solo`` (as CI runs it) on ``queue``."""

    def __init__(self, app, queue: str, tmp: Path, visibility: int):
        self.log = tmp / f"worker-{uuid.uuid4().hex[:6]}.log"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=os.environ["TEST_DATABASE_URL"],
            MKR_UPLOAD_DIR=app.config["MKR_UPLOAD_DIR"],
            MKR_TASK_VISIBILITY_TIMEOUT=str(visibility),
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "celery_worker",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:4]}@%h",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while b"ready." not in self.log.read_bytes():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + self.log.read_text()
            time.sleep(0.2)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def workers(app, queue, tmp_path):
    started: list[Worker] = []

    def start(visibility: int) -> Worker:
        worker = Worker(app, queue, tmp_path, visibility)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def admitted_batch(world, count: int):
    fake = Faker("ru_RU")
    fake.seed_instance(9)
    rows = [
        row(
            surname=fake.last_name_female(),
            name=fake.first_name_female(),
            patronymic=fake.middle_name_female(),
            birth_date=(date(2004, 1, 1) + timedelta(days=i)).strftime("%d.%m.%Y"),
        )
        for i in range(count)
    ]
    batch = admit_rows(world, rows)
    assert len(resident_certificates.batch_person_ids(batch)) == count
    return batch


def job_row(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def kill_mid_batch(worker: Worker, job_id: int) -> int:
    """Kill the worker once it has done some but not all of the batch; the job's progress."""
    wait_until(lambda: 10 <= job_row(job_id).progress < 60, 120, "the batch to be under way")
    worker.kill()
    job = job_row(job_id)
    assert job.state is JobState.RUNNING and 10 <= job.progress < 95, (job.state, job.progress)
    return job.progress


def certificate_numbers() -> list[tuple[int, str]]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(Certificate.subject_id, Certificate.number)
        .where(Certificate.kind == CertificateKind.RESIDENT)
        .order_by(Certificate.number)
    ).all()


def assert_issued_once(batch, stored_zip) -> None:
    person_ids = resident_certificates.batch_person_ids(batch)
    numbers = certificate_numbers()
    assert [n for _, n in numbers] == [f"РЕЗ-{YEAR}-{i:03d}" for i in range(1, PERSONS + 1)]
    assert sorted(pid for pid, _ in numbers) == sorted(person_ids)  # one per person
    with zipfile.ZipFile(io.BytesIO(read_bytes(stored_zip))) as zf:
        # entries "РЕЗ-2026-001 Фамилия И.О.pdf" (issue 17): each number once
        entries = sorted(re.match(r"РЕЗ-\d{4}-\d{3}", n).group(0) for n in zf.namelist())
        assert entries == [f"РЕЗ-{YEAR}-{i:03d}" for i in range(1, 41)]


def test_killed_worker_task_is_redelivered_and_the_batch_completes(app, world, workers):
    """Late acknowledgement: the killed worker's task goes back to the queue (after the
    visibility timeout, 5 s here) and the next worker finishes the batch."""
    batch = admitted_batch(world, PERSONS)
    first = workers(visibility=5)
    job = resident_certificates.start_batch_job(batch, user_id=world.admin.id)
    stopped_at = kill_mid_batch(first, job.id)
    print(f"worker killed at {stopped_at}% ({len(certificate_numbers())} numbers issued)")

    workers(visibility=5)
    done = wait_until(
        lambda: job_row(job.id).state in (JobState.DONE, JobState.FAILED) and job_row(job.id),
        180,
        "the redelivered batch to finish",
    )
    assert (done.state, done.progress, done.attempts) == (JobState.DONE, 100, 2)
    assert_issued_once(batch, done.result_file)


def test_stuck_job_is_failed_by_the_sweep_and_restarted_from_its_page(app, world, workers):
    """Without redelivery (a long visibility timeout), the sweep fails the job that has shown
    no progress, and the restart button on its page starts a new job that finishes the batch."""
    batch = admitted_batch(world, PERSONS)
    first = workers(visibility=3600)
    job = resident_certificates.start_batch_job(batch, user_id=world.admin.id)
    kill_mid_batch(first, job.id)
    workers(visibility=3600)
    time.sleep(2)
    assert job_row(job.id).state is JobState.RUNNING  # nobody took it over

    later = utcnow() + timedelta(minutes=11)  # as the beat task will see it in 10 minutes
    assert jobs.fail_stuck_jobs(now=later) == 1
    db.session.commit()
    stuck = job_row(job.id)
    assert (stuck.state, stuck.message) == (
        JobState.FAILED,
        "Задание прервано: нет хода выполнения 10 мин. Перезапустите его.",
    )
    admin = app.test_client()
    assert login(admin, world.admin.email).status_code == 302
    page = f"/jobs/{job.id}"
    assert 'data-testid="job-restart"' in admin.get(page).get_data(as_text=True)
    resp = admin.post(f"{page}/restart", data={"csrf_token": csrf_token(admin, page)})
    again = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert again != job.id
    done = wait_until(
        lambda: job_row(again).state in (JobState.DONE, JobState.FAILED) and job_row(again),
        180,
        "the restarted batch to finish",
    )
    assert (done.state, done.progress) == (JobState.DONE, 100)
    assert_issued_once(batch, done.result_file)
