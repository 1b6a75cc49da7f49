"""Platform admin: lists tenants and creates a tenant with its first admin. Nothing inside a
tenant's workflows."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import roles
from ..operations.tenancy import create_tenant, create_user_with_role
from ..queries.reference import tenants_with_user_counts
from ..web.commit import commit_or_refuse
from . import bp
from .forms import TenantForm


@bp.route("/", methods=["GET", "POST"])
@roles(Role.PLATFORM_ADMIN)
def dashboard():
    form = TenantForm()
    if form.validate_on_submit():
        if commit_or_refuse(_create_tenant_with_admin, form, success=_("Проект создан.")).ok:
            return redirect(url_for(".dashboard"))
    return render_template("platform/dashboard.html", tenants=tenants_with_user_counts(), form=form)


def _create_tenant_with_admin(form: TenantForm):
    tenant = create_tenant(form.slug.data, form.name.data, actor=current_user)
    create_user_with_role(
        tenant.slug,
        form.admin_email.data,
        form.admin_password.data,
        Role.ADMIN,
        full_name=form.admin_name.data,
        actor=current_user,
    )
    return tenant
