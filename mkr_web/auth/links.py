"""Pages opened from account mails: password reset (asked for on the login page) and
accepting an invitation. A link that is invalid, used, replaced or expired says which."""

from __future__ import annotations

import time

from flask import redirect, render_template, url_for
from flask_babel import gettext as _

from ..access import public
from ..models import User
from ..operations import accounts, invitations
from ..web import sessions as web_sessions
from ..web.commit import commit_or_refuse
from . import bp
from .forms import AcceptForm, ConfirmForm, ResetForm, ResetRequestForm, save_password

RESET_ANSWER_SECONDS = 0.25


def _problem_text(problem: str) -> str:
    return {
        "invalid": _("Ссылка недействительна. Проверьте, что она скопирована целиком."),
        "replaced": _("Эта ссылка заменена более новой: откройте последнее письмо."),
        "used": _("Ссылка уже использована."),
        "revoked": _("Приглашение отозвано администратором."),
        "expired": _("Срок действия ссылки истёк."),
    }[problem]


def _link_problem(problem: str, what: str):
    status = 404 if problem == "invalid" else 410
    page = render_template("auth/link_problem.html", message=_problem_text(problem), what=what)
    return page, status


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        started = time.monotonic()
        commit_or_refuse(accounts.request_reset, form.email.data, web_sessions.client_ip())
        # A known address writes a link and a mail, an unknown one does not: answer no
        # sooner than a fixed floor so that the timing does not tell them apart.
        time.sleep(max(0.0, RESET_ANSWER_SECONDS - (time.monotonic() - started)))
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    reset, problem = accounts.find_reset(token)
    if problem:
        return _link_problem(problem, "reset")
    form = ResetForm()
    if form.validate_on_submit() and save_password(
        form,
        accounts.complete_reset,
        reset,
        success=_("Пароль изменён. Войдите с новым паролем."),
    ):
        return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def invitation(token: str):
    found, problem = invitations.find_invitation(token)
    if problem:
        return _link_problem(problem, "invitation")
    user: User = found.user
    form = AcceptForm(full_name=user.full_name) if not user.has_password else ConfirmForm()
    if form.validate_on_submit():
        new_account = hasattr(form, "password")
        outcome = commit_or_refuse(
            invitations.accept,
            found,
            form.password.data if new_account else None,
            form.full_name.data if new_account else None,
            show_refusal=not new_account,
            success=_("Приглашение принято. Войдите, чтобы начать работу."),
        )
        if outcome.ok:
            return redirect(url_for(".login"))
        if new_account:
            form.password.errors.append(str(outcome.error))
    return render_template("auth/invitation.html", invitation=found, user=user, form=form)
