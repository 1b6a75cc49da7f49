"""Deadlines: the tenant's days (settings page), the admin's extension of an expert's or a
candidate's deadline (audited with both dates; the reminders start over), refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, AuditEntry, ReviewAssignment
from mkr_web.operations import admission as adm
from mkr_web.operations.deadlines import process_deadlines
from tests.factories import World, application_in_review, assignment_of, row
from tests.support import logged_in as _client, post_form


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2020, 3, 2, 9, 0), tick=False) as traveller:
        yield traveller


def test_settings_set_the_days_of_the_next_deadlines(app, factory, clock):
    w = World(factory, experts=2)
    client = _client(app, w.admin)
    resp = post_form(
        client,
        "/admin/settings",
        {"form": "deadlines", "review_days": "7", "confirmation_days": "5"},
    )
    assert resp.status_code == 302
    resp = post_form(
        client,
        "/admin/settings",
        {"form": "deadlines", "review_days": "0", "confirmation_days": "5"},
    )
    assert resp.status_code == 400  # at least one day
    a = application_in_review(w)
    batch = adm.create_batch(w.edition, [row()], w.organizer)
    db.session.commit()
    assert assignment_of(a, w.expert).due_on == date(2020, 3, 9)
    assert batch.candidates[0].due_on == date(2020, 3, 7)
    audit = db.session.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "tenant.deadlines.update")
    ).all()
    assert audit == [{"changed": {"review_days": [14, 7], "confirmation_days": [10, 5]}}]


def test_admin_extends_a_review_deadline_audited_and_reminders_start_over(app, factory, clock):
    w = World(factory, experts=2)
    a = application_in_review(w)
    assignment = assignment_of(a, w.expert)
    clock.move_to(datetime(2020, 3, 17, 6, 0))
    process_deadlines()  # overdue (16.03): marked and told
    db.session.commit()
    assert assignment_of(a, w.expert).overdue_at is not None
    client = _client(app, w.admin)
    url = f"/admin/accreditation/{a.id}"
    html = client.get(url).get_data(as_text=True)
    assert '16.03.2020 <span class="badge bg-danger">просрочено</span>' in html
    resp = post_form(
        client,
        f"/admin/reviews/assignments/{assignment.id}/deadline",
        {"due_on": "2020-03-25"},
        form_url=url,
    )
    assert resp.status_code == 302
    db.session.expire_all()
    extended = db.session.get(ReviewAssignment, assignment.id)
    assert (extended.due_on, extended.overdue_at, extended.due_reminded_at) == (
        date(2020, 3, 25),
        None,
        None,
    )
    entry = db.session.execute(
        sa.select(AuditEntry.user_id, AuditEntry.details).where(
            AuditEntry.action == "deadline.extend"
        )
    ).one()
    assert tuple(entry) == (
        w.admin.id,
        {"old_due_on": "2020-03-16", "new_due_on": "2020-03-25"},
    )
    resp = post_form(
        client,
        f"/admin/reviews/assignments/{assignment.id}/deadline",
        {"due_on": "2020-03-01"},
        form_url=url,
    )
    assert "Новый срок не может быть в прошлом." in client.get(url).get_data(as_text=True)
    assert db.session.get(ReviewAssignment, assignment.id).due_on == date(2020, 3, 25)


def test_admin_extends_a_candidates_deadline_and_not_anothers_tenant(app, factory, clock):
    w = World(factory)
    batch = adm.create_batch(w.edition, [row()], w.organizer)
    db.session.commit()
    c = batch.candidates[0]
    client = _client(app, w.admin)
    url = f"/admin/admission/candidates/{c.id}"
    resp = post_form(client, f"{url}/deadline", {"due_on": "2020-04-01"}, form_url="/admin/")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, c.id).due_on == date(2020, 4, 1)
    other = World(factory, slug="other")
    stranger = _client(app, other.admin)
    resp = post_form(stranger, f"{url}/deadline", {"due_on": "2020-05-01"}, form_url="/admin/")
    assert resp.status_code == 404
    coordinator = _client(app, w.coord1)
    resp = post_form(
        coordinator, f"{url}/deadline", {"due_on": "2020-05-01"}, form_url="/coordinator/"
    )
    assert resp.status_code == 403
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, c.id).due_on == date(2020, 4, 1)
