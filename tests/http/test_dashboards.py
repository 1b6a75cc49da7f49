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
from mkr_web.models import (
    CountCategory,
    EventEdition,
    MailState,
    Notification,
    Opportunity,
    OpportunityKind,
    ParticipationCount,
    Partnership,
    Placement,
)
from mkr_web.operations import admission as adm
from tests.factories import (
    World,
    accredited,
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
    # the organisations of the coordinator's municipality, each linking to its page
    assert f'<a href="/coordinator/organizations/{w.school1.id}">МБОУ «СОШ № 1»</a>' in html
    assert f"/coordinator/organizations/{w.school3.id}" not in html  # another municipality
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
    client.get(url)  # the lists kept under the report data version are read once again
    many = queries_of(app, client, url)
    assert many == few, (few, many)
    print(f"{role}: {few} queries")
    assert few <= {"admin": 14, "coordinator": 12, "organizer": 14, "expert": 10}[role]


GAPS = re.compile(
    r'<tr data-municipality="(\d+)"><th scope="row" class="fw-normal">([^<]+)</th>\s*'
    r"<td>(?:есть|<span[^>]*>нет резидентов</span>)</td>\s*"
    r"<td>(есть|<span[^>]*>нет участия</span>)</td></tr>"
)


def _coverage(app, user) -> tuple[str, list[tuple[str, bool]]]:
    """The coordinator's coverage heading and (municipality, took part in its year)."""
    client = app.test_client()
    login(client, user.email)
    html = client.get("/coordinator/").get_data(as_text=True)
    heading = re.search(r'<h2 class="h5">(Охват в \d+ году)</h2>', html).group(1)
    return heading, [(name, took == "есть") for _id, name, took in GAPS.findall(html)]


def _edition(w: World, year: int, municipality, count: int) -> EventEdition:
    edition = EventEdition(tenant_id=w.tenant.id, event_id=w.event.id, year=year)
    db.session.add(edition)
    db.session.flush()
    if municipality is not None:
        db.session.add(
            ParticipationCount(
                tenant_id=w.tenant.id,
                edition_id=edition.id,
                municipality_id=municipality.id,
                category=CountCategory.STUDENTS,
                count=count,
            )
        )
    db.session.commit()
    return edition


def test_yearly_figures_are_of_the_latest_year_with_data(app, factory):
    """In 2026 a bank whose data ends in 2019 shows 2019 (as the report opens on it); once
    the current year has an edition, the current year; a planned later year moves nothing.
    The to-do lists stay about today."""
    w = World(factory)  # editions of 2019
    t = w.tenant.id
    db.session.add(
        ParticipationCount(
            tenant_id=t,
            edition_id=w.edition.id,
            municipality_id=w.first.id,
            category=CountCategory.STUDENTS,
            count=12,
        )
    )
    _edition(w, 2018, w.second, 7)  # the second took part in 2018 only
    db.session.add_all(
        [
            Partnership(tenant_id=t, organization_id=w.university.id, started_on=date(2018, 9, 1)),
            Partnership(
                tenant_id=t,
                organization_id=w.rcro.id,
                started_on=date(2016, 1, 10),
                ended_on=date(2018, 12, 31),
            ),
            Partnership(tenant_id=t, organization_id=w.other_org.id, started_on=date(2021, 2, 1)),
        ]
    )
    opp_2019, shift_2019, opp_2018 = (
        Opportunity(tenant_id=t, kind=kind, title=f"{kind.title_ru} {y}", year=y)
        for kind, y in (
            (OpportunityKind.INTERNSHIP, 2019),
            (OpportunityKind.PROFILE_SHIFT, 2019),
            (OpportunityKind.INTERNSHIP, 2018),
        )
    )
    db.session.add_all([opp_2019, shift_2019, opp_2018])
    db.session.flush()
    a, b, c = (w.person(f"Стажёров{n}", "Иван", None, date(2003, 1, n)) for n in (1, 2, 3))
    db.session.add_all(
        [
            Placement(tenant_id=t, opportunity_id=opp.id, person_id=p.id, placed_on=on)
            for opp, p, on in (
                (opp_2019, a, date(2019, 7, 1)),
                (opp_2019, b, date(2019, 7, 1)),
                (shift_2019, b, date(2019, 8, 1)),  # b counts once
                (opp_2018, c, date(2018, 7, 1)),
            )
        ]
    )
    db.session.commit()
    admin = app.test_client()
    login(admin, w.admin.email)

    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False):
        assert _coverage(app, w.coord1) == ("Охват в 2019 году", [("Первый район", True)])
        assert _coverage(app, w.coord2) == ("Охват в 2019 году", [("Второй район", False)])
        login(admin, w.admin.email)
        page = admin.get("/admin/programme/partnerships").get_data(as_text=True)
        assert 'Действующих партнёрств в 2019 году: <strong data-testid="active">1<' in page
        page = admin.get("/admin/programme/opportunities").get_data(as_text=True)
        assert 'Разных людей с участием в 2019 году: <strong data-testid="placed">2<' in page
        page = admin.get("/admin/programme/opportunities?year=2018").get_data(as_text=True)
        assert 'Разных людей с участием в 2018 году: <strong data-testid="placed">1<' in page
        assert admin.get("/admin/report.json").get_json()["year"] == 2019

        _edition(w, 2027, w.first, 3)  # planned: not data yet
        assert _coverage(app, w.coord1) == ("Охват в 2019 году", [("Первый район", True)])
        _edition(w, 2026, w.second, 4)
        assert _coverage(app, w.coord1) == ("Охват в 2026 году", [("Первый район", False)])
        assert _coverage(app, w.coord2) == ("Охват в 2026 году", [("Второй район", True)])
        page = admin.get("/admin/programme/partnerships").get_data(as_text=True)
        assert 'Действующих партнёрств в 2026 году: <strong data-testid="active">2<' in page
        page = admin.get("/admin/programme/opportunities").get_data(as_text=True)
        assert 'Разных людей с участием в 2026 году: <strong data-testid="placed">0<' in page
        assert admin.get("/admin/report.json").get_json()["year"] == 2026


def test_a_bank_without_editions_shows_last_year(app, factory):
    w = World(factory, with_events=False)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=False):
        assert _coverage(app, w.coord1) == ("Охват в 2025 году", [("Первый район", False)])


def test_admin_sees_the_projects_counts_in_one_query(app, factory):
    tenant = factory.tenant()  # two municipalities
    other = factory.tenant()
    for _ in range(3):
        factory.organization(tenant)
    factory.organization(other)
    admin = factory.user(tenant, "admin")
    factory.user(tenant, "coordinator")
    factory.user(tenant, "expert")
    factory.user(other, "admin")
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    html = client.get("/admin/").get_data(as_text=True)
    counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', html))
    assert counts == {"municipalities": "2", "organizations": "3", "users": "3"}


def test_admin_sees_expiring_accreditations_and_failed_mails(app, factory, clock):
    """The three figures read in one query (accreditations expiring, mails failed, consents
    expiring) each land on their own line."""
    w = World(factory, experts=3)
    accredited(w, valid=(2019, 2020), title="Истекающая")  # 2.03.2020 + 60 days: still 2020
    accredited(w, valid=(2019, 2021), title="Действующая")
    for subject in ("Первое", "Второе"):
        db.session.add(
            Notification(
                tenant_id=w.tenant.id,
                user_id=w.admin.id,
                subject=subject,
                mail_state=MailState.FAILED,
            )
        )
    db.session.commit()
    client = app.test_client()
    login(client, w.admin.email)
    todo = todo_of(client, "/admin/")
    assert ("expiring", 1, "/admin/accreditation?state=accredited&expiring=1") in todo
    assert ("outbox", 2, "/admin/outbox") in todo


def test_admin_sees_nominations_to_assign_and_their_overdue_reviews(app, factory, clock):
    """The nominations' lines, counted in the same statement as the rest of the list."""
    w = nomination_world(factory)
    nomination_in_review(w)
    for n in range(2):
        nomination_submitted(w, person=w.person(f"Иванов{n}", "Иван", None, date(2006, 1, n + 1)))
    client = app.test_client()
    login(client, w.admin.email)
    assert todo_of(client, "/admin/") == [("nom_assign", 2, "/admin/nominations?state=submitted")]
    with counted(app) as statements:
        client.get("/admin/")
    assert len([s for s in statements if "nomination" in s]) == 1
    clock.move_to(datetime(2020, 3, 20, 9, 0))  # the review's deadline (16.03) has passed
    login(client, w.admin.email)
    assert todo_of(client, "/admin/") == [
        ("reviews_overdue_nom", 1, "/admin/nominations?state=in_review"),
        ("nom_assign", 2, "/admin/nominations?state=submitted"),
    ]
