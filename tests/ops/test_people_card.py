"""Person card operations: optimistic locking of an update."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    Person,
)
from tests.factories import card_person


@pytest.fixture
def setup(factory):
    return card_person(factory)


def test_versioned_update_refuses_a_change_committed_after_loading(app_ctx, setup):
    """The race the form check cannot see: the row changed between load and flush."""
    from sqlalchemy.orm.exc import StaleDataError

    from mkr_web.operations.people import update_person

    t, admin, school, p = setup
    loaded = db.session.get(Person, p.id)
    with db.engine.begin() as conn:  # another request commits meanwhile
        conn.execute(
            sa.update(Person)
            .where(Person.id == p.id)
            .values(grade="другой", version=Person.version + 1)
        )
    with pytest.raises(StaleDataError):
        update_person(loaded, {"grade": "мой"}, expected_version=loaded.version)
    db.session.rollback()
    assert db.session.get(Person, p.id).grade == "другой"
