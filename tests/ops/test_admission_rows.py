"""validate_candidate_rows: every column's rule, minors, duplicates, Russian result words."""

from datetime import date

import pytest

from mkr_web.errors import RowError
from mkr_web.models import ParticipationRole
from mkr_web.operations.admission import validate_candidate_rows
from tests.factories import World, row

ON = date(2019, 3, 25)


def test_clean_rows(world):
    rows = [
        row(),
        row(
            surname="Петров",
            name="Илья",
            patronymic="",
            birth_date=date(2000, 1, 2),
            organization="Университет",
            grade="2",
            result="Призёр",
            place="3",
            parent_contact="",
            section="",
        ),
        row(
            surname="Ёлкина",
            birth_date="2003-05-06",
            organization='МБОУ "СОШ № 2"',
            municipality="Второй район",
            result="призер",
            place="",
        ),
    ]
    clean, errors = validate_candidate_rows(world.tenant, rows, on=ON)
    assert errors == []
    a, b, c = clean
    assert (
        a.row_no,
        a.surname,
        a.birth_on,
        a.organization.id,
        a.municipality.id,
        a.result,
        a.place,
    ) == (
        1,
        "Соколова",
        date(2004, 4, 12),
        world.school1.id,
        world.first.id,
        ParticipationRole.WINNER,
        1,
    )
    assert a.is_student is False and a.section == "Экология"
    # an adult needs no parent contact; a bare number at a university is a course
    assert (
        b.patronymic,
        b.grade,
        b.is_student,
        b.result,
        b.place,
        b.section,
        b.parent_contact,
    ) == (None, "2 курс", True, ParticipationRole.PRIZE_WINNER, 3, None, None)
    # ISO dates and straight quotes are accepted; «призер» without ё too
    assert (c.birth_on, c.organization.id, c.result, c.place) == (
        date(2003, 5, 6),
        world.school2.id,
        ParticipationRole.PRIZE_WINNER,
        None,
    )


@pytest.mark.parametrize(
    "over, column, reason",
    [
        ({"surname": ""}, "Фамилия", "не заполнено"),
        ({"name": " "}, "Имя", "не заполнено"),
        ({"grade": ""}, "Класс/курс", "не заполнено"),
        ({"birth_date": ""}, "Дата рождения", "не заполнено"),
        ({"birth_date": "31.02.2004"}, "Дата рождения", "нужна дата в формате ДД.ММ.ГГГГ"),
        ({"birth_date": "01.01.2020"}, "Дата рождения", "дата рождения вне допустимого диапазона"),
        (
            {"organization": "Лицей № 99"},
            "Образовательная организация",
            "организация «Лицей № 99» не найдена в справочнике",
        ),
        ({"organization": ""}, "Образовательная организация", "не заполнено"),
        (
            {"municipality": "Четвёртый район"},
            "Муниципалитет",
            "муниципалитет «Четвёртый район» не найден в справочнике; "
            "возможно: «Первый район», «Третий район»",
        ),
        ({"result": "участник"}, "Результат", "нужно «победитель» или «призёр»"),
        ({"place": "первое"}, "Место", "нужно целое число от 1"),
        ({"place": "0"}, "Место", "нужно целое число от 1"),
        ({"parent_contact": ""}, "Контакт родителя", "обязателен для несовершеннолетних"),
        ({"surname": "Я" * 101}, "Фамилия", "длиннее 100 символов"),
    ],
)
def test_each_rule_names_row_and_column(world, over, column, reason):
    clean, errors = validate_candidate_rows(
        world.tenant, [row(surname="Иванов"), row(**over)], on=ON
    )
    assert [c.row_no for c in clean] == [1]
    assert errors == [RowError(2, column, reason)]


def test_minor_is_counted_at_the_edition_date(world):
    # 18 on 2019-03-26: still a minor on 2019-03-25, an adult a day later
    r = row(birth_date="26.03.2001", parent_contact="")
    assert validate_candidate_rows(world.tenant, [r], on=ON)[1] == [
        RowError(1, "Контакт родителя", "обязателен для несовершеннолетних")
    ]
    assert validate_candidate_rows(world.tenant, [r], on=date(2019, 3, 26))[1] == []


def test_duplicate_rows_and_protocol_numbering(world):
    rows = [row(row_no=5), row(row_no=9, surname="Другая"), row(row_no=12, surname="  соколова ")]
    clean, errors = validate_candidate_rows(world.tenant, rows, on=ON)
    assert [c.row_no for c in clean] == [5, 9]
    assert errors == [RowError(12, "Фамилия", "повторяет строку 5 (то же ФИО и дата рождения)")]


def test_other_tenants_reference_is_unknown(world, factory):
    other = World(factory)
    clean, errors = validate_candidate_rows(other.tenant, [row(organization="Университет")], on=ON)
    assert clean and not errors
    factory.organization(world.tenant, world.first, name="Только у первого")
    _, errors = validate_candidate_rows(other.tenant, [row(organization="Только у первого")], on=ON)
    assert errors == [
        RowError(
            1,
            "Образовательная организация",
            "организация «Только у первого» не найдена в справочнике",
        )
    ]
