"""Platform admin: lists tenants and creates a tenant, inviting its first admin by e-mail (the
admin sets their own password). Nothing inside a tenant's workflows."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import roles
from ..extensions import db
from ..models import Membership, Tenant
from ..operations.invitations import invite
from ..operations.tenancy import OperationError, create_tenant
from . import bp
from .forms import TenantForm


@bp.route("/", methods=["GET", "POST"])
@roles(Role.PLATFORM_ADMIN)
def dashboard():
    form = TenantForm()
    if form.validate_on_submit():
        try:
            tenant = create_tenant(form.slug.data, form.name.data, actor=current_user)
            invite(
                tenant,
                form.admin_email.data,
                Role.ADMIN,
                full_name=form.admin_name.data,
                actor=current_user._get_current_object(),
            )
            db.session.commit()
            flash(_("Проект создан, оператору отправлено приглашение."), "success")
            return redirect(url_for(".dashboard"))
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    users = (
        sa.select(Membership.tenant_id, sa.func.count(sa.distinct(Membership.user_id)).label("n"))
        .group_by(Membership.tenant_id)
        .subquery()
    )
    tenants = db.session.execute(
        sa.select(Tenant, sa.func.coalesce(users.c.n, 0))
        .outerjoin(users, users.c.tenant_id == Tenant.id)
        .order_by(Tenant.slug)
    ).all()
    return render_template("platform/dashboard.html", tenants=tenants, form=form)
