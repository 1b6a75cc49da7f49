"""Single-use form tokens (see :mod:`mkr_web.operations.submissions`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import db, utcnow


class FormSubmission(db.Model):
    """A form that was submitted and acted on: its single-use token (a hidden field rendered
    with the form), so that a double click or two identical requests at once act once. The
    row is written in the transaction of the action, so a refused action leaves the token
    unused."""

    __table_args__ = (sa.Index("ix_form_submission_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
