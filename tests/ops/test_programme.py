"""Programme operations and queries: opportunity rules, the ё-insensitive person search."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import (
    OpportunityKind,
    Placement,
)
from mkr_web.operations import programme as ops
from mkr_web.queries.programme import distinct_placed, search_persons
from tests.factories import World, make_opportunity
from workflows.lifecycle import PersonStatus


def test_opportunity_rules(world, factory):
    other = World(factory)
    for refusal, fields in (
        ("Укажите: название", {"title": " "}),
        ("Дата окончания раньше", {"starts_on": date(2019, 5, 2), "ends_on": date(2019, 5, 1)}),
        ("в указанном году", {"starts_on": date(2018, 5, 2)}),
        ("Организация другого проекта", {"partner": other.university}),
    ):
        with pytest.raises(OperationError, match=refusal):
            ops.save_opportunity(
                world.tenant,
                None,
                **{"kind": OpportunityKind.INTERNSHIP, "title": "x", "year": 2019, **fields},
            )
    db.session.rollback()
    opp = make_opportunity(world)
    person = world.person(
        "Ёлкин", "Иван", None, date(2004, 1, 1), status=PersonStatus.RESIDENT_SCHOOL
    )
    stranger = other.person("Ёлкин", "Иван", None, date(2004, 1, 1))
    with pytest.raises(OperationError, match="другого проекта"):
        ops.add_placement(opp, stranger)
    with pytest.raises(OperationError, match="в 2019 году"):
        ops.add_placement(opp, person, date(2020, 1, 1))
    placement = ops.add_placement(opp, person)
    db.session.commit()
    assert placement.placed_on == date(2019, 7, 1)  # the opportunity's start by default
    with pytest.raises(OperationError, match="уже участвует"):
        ops.add_placement(opp, person)
    with pytest.raises(OperationError, match="Год не совпадёт"):
        ops.save_opportunity(world.tenant, opp, kind=opp.kind, title=opp.title, year=2020)
    db.session.rollback()
    second = make_opportunity(
        world, title="Стажировка", kind=OpportunityKind.INTERNSHIP, starts_on=None, ends_on=None
    )
    ops.add_placement(second, person, date(2019, 9, 16))
    db.session.commit()
    assert (
        distinct_placed(world.tenant.id, 2019) == 1 and distinct_placed(world.tenant.id, 2018) == 0
    )
    ops.delete_opportunity(opp)
    db.session.commit()
    assert db.session.scalars(sa.select(Placement.opportunity_id)).all() == [second.id]


def test_search_is_yo_insensitive_and_tenant_scoped(world, factory):
    a = world.person("Ёлкина", "Алёна", "Петровна", date(2004, 1, 1))
    world.person("Елкин", "Пётр", None, date(2004, 1, 2))
    world.person("Сидоров_100%", "Ян", None, date(2004, 1, 3))
    World(factory).person("Ёлкина", "Алёна", "Петровна", date(2004, 1, 1))
    assert [p.id for p in search_persons(world.tenant.id, "елкина АЛЕНА")] == [a.id]
    assert [p.full_name for p in search_persons(world.tenant.id, "ёлкин")] == [
        "Елкин Пётр",
        "Ёлкина Алёна Петровна",
    ]
    # LIKE wildcards are literal: "%" and "_" match only the name that contains them
    assert [p.surname for p in search_persons(world.tenant.id, "%")] == ["Сидоров_100%"]
    assert [p.surname for p in search_persons(world.tenant.id, "н_")] == []
    assert [p.surname for p in search_persons(world.tenant.id, "_100%")] == ["Сидоров_100%"]
    assert search_persons(world.tenant.id, "   ") == []
