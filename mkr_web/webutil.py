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


def attempt(work: Callable[[], Any]) -> tuple[bool, Any]:
    """Run an operation and commit once; a refusal rolls back and is flashed as is.

    Of two people acting on one item the second gets ``StaleDataError`` at flush: it is
    told the item changed meanwhile."""
    try:
        result = work()
        db.session.commit()
    except REFUSALS as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False, None
    except StaleDataError:
        db.session.rollback()
        flash(str(StaleItem()), "danger")
        return False, None
    except IntegrityError:
        # e.g. two organisers numbering a batch at the same moment
        db.session.rollback()
        flash("Запись изменилась одновременно с вашей. Повторите действие.", "danger")
        return False, None
    return True, result


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
