"""The persons import without the web: header titles, aliases and hints, row checks."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.imports.parse import parse_table
from mkr_web.imports.persons import PERSON_SPEC


def test_header_titles_aliases_and_hints(app_ctx, factory):
    t = factory.tenant()
    data = (
        "ФАМИЛИЯ*;имя;Дата рождения (ДД.ММ.ГГГГ);Район;Школа;E-mail;Соцсеть;Лишний столбец\n"
        "Петров;Иван;1.2.2005;Первый район;;ivan@example.ru;vk.com/ivan;x\n"
    ).encode()
    from mkr_web.imports.persons import PersonImporter

    table = parse_table(
        PERSON_SPEC, data, "a.csv", max_bytes=10_000, lookups=PersonImporter().lookups(t.id)
    )
    assert table.notices == ["Столбец «Лишний столбец» не распознан и пропущен."]
    assert table.errors == []
    v = table.rows[0].values
    assert (v["surname"], v["birth_on"], v["email"], v["social_url"]) == (
        "Петров",
        date(2005, 2, 1),
        "ivan@example.ru",
        "https://vk.com/ivan",
    )
    assert (
        v["municipality"]
        == db.session.execute(
            sa.text("select id from municipality where tenant_id=:t and name='Первый район'"),
            {"t": t.id},
        ).scalar()
    )


def test_row_checks(app_ctx, factory):
    t = factory.tenant()
    from mkr_web.imports.persons import PersonImporter

    data = (
        "Фамилия;Имя;Дата рождения;Муниципалитет;Статус;Дата статуса\n"
        "Без;Места;01.01.2005;;;\n"
        "Без;Даты;01.01.2005;Первый район;школьник;\n"
        "Без;Статуса;01.01.2005;Первый район;;01.05.2019\n"
        "Рано;Включён;01.01.2005;Первый район;студент;01.01.2004\n"
    ).encode()
    table = parse_table(
        PERSON_SPEC, data, "a.csv", max_bytes=10_000, lookups=PersonImporter().lookups(t.id)
    )
    assert [e.as_list() for e in table.errors] == [
        [2, "Муниципалитет", "укажите муниципалитет или организацию"],
        [3, "Дата статуса", "нужна дата, раз указан статус"],
        [4, "Статус", "укажите статус, раз указана дата"],
        [5, "Дата статуса", "раньше даты рождения"],
    ]
