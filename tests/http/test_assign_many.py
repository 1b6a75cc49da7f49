"""The admin assigns experts to many items: automatically (balanced load, never from the
applicant's organisation or the nominee's municipality, declared conflicts respected) or by
hand, always through a preview; nothing is saved before "save"."""

from __future__ import annotations

import re

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import ReviewAssignment, SubjectType
from mkr_web.operations import reviews
from tests.factories import (
    World,
    application,
    assignment_of,
    nomination_submitted,
    nomination_world,
)
from tests.support import logged_in as _client, post_form
from workflows.roles import Role

URL = "/admin/reviews/assign/accreditation"


def _assigned() -> dict[int, list[int]]:
    db.session.expire_all()
    out: dict[int, list[int]] = {}
    for subject_id, expert_id in db.session.execute(
        sa.select(ReviewAssignment.subject_id, ReviewAssignment.expert_id).order_by(
            ReviewAssignment.subject_id, ReviewAssignment.expert_id
        )
    ):
        out.setdefault(subject_id, []).append(expert_id)
    return out


def _plan(html: str) -> dict[int, list[int]]:
    rows = re.findall(r'<tr data-plan="(\d+)">(.*?)</tr>', html, re.S)
    return {
        int(sid): [int(e) for e in re.findall(rf'name="plan-{sid}" value="(\d+)"', body)]
        for sid, body in rows
    }


def test_automatic_plan_is_balanced_and_skips_the_applicants_people(app, factory):
    w = World(factory, experts=4)
    # expert4 works at the applicant's organisation: never on its applications
    w.expert4.memberships[0].organization_id = w.rcro.id
    db.session.commit()
    apps = [application(w, submitted=True, title=f"Заявка {n}") for n in range(3)]
    client = _client(app, w.admin)
    data = {"ids": [str(a.id) for a in apps], "action": "auto"}
    resp = post_form(client, URL, data)
    assert resp.status_code == 200
    plan = _plan(resp.get_data(as_text=True))
    e1, e2, e3 = w.expert.id, w.expert2.id, w.expert3.id
    assert plan == {apps[0].id: [e1, e2], apps[1].id: [e3, e1], apps[2].id: [e2, e3]}
    assert _assigned() == {}  # a preview only
    save = {"action": "save", "subjects": [str(a.id) for a in apps]}
    for sid, experts in plan.items():
        save[f"plan-{sid}"] = [str(e) for e in experts]
    resp = post_form(client, URL, save)
    assert resp.status_code == 302
    assert _assigned() == {
        apps[0].id: sorted([e1, e2]),
        apps[1].id: sorted([e1, e3]),
        apps[2].id: sorted([e2, e3]),
    }


def test_a_declared_conflict_keeps_the_expert_off_the_same_applicants_items(app, factory):
    w = World(factory, experts=3)
    first = application(w, submitted=True, title="Первая")
    reviews.assign_experts(
        SubjectType.ACCREDITATION,
        first,
        [w.expert.id, w.expert2.id],
        role=Role.ADMIN,
        actor_id=w.admin.id,
    )
    db.session.commit()
    reviews.declare_conflict(
        assignment_of(first, w.expert), "Мой работодатель", role=Role.EXPERT, user_id=w.expert.id
    )
    db.session.commit()
    second = application(w, submitted=True, title="Вторая")
    client = _client(app, w.admin)
    resp = post_form(client, URL, {"ids": [str(first.id), str(second.id)], "action": "auto"})
    plan = _plan(resp.get_data(as_text=True))
    # expert2 and expert3 then carry one open review each: the lower id comes first
    assert plan == {first.id: [w.expert3.id], second.id: [w.expert2.id, w.expert3.id]}


def test_nominations_never_get_an_expert_from_the_nominees_municipality(app, factory):
    w = nomination_world(factory)
    n = nomination_submitted(w)
    # expert2 works at a school of the pupil's municipality
    m = w.expert2.memberships[0]
    m.organization_id = w.school1.id
    db.session.commit()
    client = _client(app, w.admin)
    url = "/admin/reviews/assign/nomination"
    resp = post_form(client, url, {"ids": [str(n.id)], "action": "auto"})
    html = resp.get_data(as_text=True)
    assert _plan(html) == {n.id: [w.expert.id]}
    assert "не хватает подходящих экспертов: 1" in html
    resp = post_form(
        client, url, {"ids": [str(n.id)], "action": "manual", "expert_ids": [str(w.expert2.id)]}
    )
    html = resp.get_data(as_text=True)
    assert _plan(html) == {n.id: []}
    assert "не могут оценивать эту заявку:" in html
