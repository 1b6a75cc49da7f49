"""Small helpers shared by the role blueprints' views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflows.engine import TransitionRefused

from .documents.storage import UploadError
from .extensions import db
from .operations.tenancy import OperationError
from .operations.transitions import StaleItem

REFUSALS = (TransitionRefused, StaleItem, OperationError, UploadError)


def commit_or_refusal(work: Callable[[], Any]) -> tuple[Any, Exception | None]:
    """Run an operation and commit once: ``(result, None)``, or ``(None, refusal)`` after a
    rollback with the refusal flashed as is.

    Of two people acting on one item the second gets ``StaleDataError`` at flush: it is
    told the item changed meanwhile."""
    try:
        result = work()
        db.session.commit()
    except REFUSALS as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return None, exc
    except StaleDataError:
        db.session.rollback()
        flash(str(StaleItem()), "danger")
        return None, StaleItem()
    except IntegrityError as exc:
        # e.g. two organisers numbering a batch at the same moment
        db.session.rollback()
        flash("Запись изменилась одновременно с вашей. Повторите действие.", "danger")
        return None, exc
    return result, None


def attempt(work: Callable[[], Any]) -> tuple[bool, Any]:
    """:func:`commit_or_refusal` as ``(ok, result)``."""
    result, error = commit_or_refusal(work)
    return error is None, result


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
