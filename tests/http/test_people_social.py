"""Matching a social-network group's member list against the bank: three lists, and
marking chosen unknown members as potential Residents."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Person, PersonStatusChange
from tests.factories import make_person
from tests.support import csrf_token, login


def rows_of(html: str, group: str) -> list[str]:
    body = html.split(f'data-testid="group-{group}"', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    ]


def test_member_list_is_split_into_three_groups_and_unknowns_marked(client, factory):
    t = factory.tenant()
    other = factory.tenant()
    admin = factory.user(t, "admin")
    by_link = make_person(
        t,
        "Ссылкина",
        "Ольга",
        social_url="https://vk.com/olga_s",
        history=[("admit_school", date(2019, 5, 1))],
    )
    by_name = make_person(
        t, "Именов", "Пётр", "Ильич", history=[("admit_student", date(2019, 9, 1))]
    )
    potential = make_person(t, "Будущая", "Анна", history=[("mark_potential", date(2019, 10, 1))])
    alumni = make_person(
        t,
        "Бывший",
        "Олег",
        history=[("admit_school", date(2015, 5, 1)), ("graduate", date(2018, 7, 1))],
    )
    known_none = make_person(t, "Участников", "Семён")  # in the bank, status none
    make_person(other, "Чужой", "Иван", history=[("admit_school", date(2019, 5, 1))])
    csv_data = (
        "id;Имя;Ссылка\n"
        "1;Ольга Другая;https://www.VK.com/olga_s/\n"  # by link, whatever the name
        "2;Петр Именов;https://vk.com/id2\n"  # by name (ё/е, order)
        "3;Анна Будущая;\n"  # no link: built from the numeric id (vk.com/id3)
        "4;Олег Бывший;https://vk.com/id4\n"
        "5;Иван Чужой;https://vk.com/id5\n"  # another tenant's person: unknown here
        "6;Семён Участников;https://vk.com/id6\n"
        "7;Мадонна;https://vk.com/id7\n"  # one word: cannot be split
        "8;;https://vk.com/id8\n"  # no name: an error row, left out
    ).encode("cp1251")
    login(client, admin.email)
    token = csrf_token(client, "/admin/people/social")
    resp = client.post(
        "/admin/people/social",
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(csv_data), "group.csv")},
    )
    assert resp.status_code == 302
    url = resp.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert rows_of(html, "active") == [
        "2 Ольга Другая ( профиль ) Ссылкина Ольга — Резидент (школьник) (по ссылке)",
        "3 Петр Именов ( профиль ) Именов Пётр Ильич — Резидент (студент) (по имени)",
    ]
    assert rows_of(html, "known") == [
        "4 Анна Будущая ( профиль ) Будущая Анна — Потенциальный резидент (по имени)",
        "5 Олег Бывший ( профиль ) Бывший Олег — Партнёр (бывший резидент) (по имени)",
    ]
    unknown = rows_of(html, "unknown")
    assert unknown == [
        "6 Иван Чужой ( профиль )",
        "7 Семён Участников ( профиль ) Участников Семён — Участник (по имени)",
        "8 Мадонна ( профиль ) не удалось разделить имя и фамилию",
    ]
    assert html.count('type="checkbox" name="row"') == 2
    assert "<tr><td>9</td><td>Имя</td><td>не заполнено</td></tr>" in html
    # a row of another group cannot be marked
    token = csrf_token(client, url)
    resp = client.post(url, data={"csrf_token": token, "row": ["2"]}, follow_redirects=True)
    assert "Строку 2 нельзя отметить как потенциального резидента." in resp.get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": token, "row": ["6", "7"]})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/people?status=potential"
    db.session.expire_all()
    new = db.session.execute(
        sa.select(Person).where(Person.surname == "Чужой", Person.tenant_id == t.id)
    ).scalar_one()
    assert (new.name, new.status.value, new.social_url) == (
        "Иван",
        "potential",
        "https://vk.com/id5",
    )
    assert db.session.get(Person, known_none.id).status.value == "potential"
    changes = db.session.scalars(
        sa.select(PersonStatusChange.person_id).where(
            PersonStatusChange.action == "mark_potential",
            PersonStatusChange.changed_on == date.today(),
        )
    ).all()
    assert sorted(changes) == sorted([new.id, known_none.id])
    for p in (by_link, by_name, potential, alumni):
        assert db.session.get(Person, p.id).version == 1
