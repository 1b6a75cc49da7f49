"""The admin's review steps shared by every reviewed subject (accreditation applications,
nominations): the review panel of the detail page, assign experts, start the review. The
views only load the subject in scope."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from ..access import current_role, current_tenant
from ..models import SubjectType
from ..operations import reviews
from ..operations.deadlines import today
from ..queries.review_subjects import subject_spec
from ..queries.reviews import experts_in_tenant, history_rows, review_summary, rubric_of
from ..web.commit import commit_or_refuse
from ..web.forms import AssignForm, CommentForm, VersionForm, version_of
from .deadlines import DeadlineForm


def assign_experts_from_form(subject_type: SubjectType, subject) -> None:
    form = AssignForm()
    form.expert_ids.choices = [(u.id, u.email) for u in experts_in_tenant(subject.tenant_id)]
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.assign_experts,
            subject_type,
            subject,
            form.expert_ids.data,
            role=current_role(),
            actor_id=current_user.id,
            success=_("Эксперты назначены."),
        )


def start_review_from_form(subject_type: SubjectType, subject, success: str) -> None:
    form = VersionForm(prefix="start")
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.start_review,
            subject_type,
            subject,
            role=current_role(),
            actor_id=current_user.id,
            expected_version=version_of(form),
            success=success,
        )


def review_panel(subject_type: SubjectType, subject) -> dict:
    """What every reviewed subject's admin page shows: the summary of scores, the experts
    that may still be assigned, the step forms and the history."""
    tenant = current_tenant()
    if rubric_of(tenant.id, subject_type) is None:  # first use: the tenant's default rubric
        commit_or_refuse(reviews.ensure_rubric, tenant.id, subject_type)
    summary = review_summary(tenant, subject_type, subject.id)
    assigned = {r.assignment.expert_id for r in summary.results}
    excluded = subject_spec(subject_type).excluded_user_ids(subject)
    assign_form = AssignForm()
    assign_form.expert_ids.choices = [
        (u.id, u.full_name or u.email)
        for u in experts_in_tenant(tenant.id)
        if u.id not in assigned and u.id not in excluded
    ]
    version = subject.version
    return {
        "summary": summary,
        "assign_form": assign_form,
        "min_experts": tenant.setting("min_experts"),
        "start_form": VersionForm(version=version, prefix="start"),
        "return_form": CommentForm(version=version, prefix="return"),
        "reject_form": CommentForm(version=version, prefix="reject"),
        "unassign_form": VersionForm(prefix="unassign"),
        "deadline_form": DeadlineForm(),
        "today": today(),
        "history": history_rows(subject_type, subject.id, include_review_steps=True),
    }
