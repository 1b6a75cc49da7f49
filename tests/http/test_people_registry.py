"""The registry: search (case and ё/е ignored), filters, sorting, pagination, a constant
number of queries per page, XLSX/CSV export of the current filter with formula injection
neutralised, and the coordinator's scope."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, OrganizationKind, Person
from mkr_web.operations.people import change_status
from tests.factories import make_person, resident
from tests.support import csrf_token, job_status, logged_in, login
from workflows.lifecycle import PersonStatus

ROW_LINK = re.compile(r'<a href="/(?:admin|coordinator)/people/(\d+)">([^<]+)</a>')


def names(resp) -> list[str]:
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, resp.status_code
    body = html.split('data-testid="registry"', 1)[1]
    return [n for _, n in ROW_LINK.findall(body)]


def total(resp) -> int:
    m = re.search(r'data-testid="registry-total">Найдено: (\d+)<', resp.get_data(as_text=True))
    return int(m.group(1))


@contextmanager
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def bank(factory):
    t = factory.tenant()
    school = factory.organization(t, "Первый район", name="Лицей № 1")
    uni = factory.organization(t, "Второй район", name="Университет", kind="university")
    people = {
        "yolkina": make_person(
            t,
            "Ёлкина",
            "Алёна",
            "Петровна",
            date(2006, 1, 2),
            organization=school,
            history=[("admit_school", date(2019, 3, 1))],
        ),
        "elkin": make_person(
            t,
            "Елкин",
            "Пётр",
            None,
            date(2004, 5, 6),
            organization=school,
            history=[("admit_school", date(2018, 3, 1))],
        ),
        "ivanov": make_person(
            t,
            "Иванов",
            "Сергей",
            "Олегович",
            date(2001, 7, 8),
            organization=uni,
            history=[("admit_student", date(2019, 9, 1))],
        ),
        "potential": make_person(
            t,
            "Потапова",
            "Анна",
            None,
            date(2007, 9, 9),
            municipality="Второй район",
            history=[("mark_potential", date(2019, 10, 1))],
        ),
    }
    admin = factory.user(t, "admin")
    return t, people, admin, school, uni


def test_search_ignores_case_and_yo(client, bank):
    t, people, admin, *_ = bank
    login(client, admin.email)
    assert names(client.get("/admin/people?q=ЕЛК")) == ["Елкин Пётр", "Ёлкина Алёна Петровна"]
    assert names(client.get("/admin/people?q=ёлк")) == ["Елкин Пётр", "Ёлкина Алёна Петровна"]
    assert names(client.get("/admin/people?q=алена")) == ["Ёлкина Алёна Петровна"]
    assert names(client.get("/admin/people?q=  ИВАНОВ   сергей ")) == ["Иванов Сергей Олегович"]
    assert names(client.get("/admin/people?q=%25")) == []  # LIKE wildcards are literal
    assert names(client.get("/admin/people?q=нет_такого")) == []


def test_filters(client, bank):
    t, people, admin, school, uni = bank
    login(client, admin.email)
    second = people["potential"].municipality_id
    assert names(client.get("/admin/people?status=resident_school")) == [
        "Елкин Пётр",
        "Ёлкина Алёна Петровна",
    ]
    assert names(client.get("/admin/people?status=resident_student&status=potential")) == [
        "Иванов Сергей Олегович",
        "Потапова Анна",
    ]
    assert names(client.get(f"/admin/people?municipality={second}")) == [
        "Иванов Сергей Олегович",
        "Потапова Анна",
    ]
    assert names(client.get(f"/admin/people?organization={school.id}")) == [
        "Елкин Пётр",
        "Ёлкина Алёна Петровна",
    ]
    assert names(client.get("/admin/people?category=university")) == ["Иванов Сергей Олегович"]
    assert names(client.get("/admin/people?year=2019")) == [
        "Ёлкина Алёна Петровна",
        "Иванов Сергей Олегович",
    ]
    assert names(client.get("/admin/people?year=2019&category=school&q=ЁЛКИНА")) == [
        "Ёлкина Алёна Петровна"
    ]
    # bad values are ignored, never an error
    assert total(client.get("/admin/people?status=bogus&year=abc&municipality=x&sort=drop")) == 4


def test_sorting(client, bank):
    _, _, admin, *_ = bank
    login(client, admin.email)
    assert names(client.get("/admin/people?sort=birth")) == [
        "Иванов Сергей Олегович",
        "Елкин Пётр",
        "Ёлкина Алёна Петровна",
        "Потапова Анна",
    ]
    assert names(client.get("/admin/people?sort=birth&dir=desc")) == [
        "Потапова Анна",
        "Ёлкина Алёна Петровна",
        "Елкин Пётр",
        "Иванов Сергей Олегович",
    ]
    assert names(client.get("/admin/people?sort=name&dir=desc")) == [
        "Потапова Анна",
        "Иванов Сергей Олегович",
        "Ёлкина Алёна Петровна",
        "Елкин Пётр",
    ]
    assert names(client.get("/admin/people?sort=admission&status=resident_school")) == [
        "Елкин Пётр",
        "Ёлкина Алёна Петровна",
    ]


def _many(t, n: int, **kw):
    for i in range(n):
        make_person(
            t, f"Фамилия{i:03d}", "Имя", birth_on=date(2005, 1, 1 + i % 28), commit=False, **kw
        )
    db.session.commit()


def test_pagination(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    _many(t, 60)
    login(client, admin.email)
    first = client.get("/admin/people?per_page=25")
    assert total(first) == 60
    assert names(first)[0] == "Фамилия000 Имя" and len(names(first)) == 25
    third = client.get("/admin/people?per_page=25&page=3")
    assert names(third) == [f"Фамилия{i:03d} Имя" for i in range(50, 60)]
    assert names(client.get("/admin/people?per_page=25&page=9")) == []
    # page links keep the filter
    assert "/admin/people?page=2&amp;per_page=25" in first.get_data(as_text=True)


def test_same_number_of_queries_whatever_the_page_size(app, client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    orgs = [factory.organization(t, "Первый район") for _ in range(3)]
    for i in range(120):
        make_person(
            t,
            f"Ф{i:03d}",
            "И",
            organization=orgs[i % 3],
            history=[("admit_school", date(2019, 1, 1 + i % 28))],
            commit=False,
        )
    db.session.commit()
    login(client, admin.email)
    # the filter's choices and the counts are read once, then kept
    client.get("/admin/people")
    client.get("/admin/people?status=resident_school")
    counts = {}
    for url in (
        "/admin/people?per_page=25&status=resident_school",
        "/admin/people?per_page=100&status=resident_school",
        "/admin/people?per_page=100&page=2&status=resident_school",
        "/admin/people?per_page=200&status=resident_school",
    ):
        with count_queries(app) as statements:
            resp = client.get(url)
        assert resp.status_code == 200
        counts[url] = len(statements)
    assert len(names(client.get("/admin/people?per_page=100"))) == 100
    assert len(set(counts.values())) == 1, counts
    assert next(iter(counts.values())) <= 10, counts


def test_the_filters_choices_are_kept_until_a_place_changes(app, client, factory):
    """The municipalities and organisations offered by the filter are read once per tenant,
    scope and report data version (``queries.people.registry_choices``): the next page reads
    the version only; renaming a school, adding one, or another scope shows at once."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    coord = factory.user(t, "coordinator", municipalities=["Второй район"])
    school = factory.organization(t, "Первый район", name="Школа Альфа")
    factory.organization(t, "Второй район", name="Школа Гамма")
    login(client, admin.email)

    def offered(url="/admin/people", client=client):
        text = client.get(url).get_data(as_text=True)
        form = text.split('name="organization"')[1].split("</select>")[0]
        places = text.split('name="municipality"')[1].split("</select>")[0]
        options = [re.findall(r">([^<]+)</option>", x) for x in (form, places)]
        assert [o[0] for o in options] == ["Все", "Все"]
        return options[0][1:], options[1][1:]

    assert offered()[0] == ["Школа Альфа", "Школа Гамма"]
    with count_queries(app) as kept:
        assert offered()[0] == ["Школа Альфа", "Школа Гамма"]
    # no query of their own: the version comes with the session row; then the rows (the
    # unfiltered count is kept too)
    assert len(kept) == 2, kept
    school.name = "Школа Бета"
    db.session.commit()
    with count_queries(app) as changed:
        assert offered()[0] == ["Школа Бета", "Школа Гамма"]
    # the two lists, the rows' two name maps and the count read again, once
    assert len(changed) == len(kept) + 5
    factory.organization(t, "Первый район", name="Школа Дельта")
    assert offered()[0] == ["Школа Бета", "Школа Гамма", "Школа Дельта"]
    # the coordinator's scope is its own list, after the admin's
    coordinator = logged_in(app, coord)
    assert offered("/coordinator/people", coordinator) == (["Школа Гамма"], ["Второй район"])
    assert offered()[1] == ["Первый район", "Второй район"]


def test_export_current_filter_xlsx_and_csv_neutralise_formulas(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    resident(
        t,
        "=cmd|' /C calc'!A0",
        name="@SUM(1+1)",
        patronymic="-2+3",
        social_url="https://vk.com/id1",
    )
    resident(t, "Обычный", name="Человек", phone="+7 900 000-00-00")
    make_person(t, "Не", name="Резидент")
    login(client, admin.email)

    resp = client.get("/admin/people/export.xlsx?status=resident_school")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="registry-')
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("Фамилия", "Имя", "Отчество", "Дата рождения")
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "Обычный"]
    assert rows[1][1:3] == ("'@SUM(1+1)", "'-2+3")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert rows[1][7] == "Резидент (школьник)"

    resp = client.get("/admin/people/export.csv?status=resident_school&q=обычн")
    assert resp.mimetype == "text/csv"
    text = resp.data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(parsed) == 2 and parsed[1][:2] == ["Обычный", "Человек"]
    assert parsed[1][12] == "+7 900 000-00-00"  # a phone number stays readable
    text = client.get("/admin/people/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {r[0] for r in rows[1:]} == {"'=cmd|' /C calc'!A0", "Обычный", "Не"}
    assert client.get("/admin/people/export.pdf").status_code == 404
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "person.registry_export")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.details["format"] for e in entries] == ["xlsx", "csv", "csv"]
    assert entries[1].details["has_query"] is True
    assert "обычн" not in str(entries[1].details)


def test_coordinator_sees_searches_and_exports_own_municipalities_only(app, factory):
    t = factory.tenant(municipalities=("Первый район", "Второй район", "Третий район"))
    other = factory.tenant()
    mine = resident(t, "Свой", municipality="Первый район")
    mine2 = resident(t, "Своя", name="Вторая", municipality="Третий район")
    theirs = resident(t, "Чужой", municipality="Второй район")
    foreign = resident(other, "Иноземцев", municipality="Первый район")
    coord = factory.user(t, "coordinator", municipalities=["Первый район", "Третий район"])
    client = app.test_client()
    login(client, coord.email)
    assert names(client.get("/coordinator/people")) == ["Свой Тест", "Своя Вторая"]
    assert names(client.get("/coordinator/people?q=чуж")) == []
    assert names(client.get(f"/coordinator/people?municipality={theirs.municipality_id}")) == []
    text = client.get("/coordinator/people/export.csv").data.decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(text), delimiter=";")][1:] == ["Свой", "Своя"]
    assert client.get(f"/coordinator/people/{mine.id}").status_code == 200
    assert client.get(f"/coordinator/people/{mine2.id}").status_code == 200
    assert client.get(f"/coordinator/people/{theirs.id}").status_code == 404
    assert client.get(f"/coordinator/people/{foreign.id}").status_code == 404
    # the admin pages stay closed to a coordinator
    assert client.get("/admin/people").status_code == 403
    assert client.get(f"/admin/people/{mine.id}").status_code == 403

    admin_other = factory.user(other, "admin")
    client = app.test_client()
    login(client, admin_other.email)
    assert client.get(f"/admin/people/{mine.id}").status_code == 404
    assert client.get(f"/admin/people/{mine.id}/edit").status_code == 404
    assert client.get(f"/admin/people/{mine.id}/data.json").status_code == 404
    assert names(client.get("/admin/people")) == ["Иноземцев Тест"]


def test_the_organisation_filter_offers_the_scopes_schools_by_name(app, factory):
    t = factory.tenant(municipalities=("Первый район", "Второй район"))
    first = factory.organization(t, "Первый район", name="Лицей «Б»")
    factory.organization(t, "Первый район", name="Гимназия «А»")
    theirs = factory.organization(t, "Второй район", name="Школа «В»")
    coord = factory.user(t, "coordinator", municipalities=["Первый район"])
    admin = factory.user(t, "admin")
    db.session.commit()
    client = app.test_client()
    login(client, coord.email)
    html = client.get(f"/coordinator/people?organization={first.id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', html)
    schools = [(name, bool(selected)) for _id, selected, name in options if "«" in name]
    assert schools == [("Гимназия «А»", False), ("Лицей «Б»", True)]
    client = app.test_client()
    login(client, admin.email)
    html = client.get(f"/admin/people?organization={theirs.id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', html)
    schools = [(name, bool(selected)) for _id, selected, name in options if "«" in name]
    assert schools == [("Гимназия «А»", False), ("Лицей «Б»", False), ("Школа «В»", True)]


def test_card_reads_by_non_admin_are_audited(app, factory):
    t = factory.tenant()
    p = resident(t, "Читаемый")
    coord = factory.user(t, "coordinator", municipalities=["Первый район"])
    admin = factory.user(t, "admin")
    client = app.test_client()
    login(client, coord.email)
    assert client.get(f"/coordinator/people/{p.id}").status_code == 200
    assert client.get(f"/coordinator/people/{p.id}").status_code == 200
    client = app.test_client()
    login(client, admin.email)
    assert client.get(f"/admin/people/{p.id}").status_code == 200
    views = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "person.view")
    ).all()
    assert [(e.user_id, e.role, e.object_type, e.object_id, e.details) for e in views] == [
        (coord.id, "coordinator", "Person", p.id, {})
    ] * 2
    page = client.get("/admin/audit?action=person.view").get_data(as_text=True)
    assert page.count('data-action="person.view"') == 2
    assert coord.email in page
    card = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    trail = card.split('data-testid="audit-trail"', 1)[1]
    assert trail.count('data-action="person.view"') == 2
    assert 'data-action="person.create"' in trail


def test_large_export_runs_as_a_background_job(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "MKR_EXPORT_INLINE_MAX", 2)
    t = factory.tenant()
    admin = factory.user(t, "admin")
    coord = factory.user(t, "coordinator", municipalities=["Второй район"])
    resident(t, '=HYPERLINK("http://x")', name="Формула")
    resident(t, "Второй", name="Житель")
    resident(t, "Третий", name="Житель", municipality="Второй район")
    client = app.test_client()
    login(client, admin.email)
    resp = client.get("/admin/people/export.xlsx?status=resident_school")
    assert resp.status_code == 302
    url = resp.headers["Location"]
    assert re.fullmatch(r"/admin/people/exports/\d+", url)
    page = client.get(url).get_data(as_text=True)
    assert 'data-status-url="' + url + '?format=json"' in page and "job_progress.js" in page
    data = job_status(client, f"{url}?format=json")
    assert (data["state"], data["progress"], data["download_url"]) == ("done", 100, f"{url}/file")
    got = client.get(data["download_url"])
    assert got.headers["Content-Disposition"].startswith("attachment; filename=registry-")
    rows = list(load_workbook(io.BytesIO(got.data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "Второй", "Третий"]
    # the job and its file are the starter's own
    other = app.test_client()
    login(other, factory.user(t, "admin").email)
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/file").status_code == 404
    # a coordinator's large export keeps their scope
    monkeypatch.setitem(app.config, "MKR_EXPORT_INLINE_MAX", 0)
    c = app.test_client()
    login(c, coord.email)
    resp = c.get("/coordinator/people/export.csv")
    job_url = resp.headers["Location"]
    assert job_url.startswith("/coordinator/people/exports/")
    data = job_status(c, f"{job_url}?format=json")
    text = c.get(data["download_url"]).data.decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(text), delimiter=";")][1:] == ["Третий"]
    admin_job = url.rsplit("/", 1)[1]
    assert c.get(f"/coordinator/people/exports/{admin_job}").status_code == 404


def _cells(html: str) -> list[list[str]]:
    body = html.split('data-testid="registry"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def test_each_row_shows_the_persons_columns_and_links_the_card(client, bank):
    t, people, admin, *_ = bank
    login(client, admin.email)
    html = client.get("/admin/people").get_data(as_text=True)
    assert _cells(html) == [
        [
            "Елкин Пётр",
            "06.05.2004",
            "Первый район",
            "Лицей № 1",
            "",
            "Резидент (школьник)",
            "01.03.2018",
        ],
        [
            "Ёлкина Алёна Петровна",
            "02.01.2006",
            "Первый район",
            "Лицей № 1",
            "",
            "Резидент (школьник)",
            "01.03.2019",
        ],
        [
            "Иванов Сергей Олегович",
            "08.07.2001",
            "Второй район",
            "Университет",
            "",
            "Резидент (студент)",
            "01.09.2019",
        ],
        ["Потапова Анна", "09.09.2007", "Второй район", "", "", "Потенциальный резидент", ""],
    ]
    links = [int(i) for i, _ in ROW_LINK.findall(html.split('data-testid="registry"', 1)[1])]
    assert links == [people[k].id for k in ("elkin", "yolkina", "ivanov", "potential")]


def test_the_status_forms_universities_are_kept_until_one_changes(app, client, factory):
    """The card's status form offers the universities and colleges kept per tenant and
    report data version (``queries.people.higher_education_choices``): a renamed one, a
    school made a college, shows at once."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    factory.organization(t, "Первый район", name="Университет Альфа", kind="university")
    school = factory.organization(t, "Первый район", name="Школа Бета")
    person = make_person(t, "Иванова", "Анна")
    login(client, admin.email)

    def offered():
        text = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
        select = text.split('name="organization_id"')[1].split("</select>")[0]
        return re.findall(r">([^<]+)</option>", select)[1:]

    assert offered() == ["Университет Альфа"]
    assert offered() == ["Университет Альфа"]
    school.kind = OrganizationKind.COLLEGE
    db.session.commit()
    assert offered() == ["Университет Альфа", "Школа Бета"]
    school.name = "Колледж Бета"
    db.session.commit()
    assert offered() == ["Колледж Бета", "Университет Альфа"]


def test_an_unfiltered_count_is_kept_until_a_person_comes_goes_or_moves(app, client, factory):
    """The registry's count, filtered by no more than a place, is kept under the report data
    version (``queries.people._count``): a new person, a person moved to another
    municipality, shows at once; a filter by status is kept too, one by consent is counted
    every time."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    first = factory.municipality(t, "Первый район")
    second = factory.municipality(t, "Второй район")
    anna = make_person(t, "Иванова", "Анна", municipality=first)
    make_person(t, "Петров", "Пётр", municipality=second)
    login(client, admin.email)

    def counted(url):
        with count_queries(app) as statements:
            n = total(client.get(url))
        return n, len([s for s in statements if "count(*)" in s and "FROM person" in s])

    assert counted("/admin/people")[0] == 2
    assert counted("/admin/people") == (2, 0)
    assert counted(f"/admin/people?municipality={first.id}")[0] == 1
    assert counted(f"/admin/people?municipality={first.id}") == (1, 0)
    assert counted("/admin/people?status=potential")[1] == 1
    assert counted("/admin/people?status=potential")[1] == 0
    assert counted("/admin/people?consent=missing")[1] == 1
    assert counted("/admin/people?consent=missing")[1] == 1
    make_person(t, "Сидорова", "Анна", municipality=first)
    assert counted("/admin/people") == (3, 1)
    anna.municipality_id = second.id
    db.session.commit()
    assert counted(f"/admin/people?municipality={first.id}") == (1, 1)
    assert counted(f"/admin/people?municipality={second.id}")[0] == 2


def test_a_filtered_count_is_kept_until_a_status_or_an_admission_changes(app, client, factory):
    """A count filtered by status and year of admission is kept under the report data
    version (``queries.people._count``): the next page does not count again, and a changed
    status, or a status or an admission date edited on the row itself, shows on the next
    page."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    people = [
        make_person(t, f"Ф{i}", "И", history=[("admit_school", date(2019, 2, 1))], commit=False)
        for i in range(3)
    ]
    make_person(t, "Без", "Статуса", commit=False)
    db.session.commit()
    login(client, admin.email)
    url = "/admin/people?status=resident_school&year=2019"

    def total() -> str:
        html = client.get(url).get_data(as_text=True)
        return re.search(r'data-testid="registry-total">([^<]+)<', html).group(1)

    assert total() == "Найдено: 3"
    with count_queries(app) as again:
        assert total() == "Найдено: 3"
    assert len(again) == 2, again  # the session row and the page's rows: no count
    person = db.session.get(Person, people[0].id)
    change_status(person, "graduate", on=date(2020, 6, 1), role="admin", user_id=None)
    db.session.commit()
    assert total() == "Найдено: 2"
    db.session.get(Person, people[1].id).admission_on = date(2018, 3, 1)
    db.session.commit()
    assert total() == "Найдено: 1"
    db.session.get(Person, people[2].id).status = PersonStatus.POTENTIAL  # the row alone
    db.session.commit()
    assert total() == "Найдено: 0"


def test_a_row_escapes_its_values_and_shows_the_status_in_the_ui_language(client, factory):
    """The rows are written by ``web.people.registry_rows_html``: every value escaped (a
    name or a class is text, never markup), the status titled in the page's language."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(
        t,
        '<b>О\'Нил "Х"</b>',
        "Анна",
        birth_on=date(2008, 8, 6),
        grade="<i>9</i> & 1",
        history=[("admit_school", date(2019, 2, 1))],
    )
    login(client, admin.email)

    def row(html: str) -> str:
        body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return re.sub(r"\s+", " ", body).strip()

    ru = row(client.get("/admin/people").get_data(as_text=True))
    assert ru == (
        f'<tr> <td><a href="/admin/people/{p.id}">&lt;b&gt;О&#39;Нил &#34;Х&#34;&lt;/b&gt; '
        "Анна</a></td> <td>06.08.2008</td> <td>Первый район</td> <td></td> "
        "<td>&lt;i&gt;9&lt;/i&gt; &amp; 1</td> "
        '<td><span class="badge bg-success">Резидент (школьник)</span></td> '
        "<td>01.02.2019</td> </tr>"
    )
    page = "/admin/people"
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, page)})
    en = row(client.get(page).get_data(as_text=True))
    assert '<span class="badge bg-success">Resident (school pupil)</span>' in en


def test_a_rows_place_names_follow_a_rename(app, client, factory):
    """A row's municipality and school are named from the tenant's kept names
    (``queries.people.place_names``): no query of their own on the next page, a rename shows
    on the next page."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    school = factory.organization(t, "Первый район", name="Школа Альфа")
    make_person(t, "Именов", municipality=school.municipality, organization=school)
    login(client, admin.email)

    def row() -> list[str]:
        html = client.get("/admin/people").get_data(as_text=True)
        line = html.split("Именов")[1].split("</tr>")[0]
        return re.findall(r"<td>([^<]+)</td>", line)

    assert row()[1:3] == ["Первый район", "Школа Альфа"]
    with count_queries(app) as kept:
        assert row()[1:3] == ["Первый район", "Школа Альфа"]
    assert len(kept) == 2, kept  # the session row and the rows: the names are kept
    school.name = "Школа Бета"
    school.municipality.name = "Район Первый"
    db.session.commit()
    assert row()[1:3] == ["Район Первый", "Школа Бета"]
