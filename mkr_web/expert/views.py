"""Expert: assigned items only."""

from __future__ import annotations

from flask import Blueprint, render_template

from workflows.roles import Role

from ..access import current_tenant, roles

bp = Blueprint("expert", __name__, template_folder="templates")


@bp.route("/")
@roles(Role.EXPERT)
def dashboard():
    return render_template("expert/dashboard.html", tenant=current_tenant())
