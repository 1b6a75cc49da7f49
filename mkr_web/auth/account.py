"""A user's own account page: password, second factor, active sessions."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import authenticated
from ..extensions import db
from ..operations import accounts, twofactor
from ..operations import sessions as session_ops
from ..operations.tenancy import OperationError
from . import bp
from . import sessions as web_sessions
from .forms import ConfirmForm, DisableTwoFactorForm, PasswordChangeForm, TwoFactorConfirmForm


def _user():
    return current_user._get_current_object()


@bp.route("/account")
@authenticated
def account():
    idle, max_age = web_sessions.lifetimes()
    return render_template(
        "auth/account.html",
        sessions=session_ops.active_sessions(current_user.id, idle, max_age),
        current_id=web_sessions.current_session_id(),
        codes_left=twofactor.recovery_codes_left(current_user.id),
        requirement=twofactor.requirement_for(_user()),
        form=ConfirmForm(),
        idle=idle,
        max_age=max_age,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = _user()
        try:
            accounts.change_password(user, form.current.data, form.password.data)
            web_sessions.restart(user)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            flash(_("Пароль изменён. Все другие сеансы завершены."), "success")
            return redirect(url_for(".account"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@authenticated
def end_session(session_id: int):
    if ConfirmForm().validate_on_submit() and session_ops.end_own_session(
        current_user.id, session_id
    ):
        db.session.commit()
        flash(_("Сеанс завершён."), "success")
    return redirect(url_for(".account"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@authenticated
def end_all_sessions():
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.log_out_everywhere(_user())
        web_sessions.end()
        db.session.commit()
        flash(_("Вы вышли на всех устройствах."), "success")
        return redirect(url_for(".login"))
    return redirect(url_for(".account"))


@bp.route("/account/2fa", methods=["GET"])
@authenticated
def two_factor():
    user = _user()
    if user.has_two_factor:
        return redirect(url_for(".account"))
    if not user.totp_secret:
        twofactor.begin_enrolment(user)
        db.session.commit()
    uri = twofactor.provisioning_uri(user)
    return render_template(
        "auth/two_factor.html",
        form=TwoFactorConfirmForm(),
        qr=twofactor.qr_data_uri(uri),
        secret=user.totp_secret,
        requirement=twofactor.requirement_for(user),
    )


@bp.route("/account/2fa", methods=["POST"])
@authenticated
def two_factor_confirm():
    user = _user()
    form = TwoFactorConfirmForm()
    if user.has_two_factor or not user.totp_secret:
        return redirect(url_for(".account"))
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(user, form.code.data)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            session.pop(web_sessions.MUST_ENROL, None)
            return render_template("auth/recovery_codes.html", codes=codes)
    return render_template(
        "auth/two_factor.html",
        form=form,
        qr=twofactor.qr_data_uri(twofactor.provisioning_uri(user)),
        secret=user.totp_secret,
        requirement=twofactor.requirement_for(user),
    )


@bp.route("/account/2fa/recovery-codes", methods=["POST"])
@authenticated
def recovery_codes():
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.regenerate_recovery_codes(_user())
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            return render_template("auth/recovery_codes.html", codes=codes)
    return redirect(url_for(".account"))


@bp.route("/account/2fa/disable", methods=["GET", "POST"])
@authenticated
def two_factor_disable():
    user = _user()
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            form.password.errors.append(_("Пароль указан неверно."))
        elif twofactor.required_by_tenant(user):
            flash(_("Проект требует второй фактор для вашей роли: отключить его нельзя."), "danger")
            return redirect(url_for(".account"))
        else:
            try:
                twofactor.disable(user, actor=user)
                db.session.commit()
            except OperationError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(_("Двухфакторная аутентификация отключена."), "success")
            return redirect(url_for(".account"))
    return render_template("auth/two_factor_disable.html", form=form)
