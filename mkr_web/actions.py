"""Views call one operation and commit once; :func:`run_operation` does that and turns every
refusal (workflow, stale item, operation, upload) into a flashed message."""

from __future__ import annotations

from flask import flash
from sqlalchemy.orm.exc import StaleDataError

from workflows.engine import TransitionRefused

from .documents.storage import UploadError
from .extensions import db
from .operations.tenancy import OperationError
from .operations.transitions import StaleItem

REFUSALS = (TransitionRefused, StaleItem, OperationError, UploadError)


def run_operation(fn, *args, success: str | None = None, **kwargs) -> Exception | None:
    """Run ``fn`` and commit; on a refusal roll back, flash it and return the exception."""
    try:
        fn(*args, **kwargs)
        db.session.commit()
    except REFUSALS as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return exc
    except StaleDataError:
        db.session.rollback()
        flash(str(StaleItem()), "danger")
        return StaleItem()
    if success:
        flash(success, "success")
    return None
