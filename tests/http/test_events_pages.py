"""Events pages through HTTP: the organiser's own events, editions, the counts grid (all or
nothing), a participant added by hand; the admin's whole tenant; scope and tenants (404)."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    CountCategory,
    Direction,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Participation,
    ParticipationCount,
    Person,
)
from mkr_web.operations.events import EditionData, save_edition
from tests.factories import saved_event
from tests.support import login, post_form


@pytest.fixture
def scene(factory):
    tenant = factory.tenant()
    own = factory.organization(tenant, "Первый район", name="Наш центр", kind="supplementary")
    other_org = factory.organization(
        tenant, "Второй район", name="Чужой центр", kind="supplementary"
    )
    organizer = factory.user(tenant, "organizer", organization=own)
    admin = factory.user(tenant, "admin")
    mine = saved_event(tenant, own, "Наш фестиваль")
    theirs = saved_event(tenant, other_org, "Чужой форум")
    edition = save_edition(mine, EditionData(year=2019))
    their_edition = save_edition(theirs, EditionData(year=2019))
    db.session.commit()
    return {
        "tenant": tenant,
        "own": own,
        "organizer": organizer,
        "admin": admin,
        "mine": mine,
        "theirs": theirs,
        "edition": edition,
        "their_edition": their_edition,
    }


def test_organizer_sees_only_own_events(app, scene):
    client = app.test_client()
    login(client, scene["organizer"].email)
    html = client.get("/organizer/events").get_data(as_text=True)
    assert "Наш фестиваль" in html and "Чужой форум" not in html
    for url in (
        f"/organizer/events/{scene['theirs'].id}",
        f"/organizer/editions/{scene['their_edition'].id}",
        f"/organizer/editions/{scene['their_edition'].id}/counts",
        f"/organizer/editions/{scene['their_edition'].id}/participants",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/organizer/events/{scene['mine'].id}").status_code == 200


def test_organizer_creates_satellite_event_and_edition(app, scene):
    client = app.test_client()
    login(client, scene["organizer"].email)
    form = client.get("/organizer/events/new").get_data(as_text=True)
    assert 'value="accredited"' not in form  # accreditation is the only way to an accredited event
    resp = post_form(
        client,
        "/organizer/events/new",
        {
            "title": "Школа юного журналиста",
            "kind": "satellite",
            "direction": "media",
            "level": "municipal",
            "related_event_id": "0",
        },
    )
    assert resp.status_code == 302
    event = db.session.execute(
        sa.select(Event).where(Event.title == "Школа юного журналиста")
    ).scalar_one()
    assert (event.kind, event.direction, event.level, event.organizer_id) == (
        EventKind.SATELLITE,
        Direction.MEDIA,
        EventLevel.MUNICIPAL,
        scene["own"].id,
    )
    assert resp.headers["Location"] == f"/organizer/events/{event.id}"
    resp = post_form(
        client,
        f"/organizer/events/{event.id}/editions/new",
        {
            "year": "2019",
            "starts_on": "2019-01-23",
            "ends_on": "2019-01-25",
            "format": "video",
            "state": "moved",
            "note": "Перенесено с ноября 2018 года",
        },
    )
    edition = db.session.execute(
        sa.select(EventEdition).where(EventEdition.event_id == event.id)
    ).scalar_one()
    assert resp.headers["Location"] == f"/organizer/editions/{edition.id}"
    assert (
        edition.year,
        edition.starts_on,
        edition.state.value,
        edition.format.value,
        edition.note,
    ) == (2019, date(2019, 1, 23), "moved", "video", "Перенесено с ноября 2018 года")
    # a not-held edition without a note is refused with the reason
    resp = post_form(
        client,
        f"/organizer/events/{event.id}/editions/new",
        {"year": "2018", "format": "in_person", "state": "not_held", "note": ""},
    )
    assert resp.status_code == 200
    assert "укажите примечание" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EventEdition)
            .where(EventEdition.event_id == event.id)
        )
        == 1
    )


def test_organizer_cannot_post_accredited_kind(app, scene):
    client = app.test_client()
    login(client, scene["organizer"].email)
    resp = post_form(
        client,
        "/organizer/events/new",
        {
            "title": "Хитрое",
            "kind": "accredited",
            "direction": "media",
            "level": "regional",
            "related_event_id": "0",
        },
    )
    assert resp.status_code == 200
    assert db.session.execute(sa.select(Event).where(Event.title == "Хитрое")).first() is None


def _cells(html):
    return dict(re.findall(r'name="(c-\d+-\w+)" id="[^"]+" value="([^"]*)"', html))


def test_counts_grid_saves_all_or_nothing(app, scene):
    client = app.test_client()
    login(client, scene["organizer"].email)
    edition = scene["edition"]
    m1, m2 = scene["tenant"].municipalities
    url = f"/organizer/editions/{edition.id}/counts"
    cells = _cells(client.get(url).get_data(as_text=True))
    assert len(cells) == 2 * 3 and set(cells.values()) == {""}
    data = {f"c-{m1.id}-students": "40", f"c-{m1.id}-teachers": "4", f"c-{m2.id}-experts": "1"}
    resp = post_form(client, url, data)
    assert resp.status_code == 302
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            ParticipationCount.municipality_id,
            ParticipationCount.category,
            ParticipationCount.count,
        )
    ).all()
    assert sorted(rows) == sorted(
        [
            (m1.id, CountCategory.STUDENTS, 40),
            (m1.id, CountCategory.TEACHERS, 4),
            (m2.id, CountCategory.EXPERTS, 1),
        ]
    )
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="counts-total">45<' in page
    # one bad cell: nothing changes, the typed values come back with the error next to the cell
    resp = post_form(client, url, {f"c-{m1.id}-students": "50", f"c-{m2.id}-teachers": "пять"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "ничего не сохранено" in html and "целое неотрицательное число" in html
    assert _cells(html)[f"c-{m1.id}-students"] == "50"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.sum(ParticipationCount.count))) == 45
    # the edition page shows the totals per category
    edition_page = client.get(f"/organizer/events/{scene['mine'].id}").get_data(as_text=True)
    assert re.search(
        r"<td class=\"num\">40</td><td class=\"num\">4</td><td class=\"num\">1</td>\s*"
        r"<td class=\"num\">45</td>",
        edition_page,
    )


def test_participant_added_by_hand_matches_the_bank(app, scene):
    tenant = scene["tenant"]
    known = Person(tenant_id=tenant.id, surname="Ёлкина", name="Дарья", birth_on=date(2005, 3, 4))
    known.refresh_search_name()
    db.session.add(known)
    db.session.commit()
    client = app.test_client()
    login(client, scene["organizer"].email)
    url = f"/organizer/editions/{scene['edition'].id}/participants"
    resp = post_form(
        client,
        url,
        {
            "surname": "елкина",
            "name": "дарья",
            "patronymic": "",
            "birth_on": "2005-03-04",
            "municipality_id": "0",
            "organization_id": "0",
            "role": "winner",
            "place": "1",
            "section": "Медиа",
        },
    )
    assert resp.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "найден в банке по ФИО и дате рождения" in page
    assert "Ёлкина Дарья" in page and "Победитель" in page
    db.session.expire_all()
    assert db.session.execute(sa.select(Participation.person_id, Participation.place)).all() == [
        (known.id, 1)
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


def test_admin_manages_every_event_and_may_create_accredited(app, scene, factory):
    client = app.test_client()
    login(client, scene["admin"].email)
    html = client.get("/admin/events").get_data(as_text=True)
    assert "Наш фестиваль" in html and "Чужой форум" in html
    partner = factory.organization(
        scene["tenant"], "Первый район", name="Университет", kind="university"
    )
    resp = post_form(
        client,
        "/admin/events/new",
        {
            "title": "Ассамблея",
            "short_title": "Ассамблея",
            "kind": "accredited",
            "direction": "project_research",
            "level": "interregional",
            "organizer_id": str(scene["own"].id),
            "partner_ids": [str(partner.id)],
            "related_event_id": "0",
        },
    )
    assert resp.status_code == 302
    event = db.session.execute(sa.select(Event).where(Event.title == "Ассамблея")).scalar_one()
    assert event.kind is EventKind.ACCREDITED and [p.id for p in event.partners] == [partner.id]
    resp = post_form(
        client,
        f"/admin/events/{scene['theirs'].id}/editions/new",
        {"year": "2018", "format": "in_person", "state": "not_held", "note": "Не проводилось"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.execute(
        sa.select(EventEdition.state).where(EventEdition.year == 2018)
    ).scalar_one() is (EditionState.NOT_HELD)


def test_other_tenant_events_are_404(app, scene, factory):
    other = factory.tenant()
    admin_b = factory.user(other, "admin")
    client = app.test_client()
    login(client, admin_b.email)
    for url in (
        f"/admin/events/{scene['mine'].id}",
        f"/admin/editions/{scene['edition'].id}",
        f"/admin/editions/{scene['edition'].id}/counts",
        f"/admin/editions/{scene['edition'].id}/participants",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role,status", [("admin", 403), ("coordinator", 403), ("expert", 403)])
def test_organizer_pages_refuse_other_roles(app, scene, factory, role, status):
    user = factory.user(scene["tenant"], role)
    client = app.test_client()
    login(client, user.email)
    assert client.get("/organizer/events").status_code == status
    if role != "admin":
        assert client.get("/admin/events").status_code == 403


def test_saving_an_event_and_an_edition_redirects_to_them(client, scene):
    login(client, scene["organizer"].email)
    mine, edition = scene["mine"], scene["edition"]
    resp = post_form(
        client,
        f"/organizer/events/{mine.id}",
        {
            "title": "Наш фестиваль медиа",
            "short_title": "",
            "kind": "satellite",
            "direction": "media",
            "level": "regional",
            "related_event_id": "0",
        },
    )
    assert (resp.status_code, resp.headers["Location"]) == (302, f"/organizer/events/{mine.id}")
    resp = post_form(
        client,
        f"/organizer/editions/{edition.id}",
        {"year": "2019", "format": "in_person", "state": "held", "note": ""},
    )
    assert (resp.status_code, resp.headers["Location"]) == (
        302,
        f"/organizer/editions/{edition.id}",
    )
    db.session.expire_all()
    assert db.session.get(Event, mine.id).title == "Наш фестиваль медиа"
