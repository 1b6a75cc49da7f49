"""The results protocol uploaded as a file (XLSX, Windows-1251 CSV) through the shared import
machinery: template, preview with per-row errors and matches, the batch all-or-nothing."""

import io
import re
from datetime import date

import openpyxl
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionBatch, AdmissionCandidate, MatchKind, StoredFile
from mkr_web.operations.admission_rows import COLUMNS
from tests.factories import PROTOCOL_ANNA, World
from tests.support import logged_in as client_for, post_form, upload_file, xlsx_bytes
from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

TITLES = [title for _key, title in COLUMNS]


def upload_url(world):
    return f"/organizer/admission/editions/{world.edition.id}/protocol/upload"


def csv_1251(rows: list[list]) -> bytes:
    lines = [";".join(TITLES)] + [";".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


ANNA = PROTOCOL_ANNA
ILYA = [
    "Петров",
    "Илья",
    "",
    date(2000, 1, 1),
    "Университет",
    "2 курс",
    "Первый район",
    "призёр",
    2,
    "",
    "",
]
OLGA = [
    "Орлова",
    "Ольга",
    "Петровна",
    date(2005, 6, 7),
    "МБОУ «СОШ № 2»",
    "8",
    "Второй район",
    "Призёр",
    "",
    "",
    "+7 913 000-11-22",
]


def candidates():
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AdmissionCandidate).order_by(AdmissionCandidate.row_no)
    ).all()


def test_template_lists_the_protocol_columns(app, world):
    client = client_for(app, world.organizer)
    resp = client.get(f"/organizer/admission/editions/{world.edition.id}/protocol/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Протокол результатов", "Пояснения", "Справочник"]
    sheet = wb["Протокол результатов"]
    assert [c.value for c in sheet[1]] == TITLES
    required = {r[0].value: r[1].value for r in wb["Пояснения"].iter_rows(min_row=2)}
    assert [t for t, flag in required.items() if flag == "да"] == [
        "Фамилия",
        "Имя",
        "Дата рождения",
        "Образовательная организация",
        "Класс/курс",
        "Муниципалитет",
        "Результат",
    ]
    # the template itself, filled with its example row, is a readable file
    page = client.get(upload_url(world)).get_data(as_text=True)
    assert 'data-testid="template-link"' in page


def test_xlsx_upload_preview_and_batch(app, world):
    existing = world.person("Петров", "Илья", None, date(2000, 1, 1))
    client = client_for(app, world.organizer)
    resp = upload_file(
        client, upload_url(world), xlsx_bytes([ANNA, ILYA, OLGA], TITLES), "протокол.xlsx"
    )
    assert resp.status_code == 302
    preview = resp.headers["Location"]
    assert re.fullmatch(
        rf"/organizer/admission/editions/{world.edition.id}/protocol/upload/\d+", preview
    )
    html = client.get(preview).get_data(as_text=True)
    assert "Файл «протокол.xlsx»: строк 3, ошибок 0." in html
    assert "Новых людей: 2; уже в банке: 1; уже резиденты (будет записано достижение): 0" in html
    row3 = html.split('data-row="3"')[1].split("</tr>")[0]
    assert "Петров Илья" in row3 and "01.01.2000" in row3 and "Есть в банке" in row3
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch)) == 0
    )  # preview only

    resp = post_form(client, preview, {"commit": "1"})
    batch = db.session.execute(sa.select(AdmissionBatch)).scalar_one()
    assert (
        resp.status_code == 302
        and resp.headers["Location"] == f"/organizer/admission/batches/{batch.id}"
    )
    assert (batch.number, batch.source_filename, batch.edition_id) == (
        "ПРОТ-2019-001",
        "протокол.xlsx",
        world.edition.id,
    )
    rows = [
        (
            c.row_no,
            c.surname,
            c.birth_on,
            c.municipality_id,
            c.grade,
            c.result.value,
            c.place,
            c.section,
            c.match,
            c.person_id,
            c.state,
            c.is_student,
        )
        for c in candidates()
    ]
    assert rows == [
        (
            2,
            "Соколова",
            date(2004, 4, 12),
            world.first.id,
            "9 класс",
            "winner",
            1,
            "Экология",
            MatchKind.NEW,
            None,
            CandidateState.SUBMITTED,
            False,
        ),
        (
            3,
            "Петров",
            date(2000, 1, 1),
            world.first.id,
            "2 курс",
            "prize_winner",
            2,
            None,
            MatchKind.EXISTING,
            existing.id,
            CandidateState.SUBMITTED,
            True,
        ),
        (
            4,
            "Орлова",
            date(2005, 6, 7),
            world.second.id,
            "8 класс",
            "prize_winner",
            None,
            None,
            MatchKind.NEW,
            None,
            CandidateState.SUBMITTED,
            False,
        ),
    ]
    # the preview file is gone; a second commit of the same preview is 404
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StoredFile)
            .where(StoredFile.kind == "import_preview")
        )
        == 0
    )
    assert client.get(preview).status_code == 404


def test_windows_1251_csv(app, world):
    rows = [[c.strftime("%d.%m.%Y") if isinstance(c, date) else c for c in r] for r in (ANNA, OLGA)]
    client = client_for(app, world.organizer)
    resp = upload_file(client, upload_url(world), csv_1251(rows), "protocol.csv")
    preview = resp.headers["Location"]
    assert "строк 2, ошибок 0" in client.get(preview).get_data(as_text=True)
    post_form(client, preview, {"commit": "1"})
    assert [
        (c.surname, c.name, c.patronymic, c.organization_name, c.parent_contact)
        for c in candidates()
    ] == [
        (
            "Соколова",
            "Анна",
            "Игоревна",
            "МБОУ «СОШ № 1»",
            "Соколова Ирина Павловна, +7 913 555-01-02",
        ),
        ("Орлова", "Ольга", "Петровна", "МБОУ «СОШ № 2»", "+7 913 000-11-22"),
    ]


def test_bad_rows_are_named_and_nothing_is_created(app, world):
    bad_date = [
        "Кузнецов",
        "Олег",
        "",
        "31.02.2005",
        "МБОУ «СОШ № 1»",
        "9 класс",
        "Первый район",
        "победитель",
        "",
        "",
        "+7 913 000-00-01",
    ]
    unknown = [
        "Смирнова",
        "Ева",
        "",
        "01.02.2005",
        "Нет такой школы",
        "9 класс",
        "Нигде",
        "участник",
        "первое",
        "",
        "",
    ]
    rows = [[c.strftime("%d.%m.%Y") if isinstance(c, date) else c for c in ANNA], bad_date, unknown]
    client = client_for(app, world.organizer)
    preview = upload_file(client, upload_url(world), csv_1251(rows), "p.csv").headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "строк 3, ошибок 6" in html
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )
    assert errors == [
        ("3", "Дата рождения", "не дата (нужно ДД.ММ.ГГГГ)"),
        (
            "4",
            "Образовательная организация",
            "организация «Нет такой школы» не найдена в справочнике",
        ),
        ("4", "Муниципалитет", "муниципалитет «Нигде» не найден в справочнике"),
        ("4", "Результат", "нужно «победитель» или «призёр»"),
        ("4", "Место", "нужно целое число от 1"),
        ("4", "Контакт родителя", "обязателен для несовершеннолетних"),
    ]
    assert re.search(r'name="commit" value="1"\s+disabled', html)
    html = post_form(client, preview, {"commit": "1"}).get_data(as_text=True)
    assert "В файле есть ошибки" in html
    assert candidates() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch)) == 0


def test_file_repeating_an_active_resident(app, world):
    resident = world.person(
        "Соколова", "Анна", "Игоревна", date(2004, 4, 12), status=PersonStatus.RESIDENT_SCHOOL
    )
    client = client_for(app, world.organizer)
    # the same Resident twice in the file: the repeat is an error
    preview = upload_file(
        client, upload_url(world), xlsx_bytes([ANNA, OLGA, ANNA], TITLES), "p.xlsx"
    ).headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "строк 3, ошибок 1" in html
    assert (
        "<tr><td>4</td><td>Фамилия</td><td>повторяет строку 2 (то же ФИО и дата рождения)</td></tr>"
        in html
    )
    # once: flagged in the preview, recorded as such on the batch (admitted later as an achievement)
    preview = upload_file(
        client, upload_url(world), xlsx_bytes([ANNA, OLGA], TITLES), "p.xlsx"
    ).headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "уже резиденты (будет записано достижение): 1" in html
    assert (
        "Уже резидент: будет записано достижение" in html.split('data-row="2"')[1].split("</tr>")[0]
    )
    post_form(client, preview, {"commit": "1"})
    assert [(c.match, c.person_id) for c in candidates()] == [
        (MatchKind.ACTIVE_RESIDENT, resident.id),
        (MatchKind.NEW, None),
    ]


def test_refused_files_and_cancel(app, world):
    client = client_for(app, world.organizer)
    resp = upload_file(client, upload_url(world), "Фамилия;Имя\nА;Б\n".encode("cp1251"), "p.csv")
    assert resp.status_code == 400
    assert (
        'data-testid="refused">Не найдены обязательные столбцы: «Дата рождения», «Образовательная организация», '
        "«Класс/курс», «Муниципалитет», «Результат». Проверьте заголовки"
    ) in resp.get_data(as_text=True)
    resp = upload_file(client, upload_url(world), b"\xd0\xcf\x11\xe0rest", "p.xls")
    assert "Старый формат .xls не поддерживается" in resp.get_data(as_text=True)
    preview = upload_file(client, upload_url(world), xlsx_bytes([ANNA], TITLES), "p.xlsx").headers[
        "Location"
    ]
    resp = post_form(client, preview, {"cancel": "1"})
    assert resp.headers["Location"] == upload_url(world)
    assert client.get(preview).status_code == 404
    assert candidates() == []


def test_scope_other_organiser_other_tenant_and_roles(app, world, factory):
    client = client_for(app, world.organizer)
    preview = upload_file(client, upload_url(world), xlsx_bytes([ANNA], TITLES), "p.xlsx").headers[
        "Location"
    ]
    # another organiser: not their edition, and not their preview
    other = client_for(app, world.other_organizer)
    assert other.get(upload_url(world)).status_code == 404
    assert other.get(preview).status_code == 404
    assert (
        other.get(
            f"/organizer/admission/editions/{world.edition.id}/protocol/template.xlsx"
        ).status_code
        == 404
    )
    # a satellite edition takes no protocol
    sat = f"/organizer/admission/editions/{world.satellite_edition.id}/protocol/upload"
    assert client.get(sat).status_code == 404
    # another tenant's organiser
    w2 = World(factory, slug="other")
    assert client_for(app, w2.organizer).get(upload_url(world)).status_code == 404
    # other roles
    for user in (world.admin, world.coord1, world.expert):
        assert client_for(app, user).get(upload_url(world)).status_code == 403
    assert app.test_client().get(upload_url(world)).status_code == 302
