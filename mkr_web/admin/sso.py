"""The tenant admin's single sign-on page: the tenant's OpenID Connect provider. The client
secret is written here and never shown back (an empty field keeps it)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows.roles import Role

from ..access import current_tenant, roles
from ..navigation import external_url
from ..operations import sso
from ..queries.accounts import sso_config
from ..web.commit import commit_or_refuse
from . import bp


class SSOForm(FlaskForm):
    label = StringField(
        _l("Название на кнопке входа (например, «ЕСИА Томской области»)"),
        validators=[DataRequired(), Length(max=100)],
    )
    issuer = StringField(
        _l("Издатель (issuer), адрес сервера входа"), validators=[DataRequired(), Length(max=300)]
    )
    client_id = StringField(
        _l("Идентификатор клиента (client id)"), validators=[DataRequired(), Length(max=200)]
    )
    client_secret = PasswordField(
        _l("Секрет клиента (пустое поле оставляет сохранённый)"), validators=[Length(max=500)]
    )
    email_claim = StringField(
        _l("Утверждение (claim) с адресом электронной почты"),
        default="email",
        validators=[DataRequired(), Length(max=64)],
    )
    create_unknown = BooleanField(
        _l("Создавать учётную запись без роли для неизвестных адресов (иначе отказ)")
    )
    is_enabled = BooleanField(_l("Показывать кнопку на странице входа"), default=True)


@bp.route("/sso", methods=["GET", "POST"])
@roles(Role.ADMIN)
def sso_settings():
    tenant = current_tenant()
    conf = sso_config(tenant.id)
    form = SSOForm(obj=conf) if conf is not None else SSOForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            sso.save_config,
            tenant,
            label=form.label.data,
            issuer=form.issuer.data,
            client_id=form.client_id.data,
            client_secret=form.client_secret.data,
            email_claim=form.email_claim.data,
            create_unknown=form.create_unknown.data,
            is_enabled=form.is_enabled.data,
            success=_("Настройки входа через внешний сервер сохранены."),
        )
        if outcome.ok:
            return redirect(url_for(".sso_settings"))
    return render_template(
        "admin/sso.html",
        form=form,
        has_secret=conf is not None,
        redirect_uri=external_url("auth.sso_callback"),
    )
