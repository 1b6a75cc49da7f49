"""Access matrix of the events, accreditation, review, notification and verify pages: every
URL × every role × another tenant (404), and a constant number of queries on list pages."""

import re

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.operations import certificates
from mkr_web.operations.events import EditionData, save_edition
from tests.factories import (
    accredited,
    application,
    application_in_review as in_review,
    assignment_of,
    saved_event,
    world,
)
from tests.support import login, settle_jobs

ROLES = ("admin", "coordinator", "organizer", "expert", "platform-admin")


@pytest.fixture
def scene(factory):
    w = world(factory)
    done = accredited(w)
    review = in_review(w, title="На экспертизе")
    event = saved_event(w.tenant, w.org, "Спутник")
    edition = save_edition(event, EditionData(year=2019))
    cert = certificates.issue(w.tenant.id, certificates.CertificateKind.ACCREDITATION, done.id)
    db.session.commit()
    users = {
        "admin": w.admin,
        "organizer": w.organizer,
        "expert": w.expert1,
        "coordinator": factory.user(w.tenant, "coordinator"),
        "platform-admin": factory.user(platform_admin=True),
    }
    yield w, done, review, event, edition, cert, users
    settle_jobs()


def _pages(done, review, event, edition, assignment):
    a, r, e, ed = done.id, review.id, event.id, edition.id
    return {
        "admin": [
            "/admin/events",
            "/admin/events/new",
            f"/admin/events/{e}",
            f"/admin/events/{e}/editions/new",
            f"/admin/editions/{ed}",
            f"/admin/editions/{ed}/counts",
            f"/admin/editions/{ed}/participants",
            "/admin/accreditation",
            f"/admin/accreditation/{r}",
            f"/admin/accreditation/{a}/regulation",
            f"/admin/accreditation/{a}/certificate",
            "/admin/rubrics/accreditation",
            "/admin/rubrics/nomination",
            "/admin/outbox",
        ],
        "organizer": [
            "/organizer/events",
            "/organizer/events/new",
            f"/organizer/events/{e}",
            f"/organizer/events/{e}/editions/new",
            f"/organizer/editions/{ed}",
            f"/organizer/editions/{ed}/counts",
            f"/organizer/editions/{ed}/participants",
            "/organizer/accreditation",
            "/organizer/accreditation/new",
            f"/organizer/accreditation/{a}",
            f"/organizer/accreditation/{a}/regulation",
            f"/organizer/accreditation/{a}/certificate",
        ],
        "expert": [
            "/expert/reviews",
            f"/expert/reviews/{assignment.id}",
            f"/expert/reviews/{assignment.id}/files/{review.regulation_file_id}",
        ],
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, scene, role):
    w, done, review, event, edition, cert, users = scene
    pages = _pages(done, review, event, edition, assignment_of(review, w.expert1))
    client = app.test_client()
    login(client, users[role].email)
    for page_role, urls in pages.items():
        for url in urls:
            status = client.get(url).status_code
            expected = (200, 302) if page_role == role else (403,)
            assert status in expected, (role, url, status)
    assert client.get("/notifications").status_code == 200  # every role
    assert client.get(f"/verify/{cert.code}").status_code == 200  # everyone


def test_another_tenant_gets_404_for_every_object(app, scene, factory):
    w, done, review, event, edition, cert, users = scene
    other = world(factory, "other")
    mine = in_review(other)  # the other tenant's own expert has an assignment too
    pages = _pages(done, review, event, edition, assignment_of(review, w.expert1))
    people = {"admin": other.admin, "organizer": other.organizer, "expert": other.expert1}
    for role, urls in pages.items():
        client = app.test_client()
        login(client, people[role].email)
        for url in urls:
            if re.search(r"/\d+", url):  # an object of the first tenant
                assert client.get(url).status_code == 404, (role, url)
            else:  # a list or form of their own tenant
                assert client.get(url).status_code == 200, (role, url)
    assert client.get(f"/expert/reviews/{assignment_of(mine, other.expert1).id}").status_code == 200


def test_anonymous_is_sent_to_login(app, scene):
    w, done, review, event, edition, cert, users = scene
    client = app.test_client()
    for urls in _pages(done, review, event, edition, assignment_of(review, w.expert1)).values():
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), url


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def _queries(client, url: str) -> int:
    counter = QueryCounter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counter)
    return counter.count


def test_list_pages_run_a_constant_number_of_queries(app, factory):
    w = world(factory)
    in_review(w, title="Первая")
    saved_event(w.tenant, w.org, "Спутник")
    db.session.commit()
    admin = app.test_client()
    login(admin, w.admin.email)
    expert = app.test_client()
    login(expert, w.expert1.email)
    urls = {"admin": ["/admin/accreditation", "/admin/events"], "expert": ["/expert/reviews"]}
    before = {
        u: _queries(c, u) for c, role in ((admin, "admin"), (expert, "expert")) for u in urls[role]
    }
    for i in range(4):
        a = in_review(w, title=f"Ещё {i}")
        saved_event(w.tenant, w.org, f"Спутник {i}")
        application(w, title=f"Черновик {i}")
        db.session.commit()
        assert a.state.value == "in_review"
    after = {
        u: _queries(c, u) for c, role in ((admin, "admin"), (expert, "expert")) for u in urls[role]
    }
    assert after == before
