"""The operator's settings page: thresholds of the report's effectiveness criteria."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from workflows.roles import Role

from ..access import current_tenant, roles
from ..operations.settings import MAX_THRESHOLD, update_thresholds
from ..queries.report import thresholds_of
from ..web.commit import commit_or_refuse
from . import bp

# form field -> (threshold key, label)
FIELDS = {
    "t1": ("1", _l("Критерий 1: новых Резидентов за год, не менее")),
    "t3": ("3", _l("Критерий 3: новых организаций-партнёров за год, не менее")),
    "t4_events": ("4_events", _l("Критерий 4: мероприятий-спутников за год, не менее")),
    "t4_participants": (
        "4_participants",
        _l("Критерий 4: участников мероприятий-спутников, не менее"),
    ),
    "t5": ("5", _l("Критерий 5: Резидентов с практиками, стажировками, сменами, не менее")),
    "t6": ("6", _l("Критерий 6: публикаций за год, не менее")),
}


class ThresholdsForm(FlaskForm):
    pass


for _name, (_key, _label) in FIELDS.items():
    setattr(
        ThresholdsForm,
        _name,
        IntegerField(_label, validators=[InputRequired(), NumberRange(min=0, max=MAX_THRESHOLD)]),
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings():
    tenant = current_tenant()
    current = thresholds_of(tenant)
    form = ThresholdsForm(data={name: current[key] for name, (key, _l_) in FIELDS.items()})
    if form.validate_on_submit():
        values = {key: getattr(form, name).data for name, (key, _l_) in FIELDS.items()}
        outcome = commit_or_refuse(update_thresholds, tenant, values)
        if outcome.ok:
            flash(
                _("Пороговые значения сохранены.") if outcome.result else _("Изменений нет."),
                "success",
            )
            return redirect(url_for(".settings"))
    return render_template("admin/settings.html", form=form)
