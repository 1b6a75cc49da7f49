"""Event organiser: their organisation's events."""

from __future__ import annotations

from flask import render_template

from workflows.roles import Role

from ..access import current_membership, roles
from . import bp


@bp.route("/")
@roles(Role.ORGANIZER)
def dashboard():
    return render_template(
        "organizer/dashboard.html", organization=current_membership().organization
    )
