"""Pages anyone may open: liveness probe (and, later, certificate verification)."""

from __future__ import annotations

from flask import Blueprint

from ..access import public

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
