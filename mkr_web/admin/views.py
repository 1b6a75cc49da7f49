"""Admin pages of the foundation: dashboard, reference data, users, audit, health."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..models import Municipality, Organization, OrganizationKind
from ..operations.deadlines import today
from ..operations.jobs import send_task
from ..operations.reference import clean_aliases
from ..operations.tenancy import create_organization, update_organization
from ..queries.audit import audit_entries, audit_select
from ..queries.dashboards import admin_todo
from ..queries.reference import (
    database_answers,
    municipalities_of,
    municipalities_with_counts,
    organizations_of,
    tenant_counts,
)
from ..web.commit import commit_or_refuse
from ..web.loading import paginate_rows
from . import bp
from .forms import ActionForm, MergeForm, OrganizationForm


def _municipality_choices(tenant_id: int, blank: bool = True, keep: int | None = None):
    """Municipalities in use (a retired one only when it is the current value ``keep``)."""
    rows = [m for m in municipalities_of(tenant_id) if not m.is_retired or m.id == keep]
    return ([(0, "—")] if blank else []) + [(m.id, m.name) for m in rows]


def _save_organization(form: OrganizationForm, work, *args, **kwargs) -> bool:
    """Create or update an organisation (``work(*args, name, kind, municipality, …)``) from the
    form in one commit; True when saved."""
    municipality = (
        get_in_tenant_or_404(Municipality, form.municipality_id.data)
        if form.municipality_id.data
        else None
    )
    return commit_or_refuse(
        work,
        *args,
        form.name.data,
        OrganizationKind(form.kind.data),
        municipality,
        is_regional_subordination=form.is_regional_subordination.data,
        aliases=clean_aliases(form.aliases.data),
        **kwargs,
    ).ok


@bp.route("/")
@roles(Role.ADMIN)
def dashboard():
    tenant = current_tenant()
    return render_template(
        "admin/dashboard.html",
        tenant=tenant,
        counts=tenant_counts(tenant.id),
        todo=admin_todo(tenant, today()),
    )


@bp.route("/reference", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reference():
    tenant = current_tenant()
    form = OrganizationForm()
    form.municipality_id.choices = _municipality_choices(tenant.id)
    if form.validate_on_submit() and _save_organization(
        form, create_organization, tenant, success=_("Организация добавлена.")
    ):
        return redirect(url_for(".reference"))
    return render_template(
        "admin/reference.html", municipalities=municipalities_with_counts(tenant.id), form=form
    )


@bp.route("/municipalities/<int:municipality_id>")
@roles(Role.ADMIN)
def municipality(municipality_id: int):
    muni = get_in_tenant_or_404(Municipality, municipality_id)
    orgs = organizations_of(muni.tenant_id, municipality_id=muni.id)
    return render_template(
        "admin/municipality.html", municipality=muni, organizations=orgs, action=ActionForm()
    )


@bp.route("/organizations/<int:organization_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organization(organization_id: int):
    org = get_in_tenant_or_404(Organization, organization_id)
    form = OrganizationForm(
        obj=org,
        kind=org.kind.value,
        municipality_id=org.municipality_id or 0,
    )
    if not form.is_submitted():  # a list on the row, one per line in the form
        form.aliases.data = "\n".join(org.aliases or [])
    form.municipality_id.choices = _municipality_choices(org.tenant_id, keep=org.municipality_id)
    if form.validate_on_submit() and _save_organization(
        form,
        update_organization,
        org,
        success=_("Сохранено."),
        conflict=_("Организация с таким названием уже есть."),
    ):
        return redirect(url_for(".organization", organization_id=org.id))
    merge = MergeForm()
    merge.target_id.choices = [
        (o.id, o.name) for o in organizations_of(org.tenant_id) if o.id != org.id
    ]
    return render_template("admin/organization.html", organization=org, form=form, merge=merge)


@bp.route("/audit")
@roles(Role.ADMIN)
def audit():
    page = paginate_rows(
        audit_select(
            current_tenant().id,
            action=request.args.get("action", "").strip(),
            object_type=request.args.get("object_type", "").strip(),
            user_email=request.args.get("user", "").strip().lower(),
        ),
        audit_entries,
    )
    return render_template("admin/audit.html", page=page, filters=request.args)


@bp.route("/health")
@roles(Role.ADMIN)
def health():
    ok, detail = database_answers()
    checks = [("database", ok, detail)]
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
        result = send_task("mkr.health.ping", token).get(timeout=10)
        ok = result == {"token": token, "db": "ok"}
        checks.append(("worker", ok, _("в процессе") if eager else _("воркер ответил")))
    except Exception as exc:  # noqa: BLE001
        checks.append(("worker", False, type(exc).__name__))
    status = 200 if all(ok for _, ok, _d in checks) else 503
    return render_template("admin/health.html", checks=checks), status
