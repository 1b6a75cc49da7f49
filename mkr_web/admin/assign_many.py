"""The admin assigns experts to many applications or nominations at once: by hand (the chosen
experts to every checked item) or automatically (balanced load, the rules of who may not
review), always through a preview of the plan before it is saved."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from workflows.roles import Role

from ..access import current_context, current_tenant, get_in_tenant_or_404, roles
from ..models import SubjectType
from ..operations import assignment_plans as plans
from ..queries.review_subjects import subject_spec
from ..queries.reviews import experts_in_tenant, open_items
from ..web.commit import commit_or_refuse
from ..web.forms import int_or_none
from . import bp

KINDS = {"accreditation": SubjectType.ACCREDITATION, "nomination": SubjectType.NOMINATION}


def _ids(name: str) -> list[int]:
    return [i for i in (int_or_none(v) for v in request.form.getlist(name)) if i]


@bp.route("/reviews/assign/<any(accreditation, nomination):kind>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def assign_many(kind: str):
    subject_type = KINDS[kind]
    spec = subject_spec(subject_type)
    tenant = current_tenant()
    form = FlaskForm()
    experts = experts_in_tenant(tenant.id)
    proposal = None
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "save":
            wanted = {sid: _ids(f"plan-{sid}") for sid in _ids("subjects")}
            outcome = commit_or_refuse(
                plans.apply_plan,
                subject_type,
                wanted,
                tenant,
                role=current_context().role,
                actor_id=current_user.id,
            )
            if outcome.ok:
                flash(_("Назначено экспертов: %(n)s.", n=outcome.result), "success")
                return redirect(url_for(".assign_many", kind=kind))
        else:
            subjects = [get_in_tenant_or_404(spec.model, i) for i in _ids("ids")]
            chosen = _ids("expert_ids") if action == "manual" else None
            outcome = commit_or_refuse(
                plans.plan, subject_type, subjects, tenant, expert_ids=chosen
            )
            if outcome.ok:
                proposal = outcome.result
    return render_template(
        "admin/assign_many.html",
        kind=kind,
        form=form,
        items=open_items(tenant.id, subject_type),
        experts=experts,
        names={u.id: u.full_name or u.email for u in experts},
        proposal=proposal,
        min_experts=int(tenant.setting("min_experts")),
        detail_endpoint=spec.admin_endpoint,
        id_arg=spec.id_arg,
    )
