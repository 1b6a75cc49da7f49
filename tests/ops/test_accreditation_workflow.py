"""Accreditation operations: application numbers per tenant and year, accrediting an existing event."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import (
    Event,
    EventKind,
)
from mkr_web.operations import accreditation as acc
from tests.factories import (
    application,
    application_reviewed as reviewed,
    saved_event,
    world,
)
from workflows.roles import Role

YEAR = date.today().year


def test_numbers_are_unique_per_tenant_and_year(w, factory):
    a1 = application(w)
    a2 = application(w)
    other = world(factory)
    b1 = application(other)
    assert (a1.number, a2.number, b1.number) == (
        f"ЗАЯВ-{YEAR}-001",
        f"ЗАЯВ-{YEAR}-002",
        f"ЗАЯВ-{YEAR}-001",
    )
    assert acc.next_number(w.tenant.id, 2016) == "ЗАЯВ-2016-001"
    application(w, number="ЗАЯВ-2016-007")
    assert acc.next_number(w.tenant.id, 2016) == "ЗАЯВ-2016-008"
    with pytest.raises(OperationError, match="номер"):
        application(w, number="ЗАЯВ-2016-007")


def test_accrediting_an_existing_event_updates_it(w, factory):
    from mkr_web.models import EventLevel

    event = saved_event(w.tenant, w.org, "Старое название", level=EventLevel.MUNICIPAL)
    db.session.commit()
    a = reviewed(w)
    a.event = event
    acc.accredit(a, 2021, 2023, role=Role.ADMIN, user_id=w.admin.id)
    db.session.commit()
    event = db.session.get(Event, event.id)
    assert (event.kind, event.title, event.level.value) == (
        EventKind.ACCREDITED,
        a.title,
        "regional",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_a_refused_decision_puts_back_what_records_it(w):
    """Validity and decider are set with the new state; a stale form puts them back."""
    from mkr_web.errors import StaleItem
    from workflows.review import ReviewState

    a = reviewed(w)
    stale = a.version - 1
    for act in (
        lambda: acc.accredit(
            a, 2020, 2022, role=Role.ADMIN, user_id=w.admin.id, expected_version=stale
        ),
        lambda: acc.decide(
            a, "reject", "Нет", role=Role.ADMIN, user_id=w.admin.id, expected_version=stale
        ),
    ):
        with pytest.raises(StaleItem):
            act()
        assert (a.state, a.valid_from_year, a.valid_to_year, a.decided_at, a.decided_by_id) == (
            ReviewState.REVIEWED,
            None,
            None,
            None,
            None,
        )
    acc.decide(
        a, "return", "Уточните", role=Role.ADMIN, user_id=w.admin.id, expected_version=a.version
    )
    assert (a.state, a.decided_by_id) == (ReviewState.RETURNED, None)  # a return decides nothing
    with pytest.raises(OperationError, match="Неизвестное решение"):
        acc.decide(a, "approve", "", role=Role.ADMIN, user_id=w.admin.id)
