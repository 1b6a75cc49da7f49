"""Municipal coordinator: sees only their municipalities."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from workflows.roles import Role

from ..access import current_membership, roles
from ..extensions import db
from ..models import Organization
from ..queries.reference import organizations_for
from . import bp


@bp.route("/")
@roles(Role.COORDINATOR)
def dashboard():
    membership = current_membership()
    orgs = (
        db.session.execute(organizations_for(membership).order_by(Organization.name))
        .scalars()
        .all()
    )
    return render_template(
        "coordinator/dashboard.html", municipalities=membership.municipalities, organizations=orgs
    )


@bp.route("/organizations/<int:organization_id>")
@roles(Role.COORDINATOR)
def organization(organization_id: int):
    org = db.session.execute(
        organizations_for(current_membership()).where(Organization.id == organization_id)
    ).scalar_one_or_none()
    if org is None:
        abort(404)
    return render_template("coordinator/organization.html", organization=org)


__all__ = ["bp", "sa"]
