"""The tenant admin's users: roles held, invitations (send, resend, revoke), and for one
member: remove a role, reset the second factor, disable the account. The admin never sees
nor types anybody's password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..models import Invitation, Membership, Municipality, Organization
from ..models.base import utcnow
from ..operations import accounts, invitations, twofactor
from ..queries.accounts import pending_invitations
from ..queries.reference import memberships_of, organizations_of
from ..web.commit import commit_or_refuse
from . import bp
from .forms import InviteForm
from .views import _municipality_choices


def _actor():
    return current_user._get_current_object()


@bp.route("/users", methods=["GET", "POST"])
@roles(Role.ADMIN)
def users():
    tenant = current_tenant()
    form = InviteForm()
    form.municipality_ids.choices = _municipality_choices(tenant.id, blank=False)
    form.organization_id.choices = [(0, "—")] + [
        (o.id, o.name) for o in organizations_of(tenant.id)
    ]
    if form.validate_on_submit():
        munis = [get_in_tenant_or_404(Municipality, i) for i in form.municipality_ids.data]
        org = (
            get_in_tenant_or_404(Organization, form.organization_id.data)
            if form.organization_id.data
            else None
        )
        outcome = commit_or_refuse(
            invitations.invite,
            tenant,
            form.email.data,
            Role(form.role.data),
            full_name=form.full_name.data,
            municipalities=munis,
            organization=org,
            actor=_actor(),
            success=_("Приглашение отправлено."),
        )
        if outcome.ok:
            return redirect(url_for(".users"))
    return render_template(
        "admin/users.html",
        memberships=memberships_of(tenant.id),
        invitations=pending_invitations(tenant.id),
        now=utcnow(),
        form=form,
    )


def _invitation(invitation_id: int) -> Invitation:
    return get_in_tenant_or_404(Invitation, invitation_id)


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@roles(Role.ADMIN)
def invitation_resend(invitation_id: int):
    invitation = _invitation(invitation_id)
    if _csrf_ok():
        commit_or_refuse(
            invitations.resend,
            invitation,
            actor=_actor(),
            success=_("Приглашение отправлено повторно."),
        )
    return redirect(url_for(".users"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles(Role.ADMIN)
def invitation_revoke(invitation_id: int):
    invitation = _invitation(invitation_id)
    if _csrf_ok():
        commit_or_refuse(
            invitations.revoke, invitation, actor=_actor(), success=_("Приглашение отозвано.")
        )
    return redirect(url_for(".users"))


def _csrf_ok() -> bool:
    return FlaskForm().validate_on_submit()


@bp.route("/users/<int:membership_id>")
@roles(Role.ADMIN)
def membership(membership_id: int):
    m = get_in_tenant_or_404(Membership, membership_id)
    return render_template(
        "admin/membership.html",
        membership=m,
        may_disable=accounts.may_tenant_admin_disable(m.user, m.tenant_id),
        is_self=m.user_id == current_user.id,
        two_factor_required=twofactor.required_by_tenant(m.user),
    )


@bp.route("/users/<int:membership_id>/remove", methods=["POST"])
@roles(Role.ADMIN)
def membership_remove(membership_id: int):
    m = get_in_tenant_or_404(Membership, membership_id)
    if _csrf_ok():
        outcome = commit_or_refuse(
            accounts.remove_role, m, actor=_actor(), success=_("Роль снята, сеансы завершены.")
        )
        if outcome.ok:
            return redirect(url_for(".users"))
    return redirect(url_for(".membership", membership_id=membership_id))


@bp.route("/users/<int:membership_id>/reset-2fa", methods=["POST"])
@roles(Role.ADMIN)
def membership_reset_2fa(membership_id: int):
    m = get_in_tenant_or_404(Membership, membership_id)
    if _csrf_ok():
        commit_or_refuse(
            twofactor.disable,
            m.user,
            actor=_actor(),
            tenant_id=m.tenant_id,
            success=_("Второй фактор сброшен: пользователь настроит его заново."),
        )
    return redirect(url_for(".membership", membership_id=membership_id))


@bp.route("/users/<int:membership_id>/active", methods=["POST"])
@roles(Role.ADMIN)
def membership_active(membership_id: int):
    m = get_in_tenant_or_404(Membership, membership_id)
    if not accounts.may_tenant_admin_disable(m.user, m.tenant_id):
        flash(_("Учётная запись работает и в других проектах: снимите роль."), "danger")
    elif _csrf_ok():
        active = request.form.get("active") == "1"
        commit_or_refuse(
            accounts.set_active,
            m.user,
            active,
            tenant_id=m.tenant_id,
            actor=_actor(),
            success=_("Учётная запись включена.") if active else _("Учётная запись отключена."),
        )
    return redirect(url_for(".membership", membership_id=membership_id))
