"""Nomination operations: kind rules, who may review, approving, numbers per tenant and year."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import (
    Nomination,
    NominationKind,
    Person,
    Placement,
    SubjectType,
)
from mkr_web.operations import nominations as ops, reviews
from tests.factories import (
    nomination_draft as draft,
    nomination_reviewed as reviewed,
    nomination_submitted as submitted,
    nomination_world as NominationWorld,
    pdf_upload,
)
from workflows.lifecycle import PersonStatus

ST = SubjectType.NOMINATION


YEAR = date.today().year


WORLD = NominationWorld  # the ``w`` fixture of tests/conftest.py


def test_kind_rules(w):
    resident = w.person(
        "Зайцева", "Ольга", None, date(2005, 5, 5), status=PersonStatus.RESIDENT_SCHOOL
    )
    potential = w.person("Волков", "Пётр", None, date(2005, 5, 6), status=PersonStatus.POTENTIAL)
    coordinator = w.membership(w.coord1)

    def data(kind, **kw):
        return ops.NominationData(
            kind=kind,
            description="основания",
            achievement_level=kw.get("level"),
            opportunity=kw.get("opportunity"),
        )

    with pytest.raises(
        OperationError, match="можно того, кто ещё не резидент; статус сейчас: «Резидент"
    ):
        ops.create_nomination(
            coordinator,
            resident,
            data(NominationKind.ADMISSION, level=ops.AchievementLevel.REGIONAL),
        )
    with pytest.raises(OperationError, match="присваивают участнику без статуса"):
        ops.create_nomination(coordinator, potential, data(NominationKind.POTENTIAL))
    with pytest.raises(OperationError, match="Выберите возможность"):
        ops.create_nomination(coordinator, resident, data(NominationKind.OPPORTUNITY))
    far = w.person("Дальний", "Иван", None, date(2005, 1, 1), municipality=w.second)
    with pytest.raises(OperationError, match="только обучающихся своих муниципалитетов"):
        ops.create_nomination(coordinator, far, data(NominationKind.POTENTIAL))
    # a potential Resident may be nominated for admission; an opportunity for a Resident
    ops.create_nomination(
        coordinator, potential, data(NominationKind.ADMISSION, level=ops.AchievementLevel.REGIONAL)
    )
    ops.create_nomination(
        coordinator, resident, data(NominationKind.OPPORTUNITY, opportunity=w.opportunity)
    )
    db.session.commit()
    with pytest.raises(
        OperationError, match=f"Такое выдвижение этого человека уже есть: ВЫДВ-{YEAR}-002"
    ):
        ops.create_nomination(
            coordinator, resident, data(NominationKind.OPPORTUNITY, opportunity=w.opportunity)
        )
    assert db.session.scalars(sa.select(Nomination.number).order_by(Nomination.id)).all() == [
        f"ВЫДВ-{YEAR}-001",
        f"ВЫДВ-{YEAR}-002",
    ]


def test_the_author_may_not_review_their_nomination(w, factory):
    from mkr_web.operations.tenancy import grant_role
    from workflows.roles import Role

    grant_role(w.coord1, w.tenant, Role.EXPERT)
    db.session.commit()
    n = submitted(w)
    with pytest.raises(OperationError, match="Автор выдвижения и эксперты из муниципалитета"):
        reviews.assign_experts(ST, n, [w.coord1.id], role=Role.ADMIN, actor_id=w.admin.id)


def test_approving_potential_and_opportunity(w):
    admin = w.membership(w.admin)
    potential = reviewed(w, kind=NominationKind.POTENTIAL)
    ops.approve(potential, admin)
    db.session.commit()
    assert db.session.get(Person, w.pupil.id).status is PersonStatus.POTENTIAL

    chance = reviewed(w, kind=NominationKind.OPPORTUNITY)
    outcome = ops.approve(chance, admin, "Направить на смену")
    db.session.commit()
    placement = db.session.get(Placement, outcome.placement_id)
    assert (
        placement.opportunity_id,
        placement.person_id,
        placement.nomination_id,
        placement.placed_on,
    ) == (w.opportunity.id, w.pupil.id, chance.id, date.today())
    assert outcome.admitted_person_id is None


def test_numbers_per_tenant_and_year(w, factory):
    first = draft(w, year=2019)
    second = draft(w, person=w.person("Кротова", "Нина", None, date(2006, 2, 2)), year=2019)
    other = NominationWorld(factory, slug="other")
    third = draft(other, year=2019)
    assert [first.number, second.number, third.number] == [
        "ВЫДВ-2019-001",
        "ВЫДВ-2019-002",
        "ВЫДВ-2019-001",
    ]
    with pytest.raises(OperationError):
        ops.add_evidence(first, w.membership(w.coord2), pdf_upload())
