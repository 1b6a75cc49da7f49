"""A user's API tokens (the profile's list) and one of them by id."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import ApiToken


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .options(sa.orm.joinedload(ApiToken.membership))
            .order_by(ApiToken.id.desc())
        )
    )


def token_of(user_id: int, token_id: int) -> ApiToken | None:
    return db.session.execute(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    ).scalar_one_or_none()
