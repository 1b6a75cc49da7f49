"""The one commit helper every view uses: run one operation (it only flushes), commit once, and
turn every refusal into a flashed message.

    outcome = commit_or_refuse(ops.accredit, application, data, success=_("Аккредитовано."))
    if outcome.ok:
        return redirect(...)

Of two people acting on one item the second gets ``StaleDataError`` at flush: it is told the
item changed meanwhile. An ``IntegrityError`` (two users numbering a batch at once, say) is a
refusal too, with its own message.

A posted form's single-use token (:class:`mkr_web.web.forms.Form`) is recorded in the same
transaction as the operation's writes (:func:`mkr_web.operations.submissions.use_form_token`),
so the same form sent twice, or twice at the same moment, acts once: the second is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import REFUSALS, OperationError, StaleItem
from ..extensions import db
from ..operations.submissions import FIELD, use_form_token

CONCURRENT_CHANGE = _l("Запись изменилась одновременно с вашей. Повторите действие.")


@dataclass(frozen=True)
class Outcome:
    """What :func:`commit_or_refuse` did: the operation's result, or the refusal."""

    result: Any = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def commit_or_refuse(
    work: Callable[..., Any],
    *args,
    success: str | None = None,
    show_refusal: bool = True,
    conflict: str | None = None,
    **kwargs,
) -> Outcome:
    """Run ``work(*args, **kwargs)`` and commit. On a refusal roll back and flash its message
    (unless ``show_refusal`` is false: the page shows it itself). ``success`` is flashed after
    the commit; ``conflict`` replaces the message of an ``IntegrityError``."""
    try:
        token = _use_posted_token()
        result = work(*args, **kwargs)
        db.session.commit()
        g.pop(UNREAD_AT_LOAD, None)
        if token:
            g.setdefault(USED_TOKENS, set()).add(token)
    except REFUSALS as exc:
        return _refused(exc, show_refusal)
    except StaleDataError:
        return _refused(StaleItem(), show_refusal)
    except IntegrityError:
        return _refused(OperationError(str(conflict or CONCURRENT_CHANGE)), show_refusal)
    if success:
        flash(success, "success")
    return Outcome(result=result)


USED_TOKENS = "mkr_used_form_tokens"  # read by web.forms.FormTokenField
#: ``g`` key: the user's unread count read with the session row (the navbar's badge); a
#: commit may have changed it, so every commit forgets it and the badge asks again.
UNREAD_AT_LOAD = "mkr_unread_at_load"


def _posted_token() -> str | None:
    """The single-use token of the posted form (its field may carry the form's prefix)."""
    if request.method != "POST":
        return None
    for key, value in request.form.items():
        if key == FIELD or key.endswith("-" + FIELD):
            return value
    return None


def _use_posted_token() -> str | None:
    """Record the posted form's token, once per request (a view may commit twice)."""
    token = _posted_token()
    if not token or token in g.get(USED_TOKENS, ()):
        return None
    user_id = current_user.id if current_user.is_authenticated else None
    use_form_token(token, user_id=user_id, endpoint=request.endpoint)
    return token


def _refused(exc: Exception, show: bool) -> Outcome:
    db.session.rollback()
    if show:
        flash(str(exc), "danger")
    return Outcome(error=exc)
