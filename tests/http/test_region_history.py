"""History brought in for a fresh tenant (issue 11 item 4): a platform admin creates the
region with its municipalities, its admin loads organisations and three past years of persons
with dated status histories through the imports only; the report of each year equals the
figures computed here from the loaded rows. A past edition's participant list and a past
protocol (admitted on its own date) go through the same pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Organization
from tests.support import last_link_path, login, post_form, upload_file, xlsx_bytes

PASSWORD = "Алтайский-кедр-2026"
MUNICIPALITIES = ["г. Барнаул", "Бийский район", "Алейский район"]
ORGS = [
    # name, kind, municipality, regional
    ("Лицей № 1 (г. Барнаул)", "Общеобразовательная организация", "г. Барнаул", "да"),
    ("СОШ № 5 (г. Барнаул)", "школа", "г. Барнаул", "нет"),
    ("СОШ № 2 (Бийский район)", "школа", "Бийский район", "нет"),
    ("АлтГУ", "вуз", "г. Барнаул", "нет"),
]
P, SCH, STU, ALU, EXC = "потенциальный", "школьник", "студент", "выпускник", "исключён"
STATUS = {P: "potential", SCH: "resident_school", STU: "resident_student", ALU: "alumni",
          EXC: "excluded"}  # fmt: skip
# surname, own municipality, organisation (as typed), [(status, date, basis)]
PEOPLE = [
    ("Алексеева", "Бийский район", "лицей №1", [(SCH, date(2017, 5, 10), "Олимпиада")]),
    ("Борисов", "г. Барнаул", "СОШ № 5", [(P, date(2016, 11, 1), ""), (SCH, date(2017, 4, 1), "")]),
    ("Васильева", "Бийский район", "СОШ № 2 (Бийский район)",
     [(SCH, date(2017, 3, 3), ""), (STU, date(2018, 9, 1), ""), (ALU, date(2019, 7, 1), "")]),
    ("Григорьев", "Алейский район", "АлтГУ", [(STU, date(2018, 2, 2), "")]),
    ("Дмитриева", "Бийский район", "СОШ № 2", [(P, date(2017, 1, 15), "")]),
    ("Егоров", "г. Барнаул", "Лицей № 1", [(SCH, date(2018, 6, 1), ""),
                                           (EXC, date(2019, 3, 1), "Выбыл из региона")]),
    ("Жукова", "Алейский район", "", [(SCH, date(2019, 5, 5), "")]),
    ("Зайцев", "Бийский район", "Лицей № 1", [(P, date(2018, 10, 1), ""), (SCH, date(2019, 4, 4), "")]),
    ("Иванова", "г. Барнаул", "СОШ № 5", [(SCH, date(2019, 12, 30), "")]),
]  # fmt: skip
HEADER = ["Фамилия", "Имя", "Дата рождения", "Муниципалитет", "Образовательная организация",
          "Статус", "Дата статуса", "Основание"]  # fmt: skip


def file_rows():
    """One row per step; a person's later steps in later rows (after everybody's first)."""
    first = []
    later = []
    for n, (surname, muni, org, steps) in enumerate(PEOPLE):
        born = date(2002, 1, 1 + n)
        for i, (status, on, basis) in enumerate(steps):
            row = [surname, "Тест", born, muni, org, status, on, basis]
            (first if i == 0 else later).append(row)
    return first + list(reversed(later))  # order in the file must not matter


def school_municipality(org_typed: str, own: str) -> str:
    for name, _kind, muni, _reg in ORGS:
        if org_typed and org_typed.replace("№1", "№ 1").lower() in name.lower():
            return muni
    return own


def expected(year: int) -> dict:
    """The report's figures of ``year`` computed from PEOPLE (DOMAIN 6 and 8)."""
    as_of = date(year + 1, 1, 1)
    residents = {"school": 0, "student": 0, "potential": 0, "alumni": 0}
    table1 = dict.fromkeys(MUNICIPALITIES, 0)
    new = 0
    for _surname, own, org, steps in PEOPLE:
        done = [s for s in steps if s[1] <= as_of]
        status = STATUS[done[-1][0]] if done else None
        if status == "resident_school":
            residents["school"] += 1
            table1[school_municipality(org, own)] += 1
        elif status == "resident_student":
            residents["student"] += 1
        elif status in ("potential", "alumni"):
            residents[status] += 1
        first_resident = next((s[1] for s in steps if s[0] in (SCH, STU)), None)
        new += bool(first_resident and first_resident.year == year)
    return {"residents": residents, "table1": table1, "new": new}


@pytest.fixture
def region_admin(app, factory):
    root = factory.user(platform_admin=True)
    client = app.test_client()
    assert login(client, root.email).status_code == 302
    resp = post_form(
        client,
        "/platform/",
        {
            "slug": "altai",
            "name": "Кадровый резерв Алтая",
            "admin_email": "operator@example.org",
            "admin_name": "Оператор Алтая",
            "municipalities": "\n".join(MUNICIPALITIES),
        },
    )
    assert resp.status_code == 302
    admin = app.test_client()
    path = last_link_path("operator@example.org")
    post_form(admin, path, {"password": PASSWORD, "confirm": PASSWORD, "full_name": "Оператор"})
    assert login(admin, "operator@example.org", PASSWORD).headers["Location"] == "/admin/"
    return admin


def load(client, url, data, name):
    preview = upload_file(client, url, data, name).headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert re.search(r"ошибок 0[.,]", html), html.split('data-testid="import-errors"')[-1][:3000]
    resp = post_form(client, preview, {"commit": "1"})
    assert resp.status_code == 302
    return html


def held_edition(client, event: dict, year: int, starts_on: str, ends_on: str) -> int:
    """A new event (the admin's form, ``event`` its fields) and its held edition of ``year``:
    the edition's id."""
    created = post_form(client, "/admin/events/new", {"related_event_id": "0", **event})
    resp = post_form(
        client,
        f"{created.headers['Location']}/editions/new",
        {"year": str(year), "starts_on": starts_on, "ends_on": ends_on,
         "format": "in_person", "state": "held", "note": ""},
    )  # fmt: skip
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def test_three_past_years_loaded_through_imports_report_the_loaded_figures(app, region_admin):
    client = region_admin
    load(
        client,
        "/admin/reference/organizations/import",
        xlsx_bytes(
            [list(o) for o in ORGS], ["Название", "Тип", "Муниципалитет", "Региональное подчинение"]
        ),
        "orgs.xlsx",
    )
    rows = file_rows()
    html = load(client, "/admin/people/import", xlsx_bytes(rows, HEADER), "history.xlsx")
    assert f"строк {len(rows)}, ошибок 0, новых людей 9." in html
    for year in (2017, 2018, 2019):
        r = client.get(f"/admin/report.json?year={year}").get_json()
        want = expected(year)
        got = {k: r["residents"][k] for k in want["residents"]}
        assert got == want["residents"], year
        assert {row["municipality"]: row["residents"] for row in r["table1"]} == want["table1"]
        assert r["criteria"][0]["value"] == want["new"], year
    # a past satellite edition with its participant list (two known persons, one new)
    edition_id = held_edition(
        client,
        {"title": "Школа лидеров", "kind": "satellite", "direction": "project_research",
         "level": "regional", "organizer_id": "0"},
        2018, "2018-06-01", "2018-06-03",
    )  # fmt: skip
    participants = [
        ["Алексеева", "Тест", date(2002, 1, 1), "Бийский район", "Лицей № 1"],
        ["Борисов", "Тест", date(2002, 1, 2), "г. Барнаул", "СОШ № 5"],
        ["Новикова", "Тест", date(2003, 5, 5), "Алейский район", ""],
    ]
    html = load(
        client,
        f"/admin/editions/{edition_id}/participants/upload",
        xlsx_bytes(participants, HEADER[:5]),
        "list.xlsx",
    )
    assert "Найдены в банке: 2; уже в списке (будут пропущены): 0." in html
    c4 = {
        y: client.get(f"/admin/report.json?year={y}").get_json()["criteria"][3]
        for y in (2018, 2019)
    }
    assert [(c4[y]["value"], c4[y]["participants"]) for y in (2018, 2019)] == [(1, 3), (0, 0)]
    r2018 = client.get("/admin/report.json?year=2018").get_json()
    assert r2018["residents"]["potential"] == expected(2018)["residents"]["potential"]  # unchanged
    # the figures themselves, so a wrong model here cannot hide a wrong report
    assert [expected(y)["new"] for y in (2017, 2018, 2019)] == [3, 2, 3]
    assert expected(2019)["table1"] == {"г. Барнаул": 4, "Бийский район": 0, "Алейский район": 1}
    assert expected(2018)["residents"] == {"school": 3, "student": 2, "potential": 2, "alumni": 0}


def test_a_history_the_lifecycle_refuses_is_named_and_nothing_loads(app, region_admin):
    client = region_admin
    rows = [
        ["Кузнецов", "Тест", date(2003, 1, 1), "г. Барнаул", "", STU, date(2018, 1, 1), ""],
        ["Кузнецов", "Тест", date(2003, 1, 1), "г. Барнаул", "", SCH, date(2019, 1, 1), ""],
        ["Лебедев", "Тест", date(2003, 2, 2), "г. Барнаул", "", ALU, date(2018, 1, 1), ""],
        ["Морозова", "Тест", date(2003, 3, 3), "г. Барнаул", "", SCH, date(2017, 1, 1), ""],
        ["Морозова", "Тест", date(2003, 3, 3), "г. Барнаул", "", EXC, date(2018, 1, 1), ""],
        ["Никитин", "Тест", date(2003, 4, 4), "г. Барнаул", "", "", "", ""],
        ["Никитин", "Тест", date(2003, 4, 4), "г. Барнаул", "", "", "", ""],
    ]
    preview = upload_file(client, "/admin/people/import", xlsx_bytes(rows, HEADER), "h.xlsx")
    html = client.get(preview.headers["Location"]).get_data(as_text=True)
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )
    assert errors == [
        ("3", "Статус", "переход «Резидент (студент)» → «Резидент (школьник)» невозможен"),
        ("4", "Статус", "переход «Участник» → «Партнёр (бывший резидент)» невозможен"),
        ("6", "Статус", "для исключения укажите основание (причину)"),
        ("8", "", "повторяет строку 7"),
    ]
    html = post_form(client, preview.headers["Location"], {"commit": "1"}).get_data(as_text=True)
    assert "В файле есть ошибки" in html


def test_a_past_protocol_is_admitted_on_its_own_date(app, region_admin):
    client = region_admin
    centre = (
        "Центр одарённых детей (г. Барнаул)",
        "Дополнительное образование",
        "г. Барнаул",
        "нет",
    )
    load(
        client,
        "/admin/reference/organizations/import",
        xlsx_bytes(
            [list(o) for o in [*ORGS, centre]],
            ["Название", "Тип", "Муниципалитет", "Региональное подчинение"],
        ),
        "orgs.xlsx",
    )
    centre_id = db.session.scalar(sa.select(Organization.id).where(Organization.name == centre[0]))
    edition_id = held_edition(
        client,
        {"title": "Конференция «Шаг»", "kind": "accredited", "direction": "project_research",
         "level": "regional", "organizer_id": str(centre_id)},
        2018, "2018-03-20", "2018-03-22",
    )  # fmt: skip
    # the centre's organiser, invited through the users page
    post_form(
        client,
        "/admin/users",
        {"email": "org@example.org", "full_name": "Организатор", "role": "organizer",
         "organization_id": str(centre_id)},
    )  # fmt: skip
    organiser = app.test_client()
    post_form(organiser, last_link_path("org@example.org"),
              {"password": PASSWORD, "confirm": PASSWORD, "full_name": "Организатор"})  # fmt: skip
    assert login(organiser, "org@example.org", PASSWORD).status_code == 302
    rows = [
        ["Орлова", "Анна", "", date(2003, 4, 4), "лицей № 1", "9", "Бийский район",
         "победитель", 1, "", "+7 900 000-00-01"],
        ["Соколов", "Иван", "", date(2003, 6, 6), "СОШ №5", "9 класс", "г. Барнаул",
         "призёр", 2, "", "+7 900 000-00-02"],
    ]  # fmt: skip
    titles = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Образовательная организация",
              "Класс/курс", "Муниципалитет", "Результат", "Место", "Номинация/секция",
              "Контакт родителя"]  # fmt: skip
    load(
        organiser,
        f"/organizer/admission/editions/{edition_id}/protocol/upload",
        xlsx_bytes(rows, titles),
        "protocol-2018.xlsx",
    )
    candidates = db.session.scalars(
        sa.select(AdmissionCandidate).order_by(AdmissionCandidate.row_no)
    ).all()
    for c in candidates:  # no coordinator in these municipalities: the admin checks
        post_form(
            client,
            f"/admin/admission/candidates/{c.id}/confirm",
            {"consent_on": "2018-04-01", "on_file": "y", "version": str(c.version)},
            form_url=f"/admin/admission/candidates/{c.id}",
        )
    batch_url = f"/admin/admission/batches/{candidates[0].batch_id}"
    post_form(client, f"{batch_url}/admit-all", {"decided_on": "2018-06-15"}, form_url=batch_url)
    r = client.get("/admin/report.json?year=2018").get_json()
    assert r["criteria"][0]["value"] == 2
    assert r["residents"]["school"] == 2
    assert {row["municipality"]: row["residents"] for row in r["table1"]} == {
        "г. Барнаул": 2,  # both schools are in the city: Орлова of Бийский район too
        "Бийский район": 0,
        "Алейский район": 0,
    }
    assert client.get("/admin/report.json?year=2017").get_json()["criteria"][0]["value"] == 0
