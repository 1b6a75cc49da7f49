"""The admin's review steps shared by every reviewed subject (accreditation applications,
nominations): assign experts, start the review. The views only load the subject in scope."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from ..access import current_role
from ..actions import run_operation
from ..event_forms import AssignForm, VersionForm, version_of
from ..models import SubjectType
from ..operations import reviews
from ..queries.reviews import experts_in_tenant


def assign_experts_from_form(subject_type: SubjectType, subject) -> None:
    form = AssignForm()
    form.expert_ids.choices = [(u.id, u.email) for u in experts_in_tenant(subject.tenant_id)]
    if form.validate_on_submit():
        run_operation(
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
        run_operation(
            reviews.start_review,
            subject_type,
            subject,
            role=current_role(),
            actor_id=current_user.id,
            expected_version=version_of(form),
            success=success,
        )
