"""The expert's pages (generic over the reviewed item): assigned items only, scoring on the
tenant's rubric, a conflict of interest. Other experts' scores are shown only after the
expert has submitted their own."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from workflows.review import AssignmentState, ReviewState
from workflows.roles import Role

from ..access import current_role, current_tenant, roles
from ..models import ReviewAssignment
from ..operations import reviews
from ..queries.review_subjects import subject_spec
from ..queries.reviews import (
    assignment_of_expert,
    assignments_for_expert,
    review_summary,
    rubric_of,
)
from ..web.commit import commit_or_refuse
from ..web.files import send_stored
from ..web.forms import LEVEL_TITLES, version_of
from ..web.loading import one_or_404
from . import bp


class ScoreForm(FlaskForm):
    """CSRF, version and comment; the points come as ``c-<criterion id>`` fields."""

    comment = TextAreaField(_l("Комментарий эксперта"), validators=[Length(max=5000)])
    version = HiddenField()


class ConflictForm(FlaskForm):
    reason = TextAreaField(
        _l("В чём конфликт интересов"), validators=[DataRequired(), Length(max=500)]
    )
    version = HiddenField()


def assignment_or_404(assignment_id: int) -> ReviewAssignment:
    return one_or_404(assignment_of_expert(current_tenant().id, current_user.id, assignment_id))


@bp.route("/reviews")
@roles(Role.EXPERT)
def reviews_list():
    rows = [
        (a, s, subject_spec(a.subject_type).label(s) if s is not None else "—")
        for a, s in assignments_for_expert(current_tenant().id, current_user.id)
    ]
    return render_template("expert/reviews.html", rows=rows)


def _parse_points(criteria) -> tuple[dict[int, int | None], dict[int, str]]:
    points, errors = {}, {}
    for c in criteria:
        raw = (request.form.get(f"c-{c.id}") or "").strip()
        if not raw:
            points[c.id] = None
        elif raw.isdigit():
            points[c.id] = int(raw)
        else:
            errors[c.id] = _("целое число от 0 до %(max)s", max=c.max_points)
    return points, errors


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@roles(Role.EXPERT)
def review(assignment_id: int):
    assignment = assignment_or_404(assignment_id)
    spec = subject_spec(assignment.subject_type)
    subject = reviews.load_subject(assignment.subject_type, assignment.subject_id)
    tenant = current_tenant()
    if rubric_of(tenant.id, spec.rubric_kind) is None:
        commit_or_refuse(reviews.ensure_rubric, tenant.id, spec.rubric_kind)
    rubric = rubric_of(tenant.id, spec.rubric_kind)
    criteria = [c for c in rubric.criteria if c.is_active]
    form = ScoreForm(version=assignment.version, comment=assignment.comment)
    values = {s.criterion_id: str(s.points) for s in assignment.scores}
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        points, errors = _parse_points(criteria)
        submit = request.form.get("action") == "submit"
        if errors:
            flash(_("Проверьте оценки."), "danger")
        else:
            error = commit_or_refuse(
                reviews.save_scores,
                assignment,
                points,
                form.comment.data or "",
                submit=submit,
                role=current_role(),
                user_id=current_user.id,
                expected_version=version_of(form),
                success=_("Оценка отправлена.") if submit else _("Черновик оценки сохранён."),
            ).error
            if error is None:
                return redirect(url_for(".review", assignment_id=assignment.id))
            errors = getattr(error, "errors", {})
        values = {c.id: (request.form.get(f"c-{c.id}") or "").strip() for c in criteria}
    # Blind review: the others' scores only once this expert's own are in.
    others = None
    if assignment.state is AssignmentState.SUBMITTED:
        others = review_summary(tenant, assignment.subject_type, assignment.subject_id)
    can_score = (
        assignment.state is AssignmentState.ASSIGNED and subject.state is ReviewState.IN_REVIEW
    )
    return render_template(
        "expert/review.html",
        assignment=assignment,
        subject=subject,
        spec=spec,
        label=spec.label(subject),
        criteria=criteria,
        values=values,
        errors=errors,
        form=form,
        can_score=can_score,
        others=others,
        conflict_form=ConflictForm(version=assignment.version, prefix="conflict"),
        levels=LEVEL_TITLES,
        files=spec.files(subject),
    )


@bp.route("/reviews/<int:assignment_id>/conflict", methods=["POST"])
@roles(Role.EXPERT)
def review_conflict(assignment_id: int):
    assignment = assignment_or_404(assignment_id)
    form = ConflictForm(prefix="conflict")
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.declare_conflict,
            assignment,
            form.reason.data,
            role=current_role(),
            user_id=current_user.id,
            expected_version=version_of(form),
            success=_("Конфликт интересов заявлен; оператор назначит другого эксперта."),
        )
    else:
        flash(_("Опишите конфликт интересов."), "danger")
    return redirect(url_for(".review", assignment_id=assignment.id))


@bp.route("/reviews/<int:assignment_id>/files/<int:file_id>")
@roles(Role.EXPERT)
def review_file(assignment_id: int, file_id: int):
    assignment = assignment_or_404(assignment_id)
    if assignment.state is AssignmentState.CONFLICT:
        abort(404)
    subject = reviews.load_subject(assignment.subject_type, assignment.subject_id)
    stored = next(
        (f for f in subject_spec(assignment.subject_type).files(subject) if f.id == file_id), None
    )
    if stored is None:
        abort(404)
    return send_stored(stored)
