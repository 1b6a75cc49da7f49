"""Opportunities and placements (criterion 5), publications (6), partnerships (3)."""

import io
import re
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from mkr_web.extensions import db
from mkr_web.models import (
    Opportunity,
    OpportunityKind,
    Organization,
    OutletKind,
    Partnership,
    Placement,
    Publication,
)
from mkr_web.operations import programme as ops
from tests.factories import World, make_opportunity
from tests.support import csrf_token, logged_in, login, post_form
from workflows.lifecycle import PersonStatus


def admin_client(app, world):
    return logged_in(app, world.admin)


def test_placement_pages(app, world, factory):
    person = world.person(
        "Ёлкина", "Алёна", None, date(2004, 1, 1), status=PersonStatus.RESIDENT_SCHOOL
    )
    stranger = World(factory).person("Ёлкина", "Алёна", None, date(2004, 1, 1))
    client = admin_client(app, world)
    resp = post_form(
        client,
        "/admin/programme/opportunities",
        {
            "kind": "internship",
            "title": "Стажировка на предприятии",
            "partner_id": str(world.university.id),
            "year": "2019",
            "starts_on": "2019-09-16",
            "ends_on": "2019-09-18",
        },
    )
    opp = db.session.execute(sa.select(Opportunity)).scalar_one()
    url = f"/admin/programme/opportunities/{opp.id}"
    assert resp.status_code == 302 and resp.headers["Location"] == url
    assert (opp.kind, opp.partner_id, opp.starts_on) == (
        OpportunityKind.INTERNSHIP,
        world.university.id,
        date(2019, 9, 16),
    )
    # search by POST (names stay out of URLs), ё/е-insensitive
    html = post_form(client, f"{url}/search", {"q": "елкина"}, form_url=url).get_data(as_text=True)
    assert re.findall(r'<tr data-person="(\d+)">', html) == [str(person.id)]
    assert (
        post_form(
            client, f"{url}/placements", {"person_id": str(stranger.id)}, form_url=url
        ).status_code
        == 404
    )
    resp = post_form(
        client,
        f"{url}/placements",
        {"person_id": str(person.id), "placed_on": "2019-09-17"},
        form_url=url,
    )
    assert resp.status_code == 302
    placement = db.session.execute(sa.select(Placement)).scalar_one()
    assert (placement.person_id, placement.placed_on) == (person.id, date(2019, 9, 17))
    html = client.get(url).get_data(as_text=True)
    assert re.findall(r'<tr data-person="(\d+)">', html) == [str(person.id)]
    listing = client.get("/admin/programme/opportunities?year=2019").get_data(as_text=True)
    assert 'data-testid="placed">1<' in listing
    # the export has both sheets
    resp = client.get("/admin/programme/opportunities.xlsx?year=2019")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert [list(r) for r in wb["Возможности"].iter_rows(min_row=2, values_only=True)] == [
        [
            "Стажировка",
            "Стажировка на предприятии",
            "Университет",
            2019,
            wb["Возможности"]["E2"].value,
            wb["Возможности"]["F2"].value,
            1,
        ]
    ]
    assert wb["Возможности"]["E2"].value.date() == date(2019, 9, 16)
    rows = [list(r) for r in wb["Участники"].iter_rows(min_row=2, values_only=True)]
    assert [r[:5] for r in rows] == [
        [
            "Стажировка на предприятии",
            "Стажировка",
            "Ёлкина Алёна",
            "Резидент (школьник)",
            "Первый район",
        ]
    ]
    # remove
    assert (
        post_form(
            client, f"/admin/programme/placements/{placement.id}/delete", {}, form_url=url
        ).status_code
        == 302
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0


def test_publications(app, world):
    client = admin_client(app, world)
    news = {
        "title": '=HYPERLINK("x") Итоги форума',
        "outlet": "РИА",
        "outlet_kind": "news_agency",
        "url": "javascript:alert(1)",
        "published_on": "2019-04-02",
    }
    resp = post_form(client, "/admin/programme/publications", news)
    assert "Ссылка должна начинаться с http" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == 0
    resp = post_form(
        client, "/admin/programme/publications", {**news, "url": "https://example.test/a"}
    )
    assert resp.status_code == 302
    post_form(
        client,
        "/admin/programme/publications",
        {
            "title": "Конференция",
            "outlet": "Сайт партнёра",
            "outlet_kind": "partner_site",
            "published_on": "2018-12-30",
        },
    )
    pubs = db.session.scalars(sa.select(Publication).order_by(Publication.id)).all()
    assert [(p.outlet_kind, p.published_on) for p in pubs] == [
        (OutletKind.NEWS_AGENCY, date(2019, 4, 2)),
        (OutletKind.PARTNER_SITE, date(2018, 12, 30)),
    ]
    wb = load_workbook(io.BytesIO(client.get("/admin/programme/publications.xlsx?year=2019").data))
    assert [list(r) for r in wb.active.iter_rows(min_row=2, values_only=True)][0][1:] == [
        '\'=HYPERLINK("x") Итоги форума',
        "РИА",
        "Информационное агентство",
        "https://example.test/a",
    ]
    assert wb.active.max_row == 2  # 2019 only
    url = f"/admin/programme/publications/{pubs[1].id}"
    assert (
        post_form(
            client,
            url,
            {
                "title": "Конференция (ред.)",
                "outlet": "Сайт партнёра",
                "outlet_kind": "partner_site",
                "published_on": "2019-01-10",
            },
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Publication, pubs[1].id).title == "Конференция (ред.)"
    assert post_form(client, f"{url}/delete", {}, form_url=url).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == 1


def test_partnerships(app, world):
    client = admin_client(app, world)
    resp = post_form(
        client,
        "/admin/programme/partnerships",
        {"organization_id": str(world.university.id), "started_on": "2016-09-01"},
    )
    assert resp.status_code == 302
    resp = post_form(
        client,
        "/admin/programme/partnerships",
        {
            "organization_id": "0",
            "new_name": "ПАО «Завод»",
            "new_kind": "business",
            "started_on": "2019-09-01",
            "note": "стажировки",
        },
    )
    assert resp.status_code == 302
    resp = post_form(
        client,
        "/admin/programme/partnerships",
        {"organization_id": str(world.university.id), "started_on": "2019-01-01"},
    )
    assert "Партнёрство с «Университет» уже записано" in resp.get_data(as_text=True)
    resp = post_form(
        client,
        "/admin/programme/partnerships",
        {
            "organization_id": str(world.rcro.id),
            "started_on": "2019-01-02",
            "ended_on": "2019-01-01",
        },
    )
    assert "Дата окончания раньше" in resp.get_data(as_text=True)
    rows = db.session.execute(
        sa.select(Organization.name, Organization.kind, Partnership.started_on, Partnership.note)
        .join(Partnership.organization)
        .order_by(Partnership.started_on)
    ).all()
    assert [(n, k.value, s, note) for n, k, s, note in rows] == [
        ("Университет", "university", date(2016, 9, 1), None),
        ("ПАО «Завод»", "business", date(2019, 9, 1), "стажировки"),
    ]
    page = client.get("/admin/programme/partnerships").get_data(as_text=True)
    assert 'data-testid="active">2<' in page
    wb = load_workbook(io.BytesIO(client.get("/admin/programme/partnerships.xlsx").data))
    assert [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)] == [
        "Университет",
        "ПАО «Завод»",
    ]


ADMIN_PAGES = [
    "/admin/programme/opportunities",
    "/admin/programme/opportunities/{opp}",
    "/admin/programme/opportunities.xlsx",
    "/admin/programme/publications",
    "/admin/programme/publications/{pub}",
    "/admin/programme/publications.xlsx",
    "/admin/programme/partnerships",
    "/admin/programme/partnerships/{partner}",
    "/admin/programme/partnerships.xlsx",
]
ADMIN_POSTS = [
    "/admin/programme/opportunities/{opp}/delete",
    "/admin/programme/opportunities/{opp}/search",
    "/admin/programme/opportunities/{opp}/placements",
    "/admin/programme/placements/{placement}/delete",
    "/admin/programme/publications/{pub}/delete",
    "/admin/programme/partnerships/{partner}/delete",
]
DASHBOARDS = {
    "coordinator": "/coordinator/",
    "organizer": "/organizer/",
    "expert": "/expert/",
    "platform-admin": "/platform/",
}


def test_role_matrix_and_other_tenant(app, world, factory):
    opp = make_opportunity(world)
    person = world.person("Ёлкина", "Алёна", None, date(2004, 1, 1))
    placement = ops.add_placement(opp, person)
    pub = ops.save_publication(
        world.tenant,
        None,
        title="t",
        outlet="o",
        outlet_kind=OutletKind.PARTNER_SITE,
        published_on=date(2019, 1, 1),
    )
    partner = ops.save_partnership(
        world.tenant, None, organization=world.university, started_on=date(2016, 1, 1)
    )
    db.session.commit()
    ids = {"opp": opp.id, "pub": pub.id, "partner": partner.id, "placement": placement.id}
    admin = admin_client(app, world)
    for url in ADMIN_PAGES:
        assert admin.get(url.format(**ids)).status_code == 200, url
    users = {
        "coordinator": world.coord1,
        "organizer": world.organizer,
        "expert": world.expert,
        "platform-admin": factory.user(platform_admin=True),
    }
    for role, user in users.items():
        client = app.test_client()
        login(client, user.email)
        for url in ADMIN_PAGES:
            assert client.get(url.format(**ids)).status_code == 403, (role, url)
        token = csrf_token(client, DASHBOARDS[role])
        for url in ADMIN_POSTS:
            assert client.post(url.format(**ids), data={"csrf_token": token}).status_code == 403, (
                role,
                url,
            )
    other = World(factory)
    foreign = admin_client(app, other)
    for url in ADMIN_PAGES:
        if "{" in url:
            assert foreign.get(url.format(**ids)).status_code == 404, url
    token = csrf_token(foreign, "/admin/")
    for url in ADMIN_POSTS:
        assert (
            foreign.post(
                url.format(**ids),
                data={"csrf_token": token, "q": "ёлкина", "person_id": str(person.id)},
            ).status_code
            == 404
        ), url


def test_edit_and_delete_pages(app, world):
    opp = make_opportunity(world)
    person = world.person("Ёлкина", "Алёна", None, date(2004, 1, 1))
    ops.add_placement(opp, person)
    partner = ops.save_partnership(
        world.tenant, None, organization=world.university, started_on=date(2016, 1, 1)
    )
    db.session.commit()
    client = admin_client(app, world)
    url = f"/admin/programme/opportunities/{opp.id}"
    data = {
        "kind": "expert_role",
        "title": "Экспертная работа",
        "partner_id": str(world.rcro.id),
        "year": "2019",
        "starts_on": "2019-02-01",
        "ends_on": "",
    }
    assert post_form(client, url, dict(data, title="")).status_code == 400
    assert (
        post_form(client, url, dict(data, year="2020", starts_on="")).status_code == 302
    )  # refused: placed in 2019
    db.session.expire_all()
    assert db.session.get(Opportunity, opp.id).year == 2019
    assert "Год не совпадёт" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, data).status_code == 302
    db.session.expire_all()
    opp = db.session.get(Opportunity, opp.id)
    assert (opp.kind, opp.title, opp.partner_id, opp.starts_on, opp.ends_on) == (
        OpportunityKind.EXPERT_ROLE,
        "Экспертная работа",
        world.rcro.id,
        date(2019, 2, 1),
        None,
    )
    assert post_form(client, f"{url}/delete", {}, form_url=url).headers["Location"] == (
        "/admin/programme/opportunities?year=2019"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opportunity)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0

    purl = f"/admin/programme/partnerships/{partner.id}"
    assert (
        post_form(
            client,
            purl,
            {
                "organization_id": str(world.university.id),
                "started_on": "2015-05-05",
                "ended_on": "2019-12-31",
                "note": "договор",
            },
        ).status_code
        == 302
    )
    db.session.expire_all()
    p = db.session.get(Partnership, partner.id)
    assert (p.started_on, p.ended_on, p.note) == (date(2015, 5, 5), date(2019, 12, 31), "договор")
    assert post_form(client, f"{purl}/delete", {}, form_url=purl).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Partnership)) == 0


def test_every_export_is_audited_with_its_table_and_year(app, world):
    from mkr_web.models import AuditEntry

    client = admin_client(app, world)
    for url, name in (
        ("/admin/programme/opportunities.xlsx?year=2019", "opportunities-2019.xlsx"),
        ("/admin/programme/publications.xlsx", "publications-all.xlsx"),
        ("/admin/programme/partnerships.xlsx", "partnerships.xlsx"),
    ):
        resp = client.get(url)
        assert resp.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    db.session.expire_all()
    details = db.session.scalars(
        sa.select(AuditEntry.details)
        .where(AuditEntry.action == "programme.export")
        .order_by(AuditEntry.id)
    ).all()
    assert details == [
        {"table": "opportunities", "year": 2019},
        {"table": "publications", "year": None},
        {"table": "partnerships"},
    ]
