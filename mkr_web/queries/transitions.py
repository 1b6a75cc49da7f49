"""The history of a workflow item: every transition, oldest first, with who made it."""

from __future__ import annotations

from ..extensions import db
from ..models import SubjectType, TransitionLog


def history(subject_type: SubjectType, subject_id: int) -> list[TransitionLog]:
    return list(
        db.session.scalars(
            db.select(TransitionLog)
            .where(
                TransitionLog.subject_type == subject_type, TransitionLog.subject_id == subject_id
            )
            .options(db.selectinload(TransitionLog.user))
            .order_by(TransitionLog.id)
        )
    )
