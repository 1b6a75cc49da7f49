"""Pages anyone may open: liveness probe (and, later, certificate verification)."""

from __future__ import annotations

from ..access import public
from . import bp


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
