"""The operator's settings page: thresholds of the report's effectiveness criteria, and the
days experts and coordinators have for their step (deadlines), and whether the second factor
is required for the roles that read personal data."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from workflows.roles import Role

from ..access import current_tenant, roles
from ..documents.formats import RUSSIAN_ZONES, utc_offset, zone_city
from ..operations import twofactor
from ..operations.settings import (
    MAX_DEADLINE_DAYS,
    MAX_THRESHOLD,
    PDATA_KEYS,
    update_deadlines,
    update_personal_data_settings,
    update_thresholds,
    update_time_zone,
)
from ..queries.report import thresholds_of
from ..web.commit import commit_or_refuse
from ..web.forms import Form
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


class ThresholdsForm(Form):
    pass


for _name, (_key, _label) in FIELDS.items():
    setattr(
        ThresholdsForm,
        _name,
        IntegerField(_label, validators=[InputRequired(), NumberRange(min=0, max=MAX_THRESHOLD)]),
    )


class DeadlinesForm(Form):
    review_days = IntegerField(
        _l("Срок экспертизы, дней (с начала экспертизы)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_DEADLINE_DAYS)],
    )
    confirmation_days = IntegerField(
        _l("Срок подтверждения кандидатов координатором, дней (с подачи протокола)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_DEADLINE_DAYS)],
    )


class TwoFactorPolicyForm(Form):
    required = BooleanField(
        _l("Требовать двухфакторную аутентификацию от администраторов и координаторов")
    )
    grace_days = IntegerField(
        _l("Отсрочка для тех, кто её ещё не включил, дней"),
        validators=[InputRequired(), NumberRange(min=0, max=twofactor.MAX_GRACE_DAYS)],
    )


class PersonalDataForm(Form):
    consent_years = IntegerField(
        _l("Согласие действует до 18 лет плюс, лет"),
        validators=[InputRequired(), NumberRange(*PDATA_KEYS["consent_years"])],
    )
    retention_years = IntegerField(
        _l("Срок хранения после выхода из программы или отзыва согласия, лет"),
        validators=[InputRequired(), NumberRange(*PDATA_KEYS["retention_years"])],
    )


@bp.route("/settings/personal-data", methods=["POST"])
@roles(Role.ADMIN)
def settings_personal_data():
    form = PersonalDataForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            update_personal_data_settings,
            current_tenant(),
            {k: getattr(form, k).data for k in PDATA_KEYS},
        )
        if outcome.ok:
            flash(_("Сроки для персональных данных сохранены."), "success")
    else:
        flash(_("Сроки: целое число лет (согласие 1–20, хранение 1–75)."), "danger")
    return redirect(url_for(".settings"))


class TimeZoneForm(Form):
    time_zone = SelectField(_l("Часовой пояс, в котором показано время"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [
            (z, f"{zone_city(z, str(get_locale() or 'ru'))} (UTC{utc_offset(z)}, {z})")
            for z in RUSSIAN_ZONES
        ]


@bp.route("/settings/time-zone", methods=["POST"])
@roles(Role.ADMIN)
def settings_time_zone():
    form = TimeZoneForm()
    if form.validate_on_submit():
        commit_or_refuse(
            update_time_zone,
            current_tenant(),
            form.time_zone.data,
            success=_("Часовой пояс сохранён."),
        )
    else:
        flash(_("Выберите часовой пояс из списка."), "danger")
    return redirect(url_for(".settings"))


def _time_zone(tenant) -> dict:
    zone = tenant.setting("time_zone") or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return {"time_zone_form": TimeZoneForm(data={"time_zone": zone}), "numbering": numbering()}


def numbering() -> list[tuple[str, str]]:
    """Each kind of document and the prefix of its one numbering scheme (prefix-year-sequence,
    per tenant; the sequence starts again each year). The prefixes are Cyrillic: the numbers
    are Russian by design (the page marks them ``lang="ru"``)."""
    from ..models import CertificateKind
    from ..operations import accreditation, nominations, retention
    from ..operations.admission import BATCH_NUMBER_PREFIX
    from ..operations.certificates import certificate_type

    return [
        (_("Заявка на аккредитацию"), accreditation.NUMBER_PREFIX),
        (
            _("Свидетельство об аккредитации"),
            certificate_type(CertificateKind.ACCREDITATION).prefix,
        ),
        (_("Выдвижение"), nominations.NUMBER_PREFIX),
        (_("Протокол результатов (пакет кандидатов)"), BATCH_NUMBER_PREFIX),
        (_("Свидетельство резидента"), certificate_type(CertificateKind.RESIDENT).prefix),
        (_("Акт об уничтожении персональных данных"), retention.NUMBER_PREFIX),
    ]


@bp.route("/settings/two-factor", methods=["POST"])
@roles(Role.ADMIN)
def settings_two_factor():
    form = TwoFactorPolicyForm()
    if form.validate_on_submit():
        commit_or_refuse(
            twofactor.update_policy,
            current_tenant(),
            form.required.data,
            form.grace_days.data,
            success=_("Требование второго фактора сохранено."),
        )
    else:
        flash(_("Отсрочка: целое число дней от 0 до 365."), "danger")
    return redirect(url_for(".settings"))


def _two_factor(tenant) -> dict:
    policy = twofactor.policy_of(tenant)
    form = TwoFactorPolicyForm(
        data={"required": policy["required"], "grace_days": policy["grace_days"]}
    )
    pdata = PersonalDataForm(data={k: int(tenant.setting(k)) for k in PDATA_KEYS})
    return {"two_factor_form": form, "policy": policy, "pdata_form": pdata}


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings():
    tenant = current_tenant()
    current = thresholds_of(tenant)
    form = ThresholdsForm(data={name: current[key] for name, (key, _l_) in FIELDS.items()})
    deadlines = DeadlinesForm(
        data={k: int(tenant.setting(k)) for k in ("review_days", "confirmation_days")},
    )
    if request.form.get("form") == "deadlines":
        if deadlines.validate_on_submit():
            values = {k: getattr(deadlines, k).data for k in ("review_days", "confirmation_days")}
            outcome = commit_or_refuse(update_deadlines, tenant, values)
            if outcome.ok:
                flash(_("Сроки сохранены.") if outcome.result else _("Изменений нет."), "success")
                return redirect(url_for(".settings"))
        return render_template(
            "admin/settings.html",
            form=form,
            deadlines=deadlines,
            **_two_factor(tenant),
            **_time_zone(tenant),
        ), 400
    if form.validate_on_submit():
        values = {key: getattr(form, name).data for name, (key, _l_) in FIELDS.items()}
        outcome = commit_or_refuse(update_thresholds, tenant, values)
        if outcome.ok:
            flash(
                _("Пороговые значения сохранены.") if outcome.result else _("Изменений нет."),
                "success",
            )
            return redirect(url_for(".settings"))
    return render_template(
        "admin/settings.html",
        form=form,
        deadlines=deadlines,
        **_two_factor(tenant),
        **_time_zone(tenant),
    )
