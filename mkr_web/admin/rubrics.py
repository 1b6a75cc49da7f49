"""The tenant's rubrics (accreditation, nomination): criteria with max points and weights."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from workflows.roles import Role

from ..access import current_tenant, roles
from ..models import SubjectType
from ..operations import reviews
from ..queries.reviews import criterion_in_tenant
from ..web.commit import commit_or_refuse
from . import bp

KINDS = {
    SubjectType.ACCREDITATION: _l("Аккредитация мероприятий"),
    SubjectType.NOMINATION: _l("Выдвижения"),
}


class NewCriterionForm(FlaskForm):
    title = StringField(_l("Критерий"), validators=[DataRequired(), Length(max=300)])
    max_points = IntegerField(_l("Макс. балл"), validators=[InputRequired(), NumberRange(1, 1000)])
    weight = DecimalField(
        _l("Вес"), places=2, default=1, validators=[InputRequired(), NumberRange(0.01, 100)]
    )


class CriterionForm(NewCriterionForm):
    sort_order = IntegerField(_l("Порядок"), default=0, validators=[InputRequired()])
    is_active = BooleanField(_l("Действует"), default=True)


def _kind(kind: str) -> SubjectType:
    try:
        subject_type = SubjectType(kind)
    except ValueError:
        abort(404)
    if subject_type not in KINDS:
        abort(404)
    return subject_type


@bp.route("/rubrics")
@roles(Role.ADMIN)
def rubrics():
    return redirect(url_for(".rubric", kind=SubjectType.ACCREDITATION.value))


@bp.route("/rubrics/<kind>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def rubric(kind: str):
    subject_type = _kind(kind)
    tenant = current_tenant()
    rubric = commit_or_refuse(reviews.ensure_rubric, tenant.id, subject_type).result
    form = NewCriterionForm(prefix="new")
    if form.validate_on_submit():
        if commit_or_refuse(
            reviews.add_criterion,
            rubric,
            form.title.data,
            form.max_points.data,
            float(form.weight.data),
            success=_("Критерий добавлен."),
        ).ok:
            return redirect(url_for(".rubric", kind=kind))
    edit_forms = {
        c.id: CriterionForm(prefix=f"c{c.id}", obj=c, weight=c.weight) for c in rubric.criteria
    }
    return render_template(
        "admin/rubric.html",
        rubric=rubric,
        kind=subject_type,
        kinds=KINDS,
        form=form,
        edit_forms=edit_forms,
        max_total=sum(c.max_points * c.weight for c in rubric.criteria if c.is_active),
    )


@bp.route("/rubrics/criteria/<int:criterion_id>", methods=["POST"])
@roles(Role.ADMIN)
def rubric_criterion(criterion_id: int):
    criterion = criterion_in_tenant(current_tenant().id, criterion_id)
    if criterion is None:
        abort(404)
    form = CriterionForm(prefix=f"c{criterion.id}")
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.update_criterion,
            criterion,
            title=form.title.data,
            max_points=form.max_points.data,
            weight=float(form.weight.data),
            sort_order=form.sort_order.data,
            is_active=form.is_active.data,
            success=_("Критерий сохранён."),
        )
    else:
        flash(_("Проверьте поля критерия: название, балл от 1 до 1000, вес больше 0."), "danger")
    return redirect(url_for(".rubric", kind=criterion.rubric.kind.value))
