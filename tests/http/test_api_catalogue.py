"""The public catalogue of a tenant (no login): accredited events with their validity, the
upcoming editions, an iCal feed; no personal data; cached (in process and by HTTP)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from mkr_web.extensions import db
from mkr_web.models import AccreditationApplication, EventEdition, Person
from mkr_web.public import catalogue
from tests.factories import World
from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState


@pytest.fixture
def w(factory):
    catalogue._cache.clear()
    w = World(factory, "cat", admins=1)
    this_year = date.today().year
    db.session.add(
        AccreditationApplication(
            tenant_id=w.tenant.id,
            number="ЗАЯВ-2020-001",
            organizer_id=w.rcro.id,
            event_id=w.event.id,
            title=w.event.title,
            direction=w.event.direction,
            level=w.event.level,
            state=ReviewState.ACCREDITED,
            valid_from_year=this_year - 1,
            valid_to_year=this_year + 1,
            decided_by_id=w.admin.id,
            decided_at=datetime(this_year - 1, 2, 1),
        )
    )
    soon = date.today() + timedelta(days=10)
    w.upcoming = EventEdition(
        tenant_id=w.tenant.id,
        event_id=w.event.id,
        year=soon.year + 1,
        title="Шаг в науку — весна",
        starts_on=soon,
        ends_on=soon + timedelta(days=2),
    )
    db.session.add(w.upcoming)
    w.person("Секретова", "Анна", None, date(2006, 1, 1), PersonStatus.RESIDENT_SCHOOL)
    db.session.commit()
    yield w
    catalogue._cache.clear()


def test_catalogue_page_lists_accredited_events_and_upcoming_editions(client, w):
    resp = client.get("/catalogue/cat")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    accredited = html.split('data-testid="accredited"')[1].split("</table>")[0]
    year = date.today().year
    assert "Конференция «Шаг в науку»" in accredited and f"{year - 1}–{year + 1}" in accredited
    assert "действует" in accredited and "Фестиваль идей" not in accredited
    upcoming = html.split('data-testid="upcoming"')[1].split("</table>")[0]
    assert "Шаг в науку — весна" in upcoming and "аккредитовано" in upcoming
    assert "2019" not in upcoming  # past editions are not upcoming
    assert "Секретова" not in html and "Центр развития" in html
    assert resp.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/catalogue/cat", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/catalogue/nope").status_code == 404


def test_catalogue_is_cached_in_process(client, w):
    assert "Шаг в науку — весна" in client.get("/catalogue/cat").get_data(as_text=True)
    w.upcoming.title = "Переименовано"
    db.session.commit()
    assert "Шаг в науку — весна" in client.get("/catalogue/cat").get_data(as_text=True)
    catalogue._cache.clear()  # what the TTL's end does
    assert "Переименовано" in client.get("/catalogue/cat").get_data(as_text=True)


def test_ical_feed_of_upcoming_editions(client, w):
    resp = client.get("/catalogue/cat/editions.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.get_data())
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Шаг в науку — весна"]
    e = events[0]
    assert e["uid"] == f"edition-{w.upcoming.id}@cat.mkr"
    assert e.decoded("dtstart") == w.upcoming.starts_on
    assert e.decoded("dtend") == w.upcoming.ends_on + timedelta(days=1)
    assert "аккредитовано" in str(e["description"])
    assert "Секретова" not in resp.get_data(as_text=True)
    assert db.session.query(Person).count() == 1
