"""The one commit helper every view uses: run one operation (it only flushes), commit once, and
turn every refusal into a flashed message.

    outcome = commit_or_refuse(ops.accredit, application, data, success=_("Аккредитовано."))
    if outcome.ok:
        return redirect(...)

Of two people acting on one item the second gets ``StaleDataError`` at flush: it is told the
item changed meanwhile. An ``IntegrityError`` (two users numbering a batch at once, say) is a
refusal too, with its own message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import REFUSALS, OperationError, StaleItem
from ..extensions import db

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
        result = work(*args, **kwargs)
        db.session.commit()
    except REFUSALS as exc:
        return _refused(exc, show_refusal)
    except StaleDataError:
        return _refused(StaleItem(), show_refusal)
    except IntegrityError:
        return _refused(OperationError(str(conflict or CONCURRENT_CHANGE)), show_refusal)
    if success:
        flash(success, "success")
    return Outcome(result=result)


def _refused(exc: Exception, show: bool) -> Outcome:
    db.session.rollback()
    if show:
        flash(str(exc), "danger")
    return Outcome(error=exc)
