"""A failed or stuck job can be restarted from its page, and asking again for a batch whose job
failed or is stuck starts a new job (issue 9, item 4). The worker-kill test
(tests/ops/test_worker_kill.py) does the same with a real worker killed mid-batch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Job, JobState
from mkr_web.models.base import utcnow
from mkr_web.operations import jobs
from tests.factories import admitted_batch, row
from tests.support import csrf_token, issued_certificates, login, wait_for_job

YEAR = date.today().year


def admitted(world):
    rows = [row(), row(surname="Второва", name="Ольга"), row(surname="Третьякова", name="Вера")]
    return admitted_batch(world, rows)


def batch_job(world, batch, state: JobState, heartbeat_minutes_ago: int = 0) -> Job:
    """A batch job as a dead worker left it."""
    now = utcnow()
    job = Job(
        tenant_id=world.tenant.id,
        kind="resident_certificates",
        key=f"batch:{batch.id}",
        params={"batch_id": batch.id},
        created_by_id=world.admin.id,
        state=state,
        progress=23,
        created_at=now - timedelta(minutes=heartbeat_minutes_ago + 1),
        started_at=now - timedelta(minutes=heartbeat_minutes_ago + 1),
        heartbeat_at=now - timedelta(minutes=heartbeat_minutes_ago),
        message="Ошибка: WorkerLostError" if state is JobState.FAILED else "Готово свидетельств: 1",
    )
    db.session.add(job)
    db.session.commit()
    return job


def jobs_of(batch) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [
        (j.id, j.state.value)
        for j in db.session.scalars(
            sa.select(Job).where(Job.key == f"batch:{batch.id}").order_by(Job.id)
        )
    ]


def test_failed_job_is_restarted_from_its_page(app, world):
    batch = admitted(world)
    failed = batch_job(world, batch, JobState.FAILED)
    client = app.test_client()
    login(client, world.admin.email)
    page = client.get(f"/jobs/{failed.id}").get_data(as_text=True)
    assert 'data-testid="job-restart"' in page and "Перезапустить" in page
    resp = client.post(
        f"/jobs/{failed.id}/restart", data={"csrf_token": csrf_token(client, f"/jobs/{failed.id}")}
    )
    (_, old), (new_id, _) = jobs_of(batch)
    assert old == "failed" and resp.headers["Location"] == f"/jobs/{new_id}"
    assert wait_for_job(new_id).state is JobState.DONE
    assert [n for *_, n in issued_certificates()] == [f"РЕЗ-{YEAR}-00{i}" for i in (1, 2, 3)]
    # a finished job offers no restart, and asking for it is refused with a message
    page = client.get(f"/jobs/{new_id}").get_data(as_text=True)
    assert 'data-testid="job-restart"' not in page
    resp = client.post(
        f"/jobs/{new_id}/restart",
        data={"csrf_token": csrf_token(client, f"/jobs/{new_id}")},
        follow_redirects=True,
    )
    assert "Это задание не прервано: перезапускать нечего." in resp.get_data(as_text=True)
    assert len(jobs_of(batch)) == 2


def test_stuck_job_is_failed_by_the_sweep_then_restartable(app, world):
    batch = admitted(world)
    alive = batch_job(world, batch, JobState.RUNNING, heartbeat_minutes_ago=2)
    stuck_job = batch_job(world, batch, JobState.RUNNING, heartbeat_minutes_ago=11)
    assert jobs.fail_stuck_jobs() == 1
    db.session.commit()
    db.session.expire_all()
    assert (db.session.get(Job, alive.id).state, db.session.get(Job, stuck_job.id).state) == (
        JobState.RUNNING,
        JobState.FAILED,
    )
    assert (
        db.session.get(Job, stuck_job.id).message
        == "Задание прервано: нет хода выполнения 10 мин. Перезапустите его."
    )
    db.session.delete(db.session.get(Job, alive.id))  # no worker will ever finish it
    db.session.commit()


@pytest.mark.parametrize(
    "state,minutes", [(JobState.FAILED, 0), (JobState.RUNNING, 11), (JobState.PENDING, 61)]
)
def test_asking_again_for_a_batch_whose_job_died_starts_a_new_job(app, world, state, minutes):
    batch = admitted(world)
    dead = batch_job(world, batch, state, heartbeat_minutes_ago=minutes)
    client = app.test_client()
    login(client, world.admin.email)
    url = f"/admin/admission/batches/{batch.id}"
    resp = client.post(f"{url}/certificates", data={"csrf_token": csrf_token(client, url)})
    (first, first_state), (second, _) = jobs_of(batch)
    ids = [first, second]
    assert first == dead.id and first_state == "failed"
    assert resp.headers["Location"] == f"/jobs/{ids[1]}"
    assert wait_for_job(ids[1]).state is JobState.DONE


def test_asking_again_while_the_job_is_alive_reuses_it(app, world):
    batch = admitted(world)
    alive = batch_job(world, batch, JobState.RUNNING, heartbeat_minutes_ago=1)
    client = app.test_client()
    login(client, world.admin.email)
    url = f"/admin/admission/batches/{batch.id}"
    resp = client.post(f"{url}/certificates", data={"csrf_token": csrf_token(client, url)})
    assert resp.headers["Location"] == f"/jobs/{alive.id}"
    assert jobs_of(batch) == [(alive.id, "running")]
    db.session.delete(db.session.get(Job, alive.id))  # not left for a real worker to wait on
    db.session.commit()
