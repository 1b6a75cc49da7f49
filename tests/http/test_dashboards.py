"""The to-do dashboards: what each role sees (exact counts, overdue first, each line linking to
its filtered list) and a constant number of queries whatever the amount of work behind them."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from mkr_web.extensions import db
from mkr_web.operations import admission as adm
from tests.factories import (
    World,
    application,
    application_in_review,
    application_reviewed,
    nomination_in_review,
    nomination_submitted,
    nomination_world,
    row,
)
from tests.support import login

TODO = re.compile(
    r'data-todo="([a-z_0-9-]+)">\s*<span class="badge[^"]*" data-testid="todo-count">(\d+)</span>\s*'
    r'<a href="([^"]+)">'
)


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2020, 3, 2, 9, 0), tick=False) as traveller:
        yield traveller


@contextmanager
def counted(app):
    """Count the SQL statements the app's engine runs inside."""
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def todo_of(client, url: str) -> list[tuple[str, int, str]]:
    html = client.get(url).get_data(as_text=True)
    return [(k, int(n), href.replace("&amp;", "&")) for k, n, href in TODO.findall(html)]


def queries_of(app, client, url: str) -> int:
    with counted(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _protocol(w: World, n: int):
    rows = [row(surname=f"Кандидатова{i}", municipality="Первый район") for i in range(n)]
    batch = adm.create_batch(w.edition, rows, w.organizer)
    db.session.commit()
    return batch


def test_admin_sees_work_to_assign_decide_and_admit_overdue_first(app, factory, clock):
    w = World(factory, experts=3)
    application(w, submitted=True, title="Первая")
    application_reviewed(w, title="Вторая")
    application_in_review(w, title="Третья")
    batch = _protocol(w, 2)
    adm.confirm_candidate(
        batch.candidates[0], w.membership(w.coord1), consent_on=date(2020, 3, 1), on_file=True
    )
    db.session.commit()
    client = app.test_client()
    login(client, w.admin.email)
    assert todo_of(client, "/admin/") == [
        ("acc_assign", 1, "/admin/accreditation?state=submitted"),
        ("acc_decide", 1, "/admin/accreditation?state=reviewed"),
        ("batches_ready", 1, "/admin/admission/?ready=1"),
    ]
    clock.move_to(datetime(2020, 3, 20, 9, 0))  # the review (16.03) and confirmation (12.03)
    login(client, w.admin.email)  # 18 days later: the session ended (12 hours at most)
    assert todo_of(client, "/admin/") == [
        ("reviews_overdue_acc", 1, "/admin/accreditation?state=in_review"),
        ("confirmations_overdue", 1, "/admin/admission/"),
        ("acc_assign", 1, "/admin/accreditation?state=submitted"),
        ("acc_decide", 1, "/admin/accreditation?state=reviewed"),
        ("batches_ready", 1, "/admin/admission/?ready=1"),
    ]
    ready = client.get("/admin/admission/?ready=1").get_data(as_text=True)
    assert batch.number in ready


def test_coordinator_sees_candidates_to_confirm_with_the_deadline_and_gaps(app, factory, clock):
    w = nomination_world(factory)
    _protocol(w, 3)
    client = app.test_client()
    login(client, w.coord1.email)
    html = client.get("/coordinator/").get_data(as_text=True)
    assert todo_of(client, "/coordinator/") == [
        ("confirm", 3, "/coordinator/admission/?state=submitted")
    ]
    assert "ближайший срок: 12.03.2020" in html
    assert f'data-municipality="{w.first.id}"' in html
    assert "нет резидентов" in html and "нет участия" in html
    clock.move_to(datetime(2020, 3, 13, 9, 0))
    login(client, w.coord1.email)  # 11 days later: the session ended (12 hours at most)
    assert todo_of(client, "/coordinator/")[0] == (
        "confirm_overdue",
        3,
        "/coordinator/admission/?state=submitted",
    )


def test_organizer_sees_returned_rows_and_editions_without_results(app, factory, clock):
    w = World(factory)
    client = app.test_client()
    login(client, w.organizer.email)
    assert todo_of(client, "/organizer/") == [
        ("editions_without_participants", 2, "/organizer/#no-participants"),
        ("editions_without_results", 1, "/organizer/#no-results"),
    ]
    html = client.get("/organizer/").get_data(as_text=True)
    assert f'href="/organizer/admission/editions/{w.edition.id}/protocol"' in html
    batch = _protocol(w, 1)
    adm.return_candidate(batch.candidates[0], w.membership(w.coord1), "Проверьте дату.")
    db.session.commit()
    assert todo_of(client, "/organizer/") == [
        ("rows_returned", 1, "/organizer/admission/"),
        ("editions_without_participants", 2, "/organizer/#no-participants"),
    ]


def test_expert_sees_reviews_due_overdue_first(app, factory, clock):
    w = World(factory, experts=3)
    first = application_in_review(w, experts=(w.expert, w.expert2), title="Первая")
    clock.move_to(datetime(2020, 3, 10, 9, 0))
    second = application_in_review(w, experts=(w.expert, w.expert3), title="Вторая")
    clock.move_to(datetime(2020, 3, 17, 9, 0))  # the first is overdue (16.03), the second not
    client = app.test_client()
    login(client, w.expert.email)
    html = client.get("/expert/").get_data(as_text=True)
    labels = re.findall(r'data-todo="review-\d+">\s*<a href="[^"]+">([^<]+)</a>', html)
    assert labels == [f"{first.number} · Первая", f"{second.number} · Вторая"]
    assert 'срок: 16.03.2020 <span class="badge bg-danger">просрочено</span>' in html
    assert "срок: 24.03.2020</span>" in html


@pytest.mark.parametrize("role", ["admin", "coordinator", "organizer", "expert"])
def test_dashboard_queries_do_not_grow_with_the_work(app, factory, clock, role):
    w = nomination_world(factory)
    w.expert3 = factory.user(w.tenant, "expert")
    user = {"admin": w.admin, "coordinator": w.coord1, "organizer": w.organizer}.get(role, w.expert)
    url = f"/{role}/"
    nomination_in_review(w)  # one of each kind of work to start with
    application_in_review(w, experts=(w.expert, w.expert2), title="Заявка")
    _protocol(w, 1)
    client = app.test_client()
    login(client, user.email)
    client.get(url)  # warm the session's caches (locale, user) once
    few = queries_of(app, client, url)
    for n in range(4):  # a lot more of everything each dashboard counts
        _protocol(w, 5)
        application_in_review(w, experts=(w.expert, w.expert2), title=f"Заявка {n}")
        application(w, submitted=True, title=f"Новая {n}")
        nomination_submitted(w, person=w.person(f"Иванов{n}", "Иван", None, date(2006, 1, n + 1)))
    many = queries_of(app, client, url)
    assert many == few, (few, many)
    print(f"{role}: {few} queries")
    assert few <= {"admin": 14, "coordinator": 12, "organizer": 14, "expert": 10}[role]
