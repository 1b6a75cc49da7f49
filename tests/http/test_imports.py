"""The import machinery and the persons importer: encodings, separators, header aliases,
per-row errors, bad files (truncated XLSX, wrong headers, too big, formulas), matches to
existing persons, the server-side preview, the all-or-nothing commit, a 10,000-row file."""

from __future__ import annotations

import io
import re
import time
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from mkr_web.extensions import db
from mkr_web.imports.base import reference_lookups
from mkr_web.imports.parse import parse_table
from mkr_web.imports.persons import PERSON_SPEC
from mkr_web.models import AuditEntry, Person, PersonStatusChange, StoredFile, TransitionLog
from tests.factories import make_person
from tests.support import csrf_token, login, upload_file, xlsx_bytes

HEADER = (
    "Фамилия;Имя;Отчество;Дата рождения;Муниципалитет;Образовательная организация;Класс или курс"
)


# --- the reader and the parser, without the web ---------------------------------------


# --- through the web -----------------------------------------------------------------


@pytest.fixture
def admin(client, factory):
    t = factory.tenant()
    user = factory.user(t, "admin")
    school = factory.organization(t, "Второй район", name="МБОУ «СОШ № 1»")
    login(client, user.email)
    return client, t, user, school


def preview_url(resp) -> str:
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    return resp.headers["Location"]


def previewed(client, data: bytes, filename: str) -> str:
    """Upload ``data`` as the people import's file: the URL of its preview."""
    return preview_url(upload_file(client, "/admin/people/import", data, filename))


def commit(client, url, **decisions):
    token = csrf_token(client, url)
    data = {"csrf_token": token, "commit": "1"}
    data.update({f"decision-{k[1:]}": v for k, v in decisions.items()})
    return client.post(url, data=data)


def persons():
    db.session.expire_all()
    return [
        (p.surname, p.name, p.birth_on, p.status.value)
        for p in db.session.scalars(sa.select(Person).order_by(Person.id))
    ]


def test_rows_with_errors_name_row_column_reason_and_nothing_is_loaded(admin):
    client, t, user, school = admin
    data = (
        HEADER + ";Статус;Дата статуса;Электронная почта\n"
        "Верный;Иван;;05.03.2006;Второй район;МБОУ «СОШ № 1»;9 класс;;;\n"
        "=cmd|' /C calc'!A0;Пётр;;31.02.2006;Нигде;;;;;\n"
        ";Анна;;01.01.2006;;Нет такой школы;;школьник;;anna@\n"
    ).encode("cp1251")
    url = previewed(client, data, "люди.csv")
    html = client.get(url).get_data(as_text=True)
    assert "строк 3, ошибок 6" in html
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )
    assert errors == [
        ("3", "Фамилия", "недопустимые символы (только буквы, пробел, дефис, апостроф)"),
        ("3", "Дата рождения", "не дата (нужно ДД.ММ.ГГГГ)"),
        ("3", "Муниципалитет", "муниципалитет «Нигде» не найден в справочнике"),
        ("4", "Фамилия", "не заполнено"),
        (
            "4",
            "Образовательная организация",
            "организация «Нет такой школы» не найдена в справочнике",
        ),
        ("4", "Электронная почта", "не адрес электронной почты"),
    ], errors
    assert re.search(r'name="commit" value="1"\s+disabled', html)
    resp = commit(client, url)
    assert "В файле есть ошибки" in resp.get_data(as_text=True)
    assert persons() == []


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(admin):
    client, t, user, school = admin
    data = (
        HEADER + "\nФормулов;Иван;;05.03.2006;Второй район;;=1+2\n"
        "Плюсов;Пётр;;06.03.2006;Второй район;;@SUM(A1)\n"
    ).encode()
    url = previewed(client, data, "f.csv")
    html = client.get(url).get_data(as_text=True)
    assert "ошибок 0" in html and "<td>=1+2</td>" in html
    assert commit(client, url).status_code == 302
    assert db.session.scalars(sa.select(Person.grade).order_by(Person.id)).all() == [
        "=1+2",
        "@SUM(A1)",
    ]
    csv_text = client.get("/admin/people/export.csv").data.decode("utf-8-sig")
    assert ";'=1+2;" in csv_text and ";'@SUM(A1);" in csv_text
    ws = load_workbook(io.BytesIO(client.get("/admin/people/export.xlsx").data)).active
    assert [r[6] for r in ws.iter_rows(min_row=2, values_only=True)] == ["'@SUM(A1)", "'=1+2"]


def test_matches_exact_and_near_and_decisions(admin):
    client, t, user, school = admin
    same = make_person(t, "Ёлкина", "Алёна", "Петровна", date(2006, 1, 2))
    other_birth = make_person(t, "Смирнов", "Олег", None, date(2005, 5, 5))
    typo = make_person(t, "Кузнецова", "Марина", None, date(2007, 7, 7))
    data = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Отчество", "Дата рождения", "Муниципалитет"],
            ["ЕЛКИНА", "алена", "петровна", date(2006, 1, 2), "Второй район"],  # exact
            ["Смирнов", "Олег", None, "06.06.2005", "Второй район"],  # same name, other birth
            ["Кузнецова", "Марна", None, "07.07.2007", "Второй район"],  # typo, same birth
            ["Новикова", "Дарья", None, "08.08.2008", "Второй район"],  # new
        ]
    )
    url = previewed(client, data, "m.xlsx")
    html = client.get(url).get_data(as_text=True)
    assert "строк 4, ошибок 0, новых людей 3" in html
    matches = html.split('data-testid="import-matches"')[1].split("</table>")[0]
    assert f'href="/admin/people/{same.id}">Ёлкина Алёна Петровна</a>' in matches
    assert "уже в банке — не создаётся" in matches
    assert (
        f'/admin/people/{other_birth.id}">Смирнов Олег</a>, 05.05.2005 — то же ФИО, другая дата рождения'
        in matches
    )
    assert (
        f'/admin/people/{typo.id}">Кузнецова Марина</a>, 07.07.2007 — та же дата рождения, похожее ФИО'
        in matches
    )
    # a near match must be decided
    resp = commit(client, url, r3="new")
    assert "Решите, новые ли это люди, для строк: 4." in resp.get_data(as_text=True)
    assert len(persons()) == 3
    resp = commit(client, url, r3="new", r4="skip")
    assert resp.status_code == 302
    assert persons()[3:] == [
        ("Смирнов", "Олег", date(2005, 6, 6), "none"),
        ("Новикова", "Дарья", date(2008, 8, 8), "none"),
    ]
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.import")
    ).scalar_one()
    assert entry.details == {"created": 2, "existing": 1, "skipped": 1}
    # the preview is gone once committed
    assert client.get(url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_near_matches_at_the_same_school_by_birth_date_or_none(admin):
    """A row is compared with the school's persons of its birth date and of no birth date;
    one whose known birth date differs is another person, however alike the name."""
    client, t, user, school = admin
    unknown = make_person(t, "Кузнецова", "Марина", "Ивановна", None, organization=school)
    same_day = make_person(t, "Кузнецова", "Марина", "Иванова", date(2007, 7, 8))
    other_day = make_person(
        t, "Кузнецова", "Марина", "Ивановна", date(2006, 1, 1), organization=school
    )
    elsewhere = make_person(t, "Кузнецова", "Марина", "Ивановна", None)  # another school
    data = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Дата рождения", "Образовательная организация"],
            ["Кузнецова", "Марина", "08.07.2007", "МБОУ «СОШ № 1»"],
        ]
    )
    html = client.get(previewed(client, data, "s.xlsx")).get_data(as_text=True)
    matches = html.split('data-testid="import-matches"')[1].split("</table>")[0]
    found = re.findall(r'/admin/people/(\d+)">[^<]+</a>, [^—]* — ([^<]+?)\s*<', matches)
    assert found == [
        (str(same_day.id), "та же дата рождения, похожее ФИО"),
        (str(unknown.id), "та же школа, похожее ФИО"),
    ]
    assert str(other_day.id) not in matches and str(elsewhere.id) not in matches


def test_duplicate_rows_in_the_file_are_an_error(admin):
    client, t, user, school = admin
    data = (
        HEADER + "\nДвойнов;Иван;;05.03.2006;Второй район;;\n"
        "двойнов;ИВАН;;05.03.2006;Второй район;;\n"
    ).encode()
    html = client.get(previewed(client, data, "d.csv")).get_data(as_text=True)
    assert "<tr><td>3</td><td></td><td>повторяет строку 2</td></tr>" in html


def test_statuses_are_imported_with_their_dated_history(admin):
    client, t, user, school = admin
    data = (
        HEADER + ";Статус;Дата включения;Основание\n"
        "Школьникова;Ия;;05.03.2006;;МБОУ «СОШ № 1»;9 класс;резидент (школьник);15.05.2019;Форум 2019\n"
        "Потенциалов;Ян;;06.03.2006;Второй район;;;потенциальный резидент;01.10.2019;\n"
    ).encode()
    url = previewed(client, data, "s.csv")
    assert commit(client, url).status_code == 302
    assert persons() == [
        ("Школьникова", "Ия", date(2006, 3, 5), "resident_school"),
        ("Потенциалов", "Ян", date(2006, 3, 6), "potential"),
    ]
    first = db.session.execute(sa.select(Person).order_by(Person.id)).scalars().first()
    assert (first.municipality_id, first.admission_on, first.admission_basis) == (
        school.municipality_id,
        date(2019, 5, 15),
        "Форум 2019",
    )
    changes = db.session.scalars(
        sa.select(PersonStatusChange).order_by(PersonStatusChange.id)
    ).all()
    assert [(c.to_status.value, c.changed_on, c.user_id) for c in changes] == [
        ("resident_school", date(2019, 5, 15), user.id),
        ("potential", date(2019, 10, 1), user.id),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TransitionLog)) == 2


def test_commit_is_refused_whole_when_the_bank_changed_meanwhile(admin):
    client, t, user, school = admin
    data = (
        HEADER + "\nПервый;Иван;;05.03.2006;Второй район;;\n"
        "Второй;Пётр;;06.03.2006;Второй район;;\n"
    ).encode()
    url = previewed(client, data, "c.csv")
    make_person(t, "Второй", "Пётр", birth_on=date(2006, 3, 6))  # someone adds him meanwhile
    resp = commit(client, url)
    assert "в банк добавили людей из строк 3" in resp.get_data(as_text=True)
    assert [p[0] for p in persons()] == ["Второй"]  # "Первый" was not created either


def test_preview_is_server_side_and_private(app, admin, factory):
    client, t, user, school = admin
    data = (HEADER + "\nСекретов;Иван;;05.03.2006;Второй район;;\n").encode()
    url = previewed(client, data, "p.csv")
    cookie = client.get_cookie("session")
    assert "Секретов".encode() not in (cookie.value or "").encode()
    other_admin = factory.user(t, "admin")
    other = app.test_client()
    login(other, other_admin.email)
    assert other.get(url).status_code == 404
    # cancel deletes it
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token, "cancel": "1"}).status_code == 302
    assert client.get(url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_refusals_through_the_web(app, admin, monkeypatch):
    client, *_ = admin
    resp = upload_file(client, "/admin/people/import", b"PK\x03\x04broken", "a.xlsx")
    assert resp.status_code == 400
    assert 'data-testid="refused">Файл XLSX повреждён' in resp.get_data(as_text=True)
    resp = upload_file(client, "/admin/people/import", "Кто;Где\n".encode(), "a.csv")
    assert "Не найдены обязательные столбцы: «Фамилия», «Имя», «Дата рождения»" in resp.get_data(
        as_text=True
    )
    monkeypatch.setitem(app.config, "MKR_IMPORT_MAX_BYTES", 1024)
    resp = upload_file(client, "/admin/people/import", (HEADER + "\n").encode() * 20, "a.csv")
    assert resp.status_code == 400
    assert "Файл больше допустимого размера (1 КБ)" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_template_download_maps_every_column(admin):
    client, _t, _user, school = admin
    resp = client.get("/admin/people/import/template.xlsx")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="persons-template.xlsx"'
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Персоны", "Пояснения", "Справочник"]
    header = [c.value for c in wb["Персоны"][1]]
    assert header == [c.title for c in PERSON_SPEC.columns]
    notes = list(wb["Пояснения"].iter_rows(min_row=2, values_only=True))
    assert notes[0][:3] == ("Фамилия", "да", "текст") and notes[3][2] == "дата ДД.ММ.ГГГГ"
    table = parse_table(
        PERSON_SPEC,
        resp.data,
        "template.xlsx",
        max_bytes=10**6,
        lookups=reference_lookups(school.tenant_id),
    )
    assert table.notices == [] and set(table.columns) == {c.key for c in PERSON_SPEC.columns}
    assert table.errors == []


def test_ten_thousand_rows(admin):
    client, t, user, school = admin
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Образовательная организация", "Статус", "Дата статуса"]
    ]
    for i in range(10_000):
        rows.append(
            [
                f"Фамилия{chr(1072 + i % 32)}{chr(1072 + i // 32 % 32)}{chr(1072 + i // 1024)}",
                "Имя",
                date(2000 + i % 10, 1 + i % 12, 1 + i % 28),
                "МБОУ «СОШ № 1»",
                "резидент (школьник)" if i % 2 else None,
                date(2019, 5, 1) if i % 2 else None,
            ]
        )
    data = xlsx_bytes(rows)
    started = time.monotonic()
    url = previewed(client, data, "big.xlsx")
    html = client.get(url).get_data(as_text=True)
    assert "строк 10000, ошибок 0, новых людей 10000" in html
    assert commit(client, url).status_code == 302
    elapsed = time.monotonic() - started
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    residents = db.session.scalar(sa.select(sa.func.count()).select_from(PersonStatusChange))
    assert (count, residents) == (10_000, 5_000)
    assert elapsed < 120, elapsed
    # the bulk path (COPY on PostgreSQL) writes every row of the four tables, right
    created = db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "person.create",
            AuditEntry.details["source"].as_string() == "import",
        )
    )
    admitted = db.session.scalar(
        sa.select(sa.func.count()).where(
            TransitionLog.action == "admit_school", TransitionLog.user_id == user.id
        )
    )
    assert (created, admitted) == (10_000, 5_000)
    person = db.session.scalars(
        sa.select(Person).where(Person.surname == f"Фамилия{chr(1073)}{chr(1072)}{chr(1072)}")
    ).one()
    assert (person.status.value, person.admission_on, person.version) == (
        "resident_school",
        date(2019, 5, 1),
        1,
    )
    assert person.birth_on == date(2001, 2, 2) and person.search_name.startswith("фамилияб")
    assert person.created_at is not None and person.is_anonymized is False
