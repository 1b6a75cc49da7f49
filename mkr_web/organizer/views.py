"""Event organiser: their organisation's to-do list."""

from __future__ import annotations

from flask import render_template

from workflows.roles import Role

from ..access import current_membership, roles
from ..operations.deadlines import today
from ..queries.dashboards import organizer_editions_to_complete, organizer_todo
from . import bp


@bp.route("/")
@roles(Role.ORGANIZER)
def dashboard():
    membership = current_membership()
    now = today()
    return render_template(
        "organizer/dashboard.html",
        organization=membership.organization,
        todo=organizer_todo(membership, now),
        editions=organizer_editions_to_complete(membership, now),
    )
