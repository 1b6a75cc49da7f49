"""The admin extends a deadline: an expert's review or a candidate's confirmation (audited)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from workflows.roles import Role

from ..access import current_context, get_in_tenant_or_404, roles
from ..models import AdmissionCandidate, ReviewAssignment
from ..operations import reviews
from ..operations.deadlines import extend_deadline
from ..queries.review_subjects import subject_spec
from ..web.commit import commit_or_refuse
from . import bp


class DeadlineForm(FlaskForm):
    due_on = DateField(_l("Новый срок"), validators=[InputRequired()])


def _extend(item) -> None:
    form = DeadlineForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            extend_deadline,
            item,
            form.due_on.data,
            role=current_context().role,
            user_id=current_user.id,
        )
        if outcome.ok:
            flash(
                _("Срок продлён до %(d)s.", d=form.due_on.data.strftime("%d.%m.%Y"))
                if outcome.result
                else _("Срок не изменился."),
                "success",
            )
    else:
        flash(_("Укажите новый срок."), "danger")


@bp.route("/reviews/assignments/<int:assignment_id>/deadline", methods=["POST"])
@roles(Role.ADMIN)
def assignment_deadline(assignment_id: int):
    assignment = get_in_tenant_or_404(ReviewAssignment, assignment_id)
    _extend(assignment)
    subject = reviews.load_subject(assignment.subject_type, assignment.subject_id)
    return redirect(subject_spec(assignment.subject_type).admin_url(subject))


@bp.route("/admission/candidates/<int:candidate_id>/deadline", methods=["POST"])
@roles(Role.ADMIN)
def candidate_deadline(candidate_id: int):
    candidate = get_in_tenant_or_404(AdmissionCandidate, candidate_id)
    _extend(candidate)
    return redirect(url_for(".admission_candidate", candidate_id=candidate.id))
