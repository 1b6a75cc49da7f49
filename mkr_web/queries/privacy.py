"""Reads of the personal-data life: a person's merges (the card), duplicate pairs (the admin's
page), destruction batches and persons past retention."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Person, PersonMerge


def merges_of(person: Person) -> list[PersonMerge]:
    return list(
        db.session.scalars(
            sa.select(PersonMerge)
            .where(PersonMerge.survivor_id == person.id)
            .order_by(PersonMerge.merged_at, PersonMerge.id)
        )
    )
