"""Pages anyone may open: the liveness probe (certificate verification is in verify.py)."""

from __future__ import annotations

import logging

from ..access import public
from ..queries.reference import database_answers
from . import bp

log = logging.getLogger(__name__)


@bp.route("/healthz")
@public
def healthz():
    """200 when the web process can serve pages: the database answers ``SELECT 1``.

    Otherwise 503, naming the dependency that failed (``{"failed": ["database"]}``), so a
    load balancer or ``docker-compose``'s healthcheck takes the process out. The broker is not
    checked: without it only background work stops, pages and login keep working."""
    ok, detail = database_answers()
    checks = {"database": "ok" if ok else detail}
    if not ok:
        log.warning("healthz: the database does not answer (%s)", detail)
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        return {"status": "unavailable", "failed": failed, "checks": checks}, 503
    return {"status": "ok", "checks": checks}


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico before reading the page's <link rel="icon">."""
    from flask import current_app, send_from_directory

    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
