"""A user's own account page: password, second factor, active sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import authenticated
from ..operations import accounts, sessions as session_ops, twofactor
from ..queries.accounts import active_sessions, live_session_by_id, recovery_codes_left
from ..web import sessions as web_sessions
from ..web.commit import commit_or_refuse
from . import bp
from .forms import (
    ConfirmForm,
    DisableTwoFactorForm,
    PasswordChangeForm,
    TwoFactorConfirmForm,
    save_password,
)


def _user():
    return current_user._get_current_object()


@bp.route("/account")
@authenticated
def account():
    idle, max_age = web_sessions.lifetimes()
    return render_template(
        "auth/account.html",
        sessions=active_sessions(current_user.id, idle, max_age),
        current_id=web_sessions.current_session_id(),
        codes_left=recovery_codes_left(current_user.id),
        requirement=twofactor.requirement_for(_user()),
        form=ConfirmForm(),
        idle=idle,
        max_age=max_age,
    )


def _change_password(user, current: str, new: str) -> None:
    accounts.change_password(user, current, new)
    web_sessions.restart(user)


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit() and save_password(
        form,
        _change_password,
        _user(),
        form.current.data,
        success=_("Пароль изменён. Все другие сеансы завершены."),
    ):
        return redirect(url_for(".account"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@authenticated
def end_session(session_id: int):
    if live_session_by_id(current_user.id, session_id) is None:
        abort(404)  # another user's session, or one already ended
    if ConfirmForm().validate_on_submit():
        commit_or_refuse(
            session_ops.end_own_session,
            current_user.id,
            session_id,
            success=_("Сеанс завершён."),
        )
    return redirect(url_for(".account"))


def _log_out_everywhere(user) -> None:
    accounts.log_out_everywhere(user)
    web_sessions.end()


@bp.route("/account/sessions/end-all", methods=["POST"])
@authenticated
def end_all_sessions():
    if ConfirmForm().validate_on_submit():
        commit_or_refuse(_log_out_everywhere, _user(), success=_("Вы вышли на всех устройствах."))
        return redirect(url_for(".login"))
    return redirect(url_for(".account"))


def _enrol_page(user, form):
    return render_template(
        "auth/two_factor.html",
        form=form,
        qr=twofactor.qr_data_uri(twofactor.provisioning_uri(user)),
        secret=user.totp_secret,
        requirement=twofactor.requirement_for(user),
    )


@bp.route("/account/2fa", methods=["GET"])
@authenticated
def two_factor():
    user = _user()
    if user.has_two_factor:
        return redirect(url_for(".account"))
    if not user.totp_secret:
        commit_or_refuse(twofactor.begin_enrolment, user)
    return _enrol_page(user, TwoFactorConfirmForm())


@bp.route("/account/2fa", methods=["POST"])
@authenticated
def two_factor_confirm():
    user = _user()
    form = TwoFactorConfirmForm()
    if user.has_two_factor or not user.totp_secret:
        return redirect(url_for(".account"))
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            twofactor.confirm_enrolment, user, form.code.data, show_refusal=False
        )
        if outcome.ok:
            session.pop(web_sessions.MUST_ENROL, None)
            return render_template("auth/recovery_codes.html", codes=outcome.result)
        form.code.errors.append(str(outcome.error))
    return _enrol_page(user, form)


@bp.route("/account/2fa/recovery-codes", methods=["POST"])
@authenticated
def recovery_codes():
    if ConfirmForm().validate_on_submit():
        outcome = commit_or_refuse(twofactor.regenerate_recovery_codes, _user())
        if outcome.ok:
            return render_template("auth/recovery_codes.html", codes=outcome.result)
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
            commit_or_refuse(
                twofactor.disable,
                user,
                actor=user,
                success=_("Двухфакторная аутентификация отключена."),
            )
            return redirect(url_for(".account"))
    return render_template("auth/two_factor_disable.html", form=form)
