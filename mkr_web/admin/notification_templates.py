"""The tenant's wording of each notification kind: list, edit with a preview on a real object,
reset to the default."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from workflows.roles import Role

from ..access import current_tenant, roles
from ..operations import notification_templates as ops
from ..operations.notification_kinds import GROUPS, KINDS, configurable_kinds
from ..operations.notifications import TemplateProblem, template_of
from ..web.commit import commit_or_refuse
from . import bp


class TemplateForm(FlaskForm):
    subject = StringField(_l("Тема письма"), validators=[DataRequired()])
    body = TextAreaField(_l("Текст"), validators=[DataRequired()], render_kw={"rows": 6})


def _kind_or_404(key: str):
    kind = KINDS.get(key)
    if kind is None or not kind.configurable:
        abort(404)
    return kind


@bp.route("/notification-templates")
@roles(Role.ADMIN)
def notification_templates():
    return render_template(
        "admin/notification_templates.html",
        kinds=configurable_kinds(),
        groups=GROUPS,
        custom=ops.custom_kinds(current_tenant().id),
    )


@bp.route("/notification-templates/<kind>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def notification_template(kind: str):
    spec = _kind_or_404(kind)
    tenant = current_tenant()
    subject, body, is_custom = template_of(tenant.id, spec)
    form = TemplateForm(data={"subject": subject, "body": body})
    shown = None
    if form.validate_on_submit():
        problems = ops.template_problems(kind, form.subject.data, form.body.data)
        for name, message in problems.items():
            getattr(form, name).errors.append(message)
        if not problems and request.form.get("action") == "preview":
            try:
                shown = ops.preview(tenant, kind, form.subject.data, form.body.data)
            except TemplateProblem as exc:
                form.body.errors.append(str(exc))
        elif not problems:
            outcome = commit_or_refuse(
                ops.save_template,
                tenant,
                kind,
                form.subject.data,
                form.body.data,
                user_id=current_user.id,
                success=_("Шаблон сохранён."),
            )
            if outcome.ok:
                return redirect(url_for(".notification_template", kind=kind))
    status = 400 if form.errors else 200
    return render_template(
        "admin/notification_template.html",
        kind=spec,
        form=form,
        is_custom=is_custom,
        shown=shown,
        reset_form=FlaskForm(),
    ), status


@bp.route("/notification-templates/<kind>/reset", methods=["POST"])
@roles(Role.ADMIN)
def notification_template_reset(kind: str):
    _kind_or_404(kind)
    if FlaskForm().validate_on_submit():
        outcome = commit_or_refuse(ops.reset_template, current_tenant(), kind)
        if outcome.ok:
            flash(
                _("Восстановлен текст по умолчанию.")
                if outcome.result
                else _("Шаблон уже был по умолчанию."),
                "success",
            )
    return redirect(url_for(".notification_template", kind=kind))
