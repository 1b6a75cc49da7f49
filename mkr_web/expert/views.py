"""Expert: assigned items only."""

from __future__ import annotations

from flask import render_template

from workflows.roles import Role

from ..access import current_tenant, roles
from . import bp


@bp.route("/")
@roles(Role.EXPERT)
def dashboard():
    return render_template("expert/dashboard.html", tenant=current_tenant())
