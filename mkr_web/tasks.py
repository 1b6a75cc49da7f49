"""Celery tasks of the foundation: thin, they take ids and reload rows."""

from __future__ import annotations

from celery import shared_task

from .extensions import db


@shared_task(name="mkr.ping", ignore_result=False)
def ping(token: str) -> dict:
    """A round-trip probe for the health page: proves a worker runs and reaches the DB."""
    db.session.execute(db.text("SELECT 1"))
    return {"token": token, "db": "ok"}
