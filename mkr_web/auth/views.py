"""Login (password, then the second factor when the user has one), logout, role switching,
language choice.

One generic message for every bad credential. Failed attempts are counted in the database
per account and per client address (``operations/throttle.py``): over the limit, or before
the growing delay has passed, the form answers 429 without looking at the password. A known
and an unknown e-mail cost the same: an unknown one is checked against a dummy scrypt hash.
"""

from __future__ import annotations

import functools
import secrets
import time
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

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
from ..models import User
from ..models.users import PASSWORD_HASH
from ..operations import throttle
from ..operations.accounts import login_failed
from ..operations.twofactor import verify_second_factor
from ..queries.accounts import sso_buttons, sso_origins, user_by_id
from ..queries.reference import user_by_email
from ..web import sessions as web_sessions
from ..web.commit import commit_or_refuse
from . import bp
from .forms import CodeForm, ContextForm, LanguageForm, LoginForm

PENDING = "pending_2fa"  # {"uid", "at", "next"}: password accepted, code not yet
PENDING_SECONDS = 300


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def password_matches(user: User | None, password: str) -> bool:
    """The same scrypt work whether or not the account exists or has a password: an unknown
    e-mail is checked against a dummy hash made the way account passwords are."""
    if user is None or not user.has_password:
        method = current_app.config.get("MKR_PASSWORD_HASH", PASSWORD_HASH)
        check_password_hash(_dummy_hash(method), password)
        return False
    ok = user.check_password(password)
    return ok and user.is_active


def _too_many(wait: int):
    flash(
        _("Слишком много попыток входа. Повторите через %(n)d с.", n=wait),
        "danger",
    )


def _target() -> str:
    target = request.args.get("next", "")
    return target if _is_local(target) else ""


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for(dashboard_endpoint(current_context())))
    form = LoginForm()
    if form.validate_on_submit():
        email = User.normalize_email(form.email.data)
        account_rule, address_rule = throttle.login_rules()
        checks = [
            (account_rule, throttle.key_of(email)),
            (address_rule, throttle.key_of(web_sessions.client_ip() or "")),
        ]
        wait = throttle.wait_seconds(checks)
        if wait:
            _too_many(wait)
            return _login_page(form), 429
        user = user_by_email(email)
        if not password_matches(user, form.password.data):
            commit_or_refuse(login_failed, checks, user, "password", show_refusal=False)
            flash(_("Неверная электронная почта или пароль."), "danger")
            return _login_page(form)
        if user.has_two_factor:
            commit_or_refuse(throttle.clear, account_rule, throttle.key_of(email))
            session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": _target()}
            return redirect(url_for(".login_code"))
        commit_or_refuse(_password_login, user, account_rule, email)
        return _after_login(_target())
    if request.method == "POST":
        flash(_("Неверная электронная почта или пароль."), "danger")
    return _login_page(form)


def _password_login(user: User, account_rule, email: str) -> None:
    throttle.clear(account_rule, throttle.key_of(email))
    web_sessions.start(user, "password")


def _login_page(form):
    from ..config import CSP

    response = make_response(
        render_template("auth/login.html", form=form, sso_buttons=sso_buttons())
    )
    origins = sso_origins()
    if origins:
        # "Войти через …" posts here and is redirected to the provider: browsers apply
        # form-action to that redirect, so the providers' origins are allowed on this page.
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


def _after_login(target: str):
    if web_sessions.must_enrol():
        return redirect(url_for(".two_factor"))
    return redirect(target or url_for(dashboard_endpoint(current_context())))


def _pending_user() -> User | None:
    pending = session[PENDING] if PENDING in session else {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = user_by_id(pending.get("uid"))
    return user if user is not None and user.is_active and user.has_two_factor else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        flash(_("Войдите заново: время на ввод кода истекло."), "warning")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        checks = [
            (throttle.totp_rule(), throttle.key_of(user.id)),
            (throttle.login_rules()[1], throttle.key_of(web_sessions.client_ip() or "")),
        ]
        wait = throttle.wait_seconds(checks)
        if wait:
            _too_many(wait)
            return render_template("auth/login_code.html", form=form), 429
        target = session[PENDING].get("next", "")  # the login empties the cookie
        outcome = commit_or_refuse(_second_factor, user, form.code.data, checks)
        if outcome.result is None:
            flash(_("Неверный код."), "danger")
            return render_template("auth/login_code.html", form=form)
        if outcome.result == "recovery":
            flash(_("Вы вошли по коду восстановления: он больше не действует."), "warning")
        return _after_login(target if _is_local(target) else "")
    return render_template("auth/login_code.html", form=form)


def _second_factor(user: User, code: str, checks) -> str | None:
    """Check the code; a pass logs in, a failure is counted (one commit either way)."""
    how = verify_second_factor(user, code)
    if how is None:
        login_failed(checks, user, "second_factor")
        return None
    throttle.clear(*checks[0])
    web_sessions.start(user, "password+" + how)
    return how


def _is_local(target: str) -> bool:
    parts = urlsplit(target)
    return bool(target) and not parts.scheme and not parts.netloc and target.startswith("/")


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    commit_or_refuse(web_sessions.end)
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
