"""Reference data pages (issue 11 item 1): municipalities created, renamed, ordered, retired
and deleted only with nothing behind them; organisations merged with every reference moved;
both imported from XLSX/CSV (preview, row errors, all or nothing) and exported; a platform
admin creates a tenant, its first admin and its municipalities from one page."""

import io
import re
from datetime import date

import openpyxl
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AuditEntry,
    Event,
    Invitation,
    Membership,
    Municipality,
    Organization,
    Partnership,
    Person,
    Tenant,
    User,
)
from tests.factories import make_person, partnership
from tests.support import logged_in as client_for, post_form, upload_file, xlsx_bytes


def munis(tenant_id):
    db.session.expire_all()
    return db.session.execute(
        sa.select(
            Municipality.sort_order,
            Municipality.name,
            Municipality.kind,
            Municipality.aliases,
            Municipality.is_retired,
        )
        .where(Municipality.tenant_id == tenant_id)
        .order_by(Municipality.sort_order, Municipality.name)
    ).all()


def audit(action):
    return db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.details).where(AuditEntry.action == action)
    ).all()


def test_municipality_create_rename_order_retire_delete(app, world):
    client = client_for(app, world.admin)
    resp = post_form(
        client,
        "/admin/municipalities/new",
        {"name": " Берёзовский   район ", "kind": "district", "sort_order": "", "aliases": ""},
    )
    assert resp.status_code == 302
    new = db.session.scalar(sa.select(Municipality).where(Municipality.name == "Берёзовский район"))
    assert new.sort_order == 3  # after the last (the factory numbers from 0)
    # the same name typed another way is taken
    html = post_form(
        client,
        "/admin/municipalities/new",
        {"name": "БЕРЕЗОВСКИЙ район", "kind": "district", "aliases": ""},
    ).get_data(as_text=True)
    assert "Название «БЕРЕЗОВСКИЙ район» уже занято: «Берёзовский район» в справочнике." in html
    # renamed and moved first: the former name stays as an alias
    url = f"/admin/municipalities/{new.id}/edit"
    post_form(
        client,
        url,
        {
            "name": "Березовский округ",
            "kind": "city_okrug",
            "sort_order": "0",
            "aliases": "Берёзовка",
        },
    )
    assert munis(world.tenant.id)[:2] == [
        (0, "Березовский округ", "city_okrug", ["Берёзовка", "Берёзовский район"], False),
        (0, "Первый район", "district", [], False),
    ]
    # retired: gone from the organisation form's choices, still listed
    post_form(client, f"/admin/municipalities/{new.id}/retire", {"retire": "1"})
    assert munis(world.tenant.id)[0][4] is True
    page = client.get("/admin/reference").get_data(as_text=True)
    assert (
        'Березовский округ</a> <span class="badge bg-warning text-dark">выведен из употребления'
        in page
    )
    assert f'<option value="{new.id}"' not in page
    # deleted: nothing behind it
    resp = post_form(client, f"/admin/municipalities/{new.id}/delete", {})
    assert resp.headers["Location"] == "/admin/reference"
    assert [m[1] for m in munis(world.tenant.id)] == [
        "Первый район",
        "Второй район",
        "Третий район",
    ]
    assert [d["name"] for _id, d in audit("municipality.delete")] == ["Березовский округ"]
    # one with rows behind it is refused (a person lives there)
    make_person(world.tenant, municipality=world.third)
    resp = post_form(client, f"/admin/municipalities/{world.third.id}/delete", {})
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert (
        "На муниципалитет «Третий район» ссылаются записи (2): удалить нельзя, "
        "его можно вывести из употребления." in html
    )
    assert len(munis(world.tenant.id)) == 3
    # without JavaScript the delete asks on a page first
    html = post_form(
        client, f"/admin/municipalities/{world.third.id}/delete", {}, confirm=False
    ).get_data(as_text=True)
    assert "Удалить муниципалитет «Третий район»?" in html


def test_merge_moves_every_reference_and_is_audited(app, world):
    source, target = world.rcro, world.other_org
    source_id, target_id = source.id, target.id
    person = make_person(world.tenant, organization=source, municipality=world.first)
    partnership(world.tenant, source, date(2019, 1, 1))
    partnership(world.tenant, target, date(2018, 1, 1))
    db.session.commit()
    client = client_for(app, world.admin)
    url = f"/admin/organizations/{source_id}/merge"
    resp = post_form(
        client, url, {"target_id": str(target_id)}, form_url=f"/admin/organizations/{source_id}"
    )
    assert resp.headers["Location"] == f"/admin/organizations/{target_id}"
    db.session.expire_all()
    assert db.session.get(Organization, source_id) is None
    assert db.session.get(Person, person.id).organization_id == target_id
    assert db.session.scalars(
        sa.select(Event.organizer_id).where(Event.tenant_id == world.tenant.id)
    ).all() == [target_id, target_id]
    assert db.session.scalars(
        sa.select(Membership.organization_id).where(Membership.user_id == world.organizer.id)
    ).all() == [target_id]
    assert db.session.execute(
        sa.select(Partnership.organization_id, Partnership.started_on)
    ).all() == [(target_id, date(2018, 1, 1))]
    assert db.session.get(Organization, target_id).aliases == ["Центр развития"]
    [(obj, details)] = audit("organization.merge")
    assert obj == target_id
    assert details["source_name"] == "Центр развития"
    assert details["moved"] == {
        "event.organizer_id": 2,
        "membership.organization_id": 1,
        "person.organization_id": 1,
    }
    html = client.get(f"/admin/organizations/{target_id}").get_data(as_text=True)
    assert 'name="aliases">\r\nЦентр развития</textarea>' in html


MUNI_HEADER = ["Название", "Тип", "Порядок", "Другие названия"]
ORG_HEADER = ["Название", "Тип", "Муниципалитет", "Региональное подчинение", "Другие названия"]


def test_import_municipalities_and_organisations_then_export(app, world):
    client = client_for(app, world.admin)
    # a file with errors loads nothing
    bad = xlsx_bytes(
        [
            ["Новый район", "район", 5, ""],
            ["Ещё", "область", "", ""],
            ["новый  РАЙОН", "район", 6, ""],
        ],
        MUNI_HEADER,
    )
    preview = upload_file(client, "/admin/reference/municipalities/import", bad, "m.xlsx").headers[
        "Location"
    ]
    html = client.get(preview).get_data(as_text=True)
    assert "строк 3, ошибок 2" in html
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )
    assert errors == [
        (
            "3",
            "Тип",
            "недопустимое значение (возможно: район, муниципальный район, город, городской округ, ЗАТО, другой регион)",
        ),
        ("4", "Название", "повторяет строку 2"),
    ]
    assert "В файле есть ошибки" in post_form(client, preview, {"commit": "1"}).get_data(
        as_text=True
    )
    assert len(munis(world.tenant.id)) == 3
    # a good file: one new, one known by another spelling (updated, not doubled)
    good = xlsx_bytes(
        [
            ["Новый район", "район", 5, "Новый р-н; Новое"],
            ["ПЕРВЫЙ район", "район", 1, ""],
            ["г. Кемерово", "другой регион", 100, ""],
        ],
        MUNI_HEADER,
    )
    preview = upload_file(client, "/admin/reference/municipalities/import", good, "m.xlsx").headers[
        "Location"
    ]
    html = client.get(preview).get_data(as_text=True)
    assert "строк 3, ошибок 0. Новых: 2; уже в справочнике (будут обновлены): 1." in html
    post_form(client, preview, {"commit": "1"})
    assert munis(world.tenant.id) == [
        (1, "Второй район", "district", [], False),
        (1, "ПЕРВЫЙ район", "district", [], False),  # the same key: no alias needed
        (2, "Третий район", "district", [], False),
        (5, "Новый район", "district", ["Новый р-н", "Новое"], False),
        (100, "г. Кемерово", "other_region", [], False),
    ]
    good_orgs = [
        [
            "Лицей № 1 (Новый район)",
            "Общеобразовательная организация",
            "новый р-н",
            "да",
            "Лицей 1",
        ],
        ["Колледж", "колледж", "", "нет", ""],
    ]
    unknown_municipality = ["Школа", "школа", "Нет такого", "", ""]

    def org_preview(rows) -> str:
        orgs = xlsx_bytes(rows, ORG_HEADER)
        url = "/admin/reference/organizations/import"
        return upload_file(client, url, orgs, "o.xlsx").headers["Location"]

    html = client.get(org_preview([*good_orgs, unknown_municipality])).get_data(as_text=True)
    assert "строк 3, ошибок 1" in html
    preview = org_preview(good_orgs)
    post_form(client, preview, {"commit": "1"})
    new_muni = db.session.scalar(
        sa.select(Municipality.id).where(Municipality.name == "Новый район")
    )
    assert db.session.execute(
        sa.select(
            Organization.name,
            Organization.kind,
            Organization.municipality_id,
            Organization.is_regional_subordination,
            Organization.aliases,
        )
        .where(Organization.name.in_(["Лицей № 1 (Новый район)", "Колледж"]))
        .order_by(Organization.name)
    ).all() == [
        ("Колледж", "college", None, False, []),
        ("Лицей № 1 (Новый район)", "school", new_muni, True, ["Лицей 1"]),
    ]
    # the export carries the same titles, and loads back without a change
    data = client.get("/admin/reference/export.xlsx").data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(wb["Муниципалитеты"].iter_rows(values_only=True))
    assert rows[0] == ("Название", "Тип", "Порядок", "Другие названия", "Выведен из употребления")
    assert rows[4] == ("Новый район", "район", 5, "Новый р-н; Новое", "нет")
    lyceum = [r for r in wb["Организации"].iter_rows(values_only=True) if r[0].startswith("Лицей")]
    assert lyceum == [
        (
            "Лицей № 1 (Новый район)",
            "Общеобразовательная организация",
            "Новый район",
            "да",
            "Лицей 1",
        )
    ]
    buf = io.BytesIO()
    only = openpyxl.Workbook()
    sheet = only.active
    for r in wb["Организации"].iter_rows(values_only=True):
        sheet.append(list(r))
    only.save(buf)
    preview = upload_file(
        client, "/admin/reference/organizations/import", buf.getvalue(), "back.xlsx"
    ).headers["Location"]
    assert "ошибок 0. Новых: 0; уже в справочнике (будут обновлены): 8." in client.get(
        preview
    ).get_data(as_text=True)


def test_platform_admin_creates_a_region_with_its_municipalities(app, factory):
    root = factory.user(platform_admin=True)
    client = client_for(app, root)
    resp = post_form(
        client,
        "/platform/",
        {
            "slug": "kuzbass",
            "name": "Кадровый резерв Кузбасса",
            "admin_email": "op@example.org",
            "admin_name": "Оператор Кузбасса",
            "municipalities": "г. Кемерово\nБеловский район\n\nЗАТО Тайга\nг.о. Новокузнецк\n",
        },
    )
    assert resp.status_code == 302
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "kuzbass"))
    assert munis(tenant.id) == [
        (1, "г. Кемерово", "city", [], False),
        (2, "Беловский район", "district", [], False),
        (3, "ЗАТО Тайга", "zato", [], False),
        (4, "г.о. Новокузнецк", "city_okrug", [], False),
    ]
    assert db.session.execute(
        sa.select(User.email, Invitation.role)
        .join(User, User.id == Invitation.user_id)
        .where(Invitation.tenant_id == tenant.id)
    ).all() == [("op@example.org", "admin")]


def _alerts(page: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'role="alert"[^>]*>(.*?)<', page, re.S)]


def test_admin_adds_and_edits_an_organisation_through_its_form(app, world):
    client = client_for(app, world.admin)
    resp = post_form(
        client,
        "/admin/reference",
        {
            "name": "Колледж связи",
            "kind": "college",
            "municipality_id": str(world.second.id),
            "is_regional_subordination": "y",
            "aliases": "Техникум связи\n\nКС",
        },
    )
    assert resp.headers["Location"] == "/admin/reference"
    assert _alerts(client.get("/admin/reference").get_data(as_text=True)) == [
        "Организация добавлена."
    ]
    org = db.session.scalars(sa.select(Organization).filter_by(name="Колледж связи")).one()
    assert (org.kind.value, org.municipality_id, org.is_regional_subordination, org.aliases) == (
        "college",
        world.second.id,
        True,
        ["Техникум связи", "КС"],
    )
    url = f"/admin/organizations/{org.id}"
    resp = post_form(
        client, url, {"name": "Колледж связи № 1", "kind": "college", "municipality_id": "0"}
    )
    assert resp.headers["Location"] == url
    db.session.expire_all()
    org = db.session.get(Organization, org.id)
    assert (org.name, org.municipality_id, org.is_regional_subordination, org.aliases) == (
        "Колледж связи № 1",
        None,
        False,
        ["Техникум связи", "КС", "Колледж связи"],  # the former name is kept as an alias
    )
    resp = post_form(client, url, {"name": "МБОУ «СОШ № 1»", "kind": "school"})
    assert resp.status_code == 200
    assert _alerts(resp.get_data(as_text=True)) == [
        "Название «МБОУ «СОШ № 1»» уже занято: «МБОУ «СОШ № 1»» в справочнике."
    ]


def test_cancelling_a_reference_preview_deletes_it_and_goes_back(app, world):
    client = client_for(app, world.admin)
    url = "/admin/reference/municipalities/import"
    good = xlsx_bytes([["Новый район", "район", 5, ""]], MUNI_HEADER)
    preview = upload_file(client, url, good, "m.xlsx").headers["Location"]
    resp = post_form(client, preview, {"cancel": "1"})
    assert resp.headers["Location"] == url
    assert _alerts(client.get(url).get_data(as_text=True)) == ["Загрузка отменена."]
    assert client.get(preview).status_code == 404
    assert len(munis(world.tenant.id)) == 3
