"""Expert: the reviews to do, overdue first, with their due dates."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from workflows.roles import Role

from ..access import current_tenant, roles
from ..operations.deadlines import today
from ..queries.dashboards import expert_todo
from . import bp


@bp.route("/")
@roles(Role.EXPERT)
def dashboard():
    tenant = current_tenant()
    return render_template(
        "expert/dashboard.html",
        tenant=tenant,
        reviews=expert_todo(tenant.id, current_user.id, today()),
    )
