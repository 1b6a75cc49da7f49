"""Event organiser: their organisation's events."""

from __future__ import annotations

from flask import Blueprint, render_template

from workflows.roles import Role

from ..access import current_membership, roles

bp = Blueprint("organizer", __name__, template_folder="templates")


@bp.route("/")
@roles(Role.ORGANIZER)
def dashboard():
    return render_template("organizer/dashboard.html", organization=current_membership().organization)
