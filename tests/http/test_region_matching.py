"""Names matched forgivingly by every import (DOMAIN 8.5, issue 11 item 2): case, ё/е, quotes,
repeated spaces, the municipality suffix in brackets, aliases; close names offered, never
guessed; templates carry the valid names with dropdowns and pass their own check."""

import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Person
from mkr_web.operations.admission_rows import COLUMNS
from tests.factories import World
from tests.support import logged_in as client_for, post_form, upload_file, xlsx_bytes

TITLES = [title for _key, title in COLUMNS]


@pytest.fixture
def world(factory):
    w = World(factory)
    t = w.tenant
    w.bere = _muni(t, "Берёзовский район", 10)
    w.seversk = _muni(t, "ЗАТО Северск", 11)
    w.sosh7 = factory.organization(t, w.seversk, name="МБОУ «СОШ № 7» (ЗАТО Северск)")
    w.gym_s = factory.organization(t, w.seversk, name="МБОУ «Гимназия № 2» (ЗАТО Северск)")
    w.gym_b = factory.organization(t, w.bere, name="МБОУ «Гимназия № 2» (Берёзовский район)")
    w.lyceum = factory.organization(
        t, w.seversk, name="Северский лицей", aliases=["МБОУ «Северский лицей»", "СЛ"]
    )
    return w


def _muni(tenant, name, order):
    from mkr_web.models import Municipality, MunicipalityKind

    m = Municipality(
        tenant_id=tenant.id, name=name, kind=MunicipalityKind.DISTRICT, sort_order=order
    )
    db.session.add(m)
    db.session.commit()
    return m


def protocol_row(surname, organization, municipality):
    return [
        surname,
        "Анна",
        "",
        date(2000, 1, 1),
        organization,
        "9 класс",
        municipality,
        "победитель",
        "",
        "",
        "",
    ]


def table_errors(html):
    return re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )


def test_protocol_rows_typed_as_people_type_them(app, world):
    rows = [
        protocol_row("Первая", 'мбоу  "сош №7"', "зато  северск"),
        protocol_row("Вторая", "МБОУ „Гимназия № 2“", "Березовский район"),
        protocol_row("Третья", "МБОУ Гимназия 2 (ЗАТО Северск)", "Березовский район"),
        protocol_row("Четвёртая", "мбоу «северский лицей»", "ЗАТО Северск"),
        protocol_row("Пятая", "МБОУ «СОШ № 7» (ЗАТО Северск)", "ЗАТО СЕВЕРСК"),
    ]
    client = client_for(app, world.organizer)
    url = f"/organizer/admission/editions/{world.edition.id}/protocol/upload"
    preview = upload_file(client, url, xlsx_bytes(rows, TITLES), "p.xlsx").headers["Location"]
    assert "строк 5, ошибок 0" in client.get(preview).get_data(as_text=True)
    post_form(client, preview, {"commit": "1"})
    got = db.session.execute(
        sa.select(
            AdmissionCandidate.surname,
            AdmissionCandidate.organization_id,
            AdmissionCandidate.municipality_id,
        ).order_by(AdmissionCandidate.row_no)
    ).all()
    assert got == [
        ("Первая", world.sosh7.id, world.seversk.id),
        ("Вторая", world.gym_b.id, world.bere.id),
        # the suffix typed in brackets wins over the pupil's own municipality
        ("Третья", world.gym_s.id, world.bere.id),
        ("Четвёртая", world.lyceum.id, world.seversk.id),
        ("Пятая", world.sosh7.id, world.seversk.id),
    ]


def test_no_match_names_up_to_three_close_names_and_never_guesses(app, world):
    rows = [
        protocol_row("Первая", "МБОУ «СОШ № 8» (ЗАТО Северск)", "ЗАТО Северск"),
        protocol_row("Вторая", "МБОУ «Гимназия № 2»", "Первый район"),
        protocol_row("Третья", "Университет", "Березовкий район"),
    ]
    client = client_for(app, world.organizer)
    url = f"/organizer/admission/editions/{world.edition.id}/protocol/upload"
    preview = upload_file(client, url, xlsx_bytes(rows, TITLES), "p.xlsx").headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert table_errors(html.replace("&#34;", '"')) == [
        (
            "2",
            "Образовательная организация",
            "организация «МБОУ «СОШ № 8» (ЗАТО Северск)» не найдена в справочнике; возможно: "
            "«МБОУ «СОШ № 7» (ЗАТО Северск)», «МБОУ «СОШ № 1»», «МБОУ «СОШ № 2»»",
        ),
        (
            "3",
            "Образовательная организация",
            "организация «МБОУ «Гимназия № 2»» неоднозначна: укажите муниципалитет в скобках; "
            "возможно: «МБОУ «Гимназия № 2» (Берёзовский район)», "
            "«МБОУ «Гимназия № 2» (ЗАТО Северск)»",
        ),
        (
            "4",
            "Муниципалитет",
            "муниципалитет «Березовкий район» не найден в справочнике; возможно: "
            "«Берёзовский район», «Первый район», «Третий район»",
        ),
    ]


def test_person_and_participant_imports_match_the_same_way(app, world):
    admin = client_for(app, world.admin)
    header = "Фамилия;Имя;Дата рождения;Муниципалитет;Образовательная организация\n"
    data = (
        header + "Иванова;Мария;05.03.2006;березовский  район;МБОУ Гимназия №2\n"
        "Петрова;Ольга;06.03.2006;;СЛ\n"
    ).encode("cp1251")
    resp = upload_file(admin, "/admin/people/import", data, "p.csv")
    preview = resp.headers["Location"]
    assert "строк 2, ошибок 0" in admin.get(preview).get_data(as_text=True)
    post_form(admin, preview, {"commit": "1"})
    assert db.session.execute(
        sa.select(Person.surname, Person.municipality_id, Person.organization_id).order_by(
            Person.surname
        )
    ).all() == [
        ("Иванова", world.bere.id, world.gym_b.id),
        ("Петрова", world.seversk.id, world.lyceum.id),
    ]
    base = f"/admin/editions/{world.edition.id}/participants"
    data = (header + "Сидорова;Ева;07.03.2006;ЗАТО северск;«Северский лицей»\n").encode("cp1251")
    preview = upload_file(admin, f"{base}/upload", data, "l.csv").headers["Location"]
    assert "ошибок 0" in admin.get(preview).get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/people/import/template.xlsx",
        "/admin/editions/{edition}/participants/template.xlsx",
        "/organizer/admission/editions/{edition}/protocol/template.xlsx",
    ],
)
def test_unchanged_template_passes_its_own_check(app, world, url):
    user = world.organizer if url.startswith("/organizer") else world.admin
    client = client_for(app, user)
    url = url.format(edition=world.edition.id)
    data = client.get(url).data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    names = wb["Справочник"]
    assert [c.value for c in names["A"] if c.value] == [
        "Муниципалитеты",
        "Первый район",
        "Второй район",
        "Третий район",
        "Берёзовский район",
        "ЗАТО Северск",
    ]
    assert [c.value for c in names["B"]][:4] == [
        "Организации",
        "Другой организатор",
        "МБОУ «Гимназия № 2» (Берёзовский район)",
        "МБОУ «Гимназия № 2» (ЗАТО Северск)",
    ]
    sheet = wb.worksheets[0]
    header = [c.value for c in sheet[1]]
    rules = {str(r.sqref).split(":")[0]: r.formula1 for r in sheet.data_validations.dataValidation}
    muni_col = openpyxl.utils.get_column_letter(header.index("Муниципалитет") + 1)
    org_col = openpyxl.utils.get_column_letter(header.index("Образовательная организация") + 1)
    assert rules == {
        f"{muni_col}2": "'Справочник'!$A$2:$A$6",
        f"{org_col}2": "'Справочник'!$B$2:$B$11",
    }
    upload = url.replace("template.xlsx", "upload")
    if "people" in url:
        upload = "/admin/people/import"
    resp = upload_file(client, upload, data, "template.xlsx")
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "строк 1, ошибок 0" in html
