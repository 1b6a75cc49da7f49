"""An edition's participant list uploaded as a file through the shared import machinery and
written by operations.events.add_participants."""

import io
import re
from datetime import date

import openpyxl
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Participation, ParticipationRole, Person
from tests.factories import World
from tests.support import logged_in as client_for, post_form, upload_file, xlsx_bytes

HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Муниципалитет",
    "Образовательная организация",
    "Роль",
    "Место",
    "Номинация/секция",
]


ROWS = [
    [
        "Соколова",
        "Анна",
        "Игоревна",
        date(2004, 4, 12),
        "Первый район",
        "МБОУ «СОШ № 1»",
        "победитель",
        1,
        "Экология",
    ],
    [
        "Петров",
        "Илья",
        None,
        date(2000, 1, 1),
        "Первый район",
        "Университет",
        "Эксперт",
        None,
        None,
    ],
    ["Орлова", "Ольга", None, date(2005, 6, 7), "Второй район", None, None, None, None],
]


def participations():
    db.session.expire_all()
    return db.session.execute(
        sa.select(
            Person.surname,
            Person.municipality_id,
            Person.organization_id,
            Participation.role,
            Participation.place,
            Participation.section,
        )
        .join(Person, Person.id == Participation.person_id)
        .order_by(Participation.id)
    ).all()


def test_organiser_uploads_a_list_twice(app, world):
    ilya = world.person("Петров", "Илья", None, date(2000, 1, 1))
    client = client_for(app, world.organizer)
    base = f"/organizer/editions/{world.satellite_edition.id}/participants"
    assert f'href="{base}/upload"' in client.get(base).get_data(as_text=True)
    template = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/template.xlsx").data))
    assert [c.value for c in template["Участники"][1]] == [*HEADER, "СНИЛС"]  # optional, last

    resp = upload_file(client, f"{base}/upload", xlsx_bytes(ROWS, HEADER), "участники.xlsx")
    preview = resp.headers["Location"]
    assert re.fullmatch(rf"{base}/upload/\d+", preview)
    html = client.get(preview).get_data(as_text=True)
    assert "строк 3, ошибок 0. Найдены в банке: 1; уже в списке (будут пропущены): 0." in html
    assert "есть в банке" in html.split('data-row="3"')[1].split("</tr>")[0]
    resp = post_form(client, preview, {"commit": "1"})
    assert resp.headers["Location"] == base
    page = client.get(base).get_data(as_text=True)
    assert (
        "Список загружен: добавлено участий 3 (новых людей в банке 2); уже были в списке 0." in page
    )
    assert participations() == [
        ("Соколова", world.first.id, world.school1.id, ParticipationRole.WINNER, 1, "Экология"),
        (
            "Петров",
            world.first.id,
            world.school1.id,
            ParticipationRole.EXPERT,
            None,
            None,
        ),  # the bank's card
        ("Орлова", world.second.id, None, ParticipationRole.PARTICIPANT, None, None),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 3
    assert (
        db.session.execute(
            sa.select(Participation.person_id).where(Participation.role == ParticipationRole.EXPERT)
        ).scalar_one()
        == ilya.id
    )

    # the same file again: everyone is listed already, nothing is doubled
    preview = upload_file(
        client, f"{base}/upload", xlsx_bytes(ROWS, HEADER), "участники.xlsx"
    ).headers["Location"]
    assert "Найдены в банке: 3; уже в списке (будут пропущены): 3." in client.get(preview).get_data(
        as_text=True
    )
    post_form(client, preview, {"commit": "1"})
    assert "добавлено участий 0 (новых людей в банке 0); уже были в списке 3." in client.get(
        base
    ).get_data(as_text=True)
    assert len(participations()) == 3


def test_bad_rows_in_a_windows_1251_csv(app, world):
    client = client_for(app, world.admin)  # the admin has the same pages
    base = f"/admin/editions/{world.edition.id}/participants"
    data = (
        "\n".join(
            [
                ";".join(HEADER),
                "Соколова;Анна;Игоревна;12.04.2004;Первый район;МБОУ «СОШ № 1»;призёр;2;",
                "Кузнецов;Олег;;31.02.2005;Нигде;;участник;3;",
                "Соколова;Анна;Игоревна;12.04.2004;Первый район;;призер;;",
                "=1+2;Ева;;01.01.2005;;;зритель;;",
            ]
        )
        + "\n"
    ).encode("cp1251")
    preview = upload_file(client, f"{base}/upload", data, "list.csv").headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        html.split('data-testid="import-errors"')[1].split("</table>")[0],
    )
    assert errors == [
        ("3", "Дата рождения", "не дата (нужно ДД.ММ.ГГГГ)"),
        ("3", "Муниципалитет", "муниципалитет «Нигде» не найден в справочнике"),
        ("4", "", "повторяет строку 2 (то же ФИО, дата рождения и роль)"),
        ("5", "Фамилия", "недопустимые символы (только буквы, пробел, дефис, апостроф)"),
        (
            "5",
            "Роль",
            "недопустимое значение (возможно: участник, победитель, призёр, призер, эксперт, член жюри, "
            "наставник, модератор)",
        ),
    ]
    assert "В файле есть ошибки" in post_form(client, preview, {"commit": "1"}).get_data(
        as_text=True
    )
    assert participations() == []
    # the place of a mere participant is refused by the row check
    data = (";".join(HEADER) + "\nКузнецов;Олег;;01.02.2005;;;участник;3;\n").encode("utf-8")
    html = client.get(
        upload_file(client, f"{base}/upload", data, "l.csv").headers["Location"]
    ).get_data(as_text=True)
    assert "<td>2</td><td>Место</td><td>место указывают только победителю или призёру</td>" in html


def test_scope(app, world, factory):
    client = client_for(app, world.organizer)
    url = f"/organizer/editions/{world.satellite_edition.id}/participants/upload"
    preview = upload_file(client, url, xlsx_bytes(ROWS[:1], HEADER), "l.xlsx").headers["Location"]
    other = client_for(app, world.other_organizer)
    assert other.get(url).status_code == 404 and other.get(preview).status_code == 404
    # the admin cannot open the organiser's preview either (previews belong to their uploader)
    admin = client_for(app, world.admin)
    assert admin.get(preview.replace("/organizer/", "/admin/")).status_code == 404
    w2 = World(factory, slug="other")
    assert (
        client_for(app, w2.admin)
        .get(f"/admin/editions/{world.edition.id}/participants/upload")
        .status_code
        == 404
    )
    assert client_for(app, world.coord1).get(url).status_code == 403
    assert participations() == []


def test_cancelling_a_preview_deletes_it_and_goes_back_to_the_upload(app, world):
    client = client_for(app, world.organizer)
    base = f"/organizer/editions/{world.satellite_edition.id}/participants"
    preview = upload_file(
        client, f"{base}/upload", xlsx_bytes(ROWS, HEADER), "участники.xlsx"
    ).headers["Location"]
    resp = post_form(client, preview, {"cancel": "1"})
    assert resp.headers["Location"] == f"{base}/upload"
    assert "Загрузка отменена." in client.get(f"{base}/upload").get_data(as_text=True)
    assert client.get(preview).status_code == 404
    assert participations() == []
