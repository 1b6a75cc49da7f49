"""Admin pages of the foundation: dashboard, reference data, users, audit, health."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles, tenant_query
from ..errors import OperationError
from ..extensions import db
from ..models import AuditEntry, Membership, Municipality, Organization, OrganizationKind, User
from ..operations.audit import record
from ..operations.tenancy import create_organization, create_user_with_role
from ..queries.reference import municipalities_with_counts
from . import bp
from .forms import OrganizationForm, UserForm


def _municipality_choices(tenant_id: int, blank: bool = True):
    rows = db.session.execute(
        tenant_query(Municipality).order_by(Municipality.sort_order, Municipality.name)
    ).scalars()
    return ([(0, "—")] if blank else []) + [(m.id, m.name) for m in rows]


@bp.route("/")
@roles(Role.ADMIN)
def dashboard():
    tenant = current_tenant()
    counts = {
        "municipalities": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Municipality)
            .where(Municipality.tenant_id == tenant.id)
        ),
        "organizations": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organization)
            .where(Organization.tenant_id == tenant.id)
        ),
        "users": db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Membership.user_id))).where(
                Membership.tenant_id == tenant.id
            )
        ),
    }
    return render_template("admin/dashboard.html", tenant=tenant, counts=counts)


@bp.route("/reference", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reference():
    tenant = current_tenant()
    form = OrganizationForm()
    form.municipality_id.choices = _municipality_choices(tenant.id)
    if form.validate_on_submit():
        muni = (
            get_in_tenant_or_404(Municipality, form.municipality_id.data)
            if form.municipality_id.data
            else None
        )
        try:
            create_organization(
                tenant,
                form.name.data,
                OrganizationKind(form.kind.data),
                muni,
                is_regional_subordination=form.is_regional_subordination.data,
            )
            db.session.commit()
            flash(_("Организация добавлена."), "success")
            return redirect(url_for(".reference"))
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    return render_template(
        "admin/reference.html", municipalities=municipalities_with_counts(tenant.id), form=form
    )


@bp.route("/municipalities/<int:municipality_id>")
@roles(Role.ADMIN)
def municipality(municipality_id: int):
    muni = get_in_tenant_or_404(Municipality, municipality_id)
    orgs = (
        db.session.execute(
            tenant_query(Organization)
            .where(Organization.municipality_id == muni.id)
            .order_by(Organization.name)
        )
        .scalars()
        .all()
    )
    return render_template("admin/municipality.html", municipality=muni, organizations=orgs)


@bp.route("/organizations/<int:organization_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organization(organization_id: int):
    org = get_in_tenant_or_404(Organization, organization_id)
    form = OrganizationForm(obj=org, kind=org.kind.value, municipality_id=org.municipality_id or 0)
    form.municipality_id.choices = _municipality_choices(org.tenant_id)
    if form.validate_on_submit():
        org.name = form.name.data.strip()
        org.kind = OrganizationKind(form.kind.data)
        org.municipality = (
            get_in_tenant_or_404(Municipality, form.municipality_id.data)
            if form.municipality_id.data
            else None
        )
        org.is_regional_subordination = form.is_regional_subordination.data
        record("organization.update", org)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            flash(_("Организация с таким названием уже есть."), "danger")
            return render_template("admin/organization.html", organization=org, form=form)
        flash(_("Сохранено."), "success")
        return redirect(url_for(".organization", organization_id=org.id))
    return render_template("admin/organization.html", organization=org, form=form)


@bp.route("/users", methods=["GET", "POST"])
@roles(Role.ADMIN)
def users():
    tenant = current_tenant()
    form = UserForm()
    form.municipality_ids.choices = _municipality_choices(tenant.id, blank=False)
    orgs = db.session.execute(tenant_query(Organization).order_by(Organization.name)).scalars()
    form.organization_id.choices = [(0, "—")] + [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        munis = [get_in_tenant_or_404(Municipality, i).name for i in form.municipality_ids.data]
        org = (
            get_in_tenant_or_404(Organization, form.organization_id.data)
            if form.organization_id.data
            else None
        )
        try:
            create_user_with_role(
                tenant.slug,
                form.email.data,
                form.password.data,
                Role(form.role.data),
                municipality_names=munis,
                organization_name=org.name if org else None,
                full_name=form.full_name.data,
            )
            db.session.commit()
            flash(_("Роль выдана."), "success")
            return redirect(url_for(".users"))
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
    memberships = (
        db.session.execute(
            tenant_query(Membership)
            .options(
                sa.orm.selectinload(Membership.user),
                sa.orm.selectinload(Membership.municipalities),
                sa.orm.selectinload(Membership.organization),
            )
            .order_by(Membership.role, Membership.id)
        )
        .scalars()
        .all()
    )
    return render_template("admin/users.html", memberships=memberships, form=form)


@bp.route("/users/<int:membership_id>")
@roles(Role.ADMIN)
def membership(membership_id: int):
    m = get_in_tenant_or_404(Membership, membership_id)
    return render_template("admin/membership.html", membership=m)


@bp.route("/audit")
@roles(Role.ADMIN)
def audit():
    tenant = current_tenant()
    q = sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant.id)
    action = request.args.get("action", "").strip()
    object_type = request.args.get("object_type", "").strip()
    user_email = request.args.get("user", "").strip().lower()
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if object_type:
        q = q.where(AuditEntry.object_type == object_type)
    if user_email:
        q = q.join(User, User.id == AuditEntry.user_id).where(User.email == user_email)
    page = db.paginate(
        q.options(sa.orm.joinedload(AuditEntry.user)).order_by(AuditEntry.id.desc()),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/audit.html", page=page, filters=request.args)


@bp.route("/health")
@roles(Role.ADMIN)
def health():
    from ..tasks import ping

    checks = []
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks.append(("database", True, db.engine.dialect.name))
    except sa.exc.SQLAlchemyError as exc:
        checks.append(("database", False, type(exc).__name__))
    celery = current_app.extensions["celery"]
    eager = celery.conf.task_always_eager
    if eager:
        checks.append(("broker", True, _("нет (задачи выполняются в процессе приложения)")))
    else:
        try:
            with celery.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=3)
            checks.append(("broker", True, celery.conf.broker_url.split("@")[-1]))
        except Exception as exc:  # noqa: BLE001 - any broker failure is reported, not raised
            checks.append(("broker", False, type(exc).__name__))
    token = uuid.uuid4().hex
    try:
        result = ping.delay(token).get(timeout=10)
        ok = result == {"token": token, "db": "ok"}
        checks.append(("worker", ok, _("в процессе") if eager else _("воркер ответил")))
    except Exception as exc:  # noqa: BLE001
        checks.append(("worker", False, type(exc).__name__))
    status = 200 if all(ok for _, ok, _d in checks) else 503
    return render_template("admin/health.html", checks=checks), status


__all__ = ["abort", "bp"]
