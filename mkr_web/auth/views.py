"""Authentication views. One generic message for every bad credential; attempts are limited
per account and per client address (failed attempts only)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..access import (
    CTX_KEY,
    authenticated,
    available_contexts,
    current_context,
    dashboard_endpoint,
    public,
    set_context,
)
from ..config import LOCALES
from ..extensions import limiter
from ..models import User
from ..operations.audit import record
from ..queries.reference import user_by_email
from ..web.commit import commit_or_refuse
from . import bp
from .forms import ContextForm, LanguageForm, LoginForm


def _account_key() -> str:
    return "acct:" + User.normalize_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code == 200 and request.method == "POST"


def _limit(name: str):
    return lambda: current_app.config.get(name, "1000 per minute")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _limit("MKR_LOGIN_LIMIT_IP"), methods=["POST"], deduct_when=_failed, scope="login-ip"
)
@limiter.limit(
    _limit("MKR_LOGIN_LIMIT_ACCOUNT"),
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    scope="login-account",
)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for(dashboard_endpoint(current_context())))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is not None and user.is_active and user.check_password(form.password.data):
            session.clear()
            login_user(user)
            commit_or_refuse(record, "auth.login", user, user=user)
            target = request.args.get("next", "")
            if not _is_local(target):
                target = url_for(dashboard_endpoint(current_context()))
            return redirect(target)
        flash(_("Неверная электронная почта или пароль."), "danger")
    elif request.method == "POST":
        flash(_("Неверная электронная почта или пароль."), "danger")
    return render_template("auth/login.html", form=form)


def _is_local(target: str) -> bool:
    parts = urlsplit(target)
    return bool(target) and not parts.scheme and not parts.netloc and target.startswith("/")


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/", methods=["GET"])
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for(dashboard_endpoint(current_context())))
    return redirect(url_for("auth.login"))


@bp.route("/context", methods=["POST"])
@authenticated
def switch_context():
    form = ContextForm()
    if form.validate_on_submit() and set_context(form.context.data):
        return redirect(url_for(dashboard_endpoint(current_context())))
    flash(_("Эта роль вам недоступна."), "danger")
    return redirect(url_for("auth.index"))


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LOCALES:
        session["lang"] = form.lang.data
    target = request.referrer or ""
    ref = urlsplit(target)
    if ref.netloc and ref.netloc != request.host:
        target = ""
    return redirect(ref.path if target else url_for("auth.index"))


@bp.route("/no-role")
@authenticated
def no_role():
    return render_template("auth/no_role.html", contexts=available_contexts(current_user))


__all__ = ["CTX_KEY", "bp"]
