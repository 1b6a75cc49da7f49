"""The persons import without the web: header titles, aliases and hints, row checks."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.imports.parse import parse_table
from mkr_web.imports.persons import PERSON_SPEC
from workflows.lifecycle import PersonStatus


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


def test_a_refused_person_in_the_middle_of_a_bulk_insert_leaves_nothing(app_ctx, factory):
    """The import's bulk path (COPY on PostgreSQL, each row made while the ones before it
    travel): a step the lifecycle refuses at the 2nd of 3 persons stops it, and the rollback
    leaves no person, audit entry, log or history row; the same items then load whole."""
    from mkr_web.models import AuditEntry, Person, PersonStatusChange, TransitionLog
    from mkr_web.operations.people_bulk import Step, insert_persons_bulk
    from workflows.engine import TransitionRefused

    t = factory.tenant()
    muni = db.session.scalar(sa.text("select id from municipality where tenant_id=:t"), {"t": t.id})
    admitted = [Step("admit_school", date(2019, 5, 1))]

    def item(surname, steps):
        data = {"surname": surname, "name": "Имя", "birth_on": date(2005, 1, 1)}
        return dict(data, municipality_id=muni), steps

    items = [item("Первая", admitted), item("Вторая", [Step("graduate", date(2019, 5, 1))])]
    items.append(item("Третья", admitted))
    tables = (Person, AuditEntry, TransitionLog, PersonStatusChange)

    def counts():
        return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in tables]

    before = counts()
    try:
        insert_persons_bulk(t.id, items, role="admin", user_id=None, source="import")
        raise AssertionError("the refused step did not stop the insert")
    except TransitionRefused:
        db.session.rollback()
    assert counts() == before
    items[1] = item("Вторая", [])
    ids = insert_persons_bulk(t.id, items, role="admin", user_id=None, source="import")
    db.session.commit()
    assert [c - b for c, b in zip(counts(), before, strict=True)] == [3, 3, 2, 2]
    assert db.session.execute(
        sa.select(Person.surname, Person.status, Person.admission_on)
        .where(Person.id.in_(ids))
        .order_by(Person.id)
    ).all() == [
        ("Первая", PersonStatus.RESIDENT_SCHOOL, date(2019, 5, 1)),
        ("Вторая", PersonStatus.NONE, None),
        ("Третья", PersonStatus.RESIDENT_SCHOOL, date(2019, 5, 1)),
    ]
