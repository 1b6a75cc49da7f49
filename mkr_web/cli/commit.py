"""The commands' one way to commit: run an operation, commit once, or fail with its message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..errors import REFUSALS
from ..extensions import db


def commit_or_fail(work: Callable[..., Any], *args, **kwargs) -> Any:
    """``work(*args, **kwargs)`` committed; a refusal rolls back and exits with its message."""
    try:
        result = work(*args, **kwargs)
        db.session.commit()
    except REFUSALS as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    return result
