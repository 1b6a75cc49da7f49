"""Single-use form tokens: a form acts once, however often it is sent.

Every form rendered by the app carries a fresh random token (a hidden field). The action it
posts records the token (:func:`use_form_token`) in the same transaction as its writes, under
a unique constraint. A double click, a resent form or two identical requests at the same
moment therefore act once: the second insert of the token waits for the first transaction and
then fails, and the request is refused with :class:`AlreadySubmitted` (nothing written). A
refused or failed action rolls back its token with everything else, so the user can correct
the form and send it again.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..errors import OperationError
from ..extensions import db
from ..models import FormSubmission
from ..models.base import utcnow

FIELD = "form_token"
KEEP = timedelta(days=2)  # a form older than this may be sent again (the token is forgotten)


class AlreadySubmitted(OperationError):
    """This form was already sent and acted on."""

    def __init__(self):
        super().__init__(
            "Эта форма уже отправлена: повторная отправка ничего не изменила. "
            "Обновите страницу, чтобы увидеть результат."
        )


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def use_form_token(token: str | None, *, user_id: int | None, endpoint: str | None) -> bool:
    """Record ``token`` as used (flush only; in the caller's transaction). Returns False for a
    request without a token (nothing to check); raises :class:`AlreadySubmitted` when it was
    used already, or is being used by a request still running."""
    if not token:
        return False
    if len(token) > 64 or not token.isascii() or not token.isprintable():
        raise OperationError("Форма повреждена: обновите страницу и отправьте её снова.")
    try:
        with db.session.begin_nested():
            db.session.add(
                FormSubmission(token=token, user_id=user_id, endpoint=(endpoint or "")[:100])
            )
    except IntegrityError:
        raise AlreadySubmitted() from None
    return True


def forget_old_tokens(now=None) -> int:
    """Delete tokens older than :data:`KEEP` (flush only); daily, by the beat task."""
    now = now or utcnow()
    return db.session.execute(
        sa.delete(FormSubmission).where(FormSubmission.created_at < now - KEEP)
    ).rowcount
