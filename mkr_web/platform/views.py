"""Platform admin: lists tenants and creates a tenant, inviting its first admin by e-mail (the
admin sets their own password). Nothing inside a tenant's workflows."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import roles
from ..operations.invitations import invite
from ..operations.reference import create_municipalities
from ..operations.tenancy import create_tenant
from ..queries.reference import tenants_with_user_counts
from ..web.commit import commit_or_refuse
from . import bp
from .forms import TenantForm


@bp.route("/", methods=["GET", "POST"])
@roles(Role.PLATFORM_ADMIN)
def dashboard():
    form = TenantForm()
    if form.validate_on_submit():
        if commit_or_refuse(
            _create_tenant_with_admin,
            form,
            success=_("Проект создан, оператору отправлено приглашение."),
        ).ok:
            return redirect(url_for(".dashboard"))
    return render_template("platform/dashboard.html", tenants=tenants_with_user_counts(), form=form)


def _create_tenant_with_admin(form: TenantForm):
    tenant = create_tenant(form.slug.data, form.name.data, actor=current_user)
    create_municipalities(tenant, form.municipalities.data or "")
    invite(
        tenant,
        form.admin_email.data,
        Role.ADMIN,
        full_name=form.admin_name.data,
        actor=current_user._get_current_object(),
    )
    return tenant
