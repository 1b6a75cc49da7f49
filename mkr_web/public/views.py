"""Pages anyone may open: the liveness probe (certificate verification is in verify.py)."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from ..access import public
from ..extensions import db
from . import bp

log = logging.getLogger(__name__)


@bp.route("/healthz")
@public
def healthz():
    """200 when the web process can serve pages: the database answers ``SELECT 1``.

    Otherwise 503, naming the dependency that failed (``{"failed": ["database"]}``), so a
    load balancer or ``docker-compose``'s healthcheck takes the process out. The broker is not
    checked: without it only background work stops, pages and login keep working."""
    checks = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("healthz: the database does not answer (%s)", type(exc).__name__)
        checks["database"] = type(exc).__name__
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        return {"status": "unavailable", "failed": failed, "checks": checks}, 503
    return {"status": "ok", "checks": checks}
