"""Municipal coordinator: sees only their municipalities."""

from __future__ import annotations

from flask import render_template

from workflows.roles import Role

from ..access import current_membership, roles
from ..models import Organization
from ..operations.deadlines import today
from ..queries.dashboards import coordinator_todo, municipality_gaps
from ..queries.people import registry_choices
from ..queries.reference import organizations_for
from ..queries.report import default_year
from ..web.loading import by_id_or_404
from . import bp


@bp.route("/")
@roles(Role.COORDINATOR)
def dashboard():
    membership = current_membership()
    orgs = registry_choices(membership)[1]  # (id, name) of the scope's, kept: no query
    now = today()
    year = default_year(membership.tenant_id, now)  # the report's year: the latest with data
    return render_template(
        "coordinator/dashboard.html",
        municipalities=membership.municipalities,
        organizations=orgs,
        todo=coordinator_todo(membership, now),
        gaps=municipality_gaps(membership, year),
        year=year,
    )


@bp.route("/organizations/<int:organization_id>")
@roles(Role.COORDINATOR)
def organization(organization_id: int):
    org = by_id_or_404(organizations_for(current_membership()), Organization, organization_id)
    return render_template("coordinator/organization.html", organization=org)
