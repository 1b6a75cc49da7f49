"""Building persons for tests (synthetic names), through the bulk operation the import and
the demo use, so that each has its dated status history."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Municipality, Person
from mkr_web.operations.people import Step, add_persons_bulk


def muni(tenant, name: str) -> Municipality:
    return db.session.execute(
        sa.select(Municipality).where(
            Municipality.tenant_id == tenant.id, Municipality.name == name
        )
    ).scalar_one()


def make_person(
    tenant,
    surname="Тестов",
    name="Тест",
    patronymic=None,
    birth_on=date(2005, 3, 4),
    municipality=None,
    organization=None,
    history=(),
    commit=True,
    **fields,
) -> Person:
    """``history``: ``[(action, date), ...]`` or ``[(action, date, comment), ...]``. The
    municipality defaults to the organisation's, else "Первый район"."""
    data = dict(surname=surname, name=name, patronymic=patronymic, birth_on=birth_on, **fields)
    if municipality is None and organization is None:
        municipality = "Первый район"
    if municipality is not None:
        data["municipality_id"] = (
            muni(tenant, municipality) if isinstance(municipality, str) else municipality
        ).id
    if organization is not None:
        data["organization_id"] = organization.id
        data.setdefault("municipality_id", organization.municipality_id)
    steps = [Step(h[0], h[1], comment=h[2] if len(h) > 2 else "") for h in history]
    person = add_persons_bulk(
        tenant.id, [(data, steps)], role="system", user_id=None, source="test"
    )[0]
    if commit:
        db.session.commit()
    return person


def resident(tenant, surname="Резидентов", on=date(2019, 5, 1), **kw) -> Person:
    return make_person(tenant, surname=surname, history=[("admit_school", on)], **kw)
