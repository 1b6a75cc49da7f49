"""The web side of sessions: starting one after a login, recognising the cookie on every
request, ending it. The rows and rules live in ``operations/sessions.py``.

The Flask session cookie is signed, so its contents cannot be forged, but a copy of it could
be replayed: it therefore carries a session token (``sid``) that must match a live
:class:`~mkr_web.models.UserSession`. No live row, no user.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..access import SSO_TENANT
from ..models import User
from ..models.base import utcnow
from ..operations import sessions as ops, twofactor
from ..operations.audit import record
from .commit import UNREAD_AT_LOAD, commit_or_refuse

SID = "sid"
MUST_ENROL = "must_enrol_2fa"
# what a user who must enrol the second factor may still reach
ENROL_ALLOWED = {
    "auth.two_factor",
    "auth.two_factor_confirm",
    "auth.logout",
    "auth.language",
    "auth.index",
}


def lifetimes() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return (
        timedelta(minutes=cfg["MKR_SESSION_IDLE_MINUTES"]),
        timedelta(hours=cfg["MKR_SESSION_MAX_HOURS"]),
    )


def client_ip() -> str | None:
    return request.remote_addr


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while the cookie's session row is live."""
    token = session.get(SID)
    if not token or not (str(user_id).isascii() and str(user_id).isdigit()):
        return None
    idle, max_age = lifetimes()
    row, write = ops.check_session(int(user_id), token, idle, max_age)
    if row is None:
        return None
    user = row.user
    if write is not None:
        # note the activity (once a minute) or end an idle/expired session
        commit_or_refuse(ops.apply_check, row, write, show_refusal=False)
        if write in (ops.IDLE, ops.EXPIRED):
            return None
    if row.unread_notifications is not None:
        g.setdefault(UNREAD_AT_LOAD, row.unread_notifications)
    return user if user.is_active else None


def must_enrol() -> bool:
    """Whether this session must enrol the second factor before anything else."""
    return bool(session.get(MUST_ENROL))


def current_session_id() -> int | None:
    token = session.get(SID)
    if not token or not current_user.is_authenticated:
        return None
    idle, max_age = lifetimes()
    row, write = ops.check_session(current_user.id, token, idle, max_age)
    return row.id if row is not None and write in (None, ops.TOUCH) else None


def _fresh_cookie() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start(user: User, method: str, *, sso_tenant_id: int | None = None) -> None:
    """Log ``user`` in on this browser: a new session row, a fresh cookie, the audit entry.
    After single sign-on through a tenant's provider the session acts in that tenant only.
    Run it through the commit helper."""
    _fresh_cookie()
    g.pop("mkr_context", None)
    if sso_tenant_id is not None:
        session[SSO_TENANT] = sso_tenant_id
    session[SID] = ops.open_session(user.id, method, client_ip(), request.headers.get("User-Agent"))
    login_user(user)
    record("auth.login", user, user=user, method=method)
    if method != "sso" and twofactor.requirement_for(user).overdue(utcnow()):
        session[MUST_ENROL] = True


def restart(user: User, method: str = "password") -> None:
    """A new session for this browser after the old ones were ended (password change)."""
    _fresh_cookie()
    session[SID] = ops.open_session(user.id, method, client_ip(), request.headers.get("User-Agent"))
    login_user(user)


def end() -> None:
    """Log out this browser: its row ends, the cookie is emptied. Run it through the commit
    helper."""
    if current_user.is_authenticated:
        record("auth.logout", current_user._get_current_object(), user=current_user)
    ops.end_session(session.get(SID), "logout")
    logout_user()
    _fresh_cookie()


def init_sessions(app) -> None:
    """Recognise the session before any view runs; keep a must-enrol user on enrolment."""

    @app.before_request
    def _load_session_user():
        if request.endpoint is None or request.endpoint.endswith("static"):
            return None
        if request.blueprint == "api":
            return None  # the API reads its bearer token, never the cookie
        if not current_user.is_authenticated:
            return None
        if session.get(MUST_ENROL) and request.endpoint not in ENROL_ALLOWED:
            flash(
                _("Проект требует двухфакторную аутентификацию: включите её, чтобы продолжить."),
                "warning",
            )
            return redirect(url_for("auth.two_factor"))
        return None
