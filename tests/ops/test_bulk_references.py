"""Bulk inserts (COPY) on PostgreSQL check their foreign keys once per key, not per row
(``operations/bulk.py``: ``_check_references``): the same guarantee as PostgreSQL's own
per-row triggers, shown here against them. A reference to a row that is missing, or that
belongs to another tenant (the keys include ``tenant_id``), refuses the whole insert; a row
referred to stays locked against deletion until the transaction ends; the per-row triggers
are back on after the COPY."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Organization, Person
from mkr_web.operations import bulk
from mkr_web.operations.people_bulk import insert_persons_bulk

pytestmark = pytest.mark.postgresql


def _item(organization_id: int, municipality_id: int, surname: str = "Балкова"):
    data = {"surname": surname, "name": "Имя", "birth_on": date(2005, 1, 1)}
    return dict(data, organization_id=organization_id, municipality_id=municipality_id), []


def _persons() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


@pytest.fixture
def two_tenants(app_ctx, factory):
    mine, other = factory.tenant(), factory.tenant()
    school = factory.organization(mine, "Первый район", name="Моя школа")
    foreign = factory.organization(other, "Первый район", name="Чужая школа")
    db.session.commit()
    return mine, school, foreign


@pytest.mark.parametrize("in_bulk", [True, False], ids=["checked in bulk", "row triggers"])
def test_a_reference_to_another_tenants_or_a_missing_row_refuses_everything(
    two_tenants, monkeypatch, in_bulk
):
    mine, school, foreign = two_tenants
    if not in_bulk:  # the per-row triggers, as where the session may not turn them off
        monkeypatch.setattr(bulk, "_may_check_in_bulk", lambda cursor, table: False)
    before = _persons()
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    refused = (OperationError, sa.exc.IntegrityError)
    for bad in (foreign.id, 10**9):  # another tenant's school; no school at all
        items = [_item(school.id, school.municipality_id), _item(bad, school.municipality_id)]
        with pytest.raises(refused) as caught:
            insert_persons_bulk(mine.id, items, role="admin", user_id=None, source="import")
        db.session.rollback()
        if in_bulk:
            assert isinstance(caught.value, OperationError)
            assert "organization" in str(caught.value) and str(bad) in str(caught.value)
        assert _persons() == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audits
    ids = insert_persons_bulk(
        mine.id,
        [_item(school.id, school.municipality_id)] * 2,
        role="admin",
        user_id=None,
        source="import",
    )
    db.session.commit()
    assert _persons() == before + 2 and len(ids) == 2


def test_the_rows_referred_to_stay_locked_and_the_triggers_come_back(two_tenants):
    mine, school, _foreign = two_tenants
    insert_persons_bulk(
        mine.id, [_item(school.id, school.municipality_id)], role="admin", user_id=None, source="x"
    )
    # the triggers are on again for the rest of the transaction
    assert db.session.scalar(sa.text("SHOW session_replication_role")) == "origin"
    # another transaction cannot delete the school the new person refers to until this ends
    with db.engine.connect() as other:
        other.exec_driver_sql("SET lock_timeout = '200ms'")
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            other.execute(sa.delete(Organization).where(Organization.id == school.id))
        other.rollback()
    db.session.rollback()
    assert db.session.scalar(sa.text("SHOW session_replication_role")) == "origin"
