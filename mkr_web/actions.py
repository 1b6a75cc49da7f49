"""Views call one operation and commit once; :func:`run_operation` does that and turns every
refusal (workflow, stale item, operation, upload) into a flashed message."""

from __future__ import annotations

from flask import flash

from .webutil import commit_or_refusal


def run_operation(fn, *args, success: str | None = None, **kwargs) -> Exception | None:
    """Run ``fn`` and commit; on a refusal roll back, flash it and return the exception."""
    _, error = commit_or_refusal(lambda: fn(*args, **kwargs))
    if error is None and success:
        flash(success, "success")
    return error
