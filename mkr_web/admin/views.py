"""Admin pages of the foundation: dashboard, reference data, users, audit, health."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles, tenant_query
from ..extensions import db
from ..models import AuditEntry, Membership, Municipality, Organization, OrganizationKind, User
from ..operations.audit import record
from ..operations.tenancy import OperationError, create_organization
from ..queries.reference import municipalities_with_counts
from . import bp
from .forms import OrganizationForm


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


@bp.route("/audit")
@roles(Role.ADMIN)
def audit():
    tenant = current_tenant()
    members = sa.select(Membership.user_id).where(Membership.tenant_id == tenant.id)
    # the tenant's own entries, and the account events (logins, second factor, password) of
    # its members, which belong to no tenant
    q = sa.select(AuditEntry).where(
        sa.or_(
            AuditEntry.tenant_id == tenant.id,
            sa.and_(
                AuditEntry.tenant_id.is_(None),
                AuditEntry.user_id.in_(members),
                sa.or_(AuditEntry.action.startswith("auth."), AuditEntry.action.startswith("2fa.")),
            ),
        )
    )
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
