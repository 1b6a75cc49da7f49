"""Signing in through a tenant's OpenID Connect provider ("Войти через …" on the login page).
The checks live in ``operations/sso.py``; here: the redirect out, the callback, the session."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ..access import current_context, dashboard_endpoint, public
from ..models import TenantSSO
from ..navigation import external_url
from ..operations import sso as ops
from ..operations.audit import record
from ..queries.accounts import enabled_sso_by_slug, sso_config
from ..web import sessions as web_sessions
from ..web.commit import commit_or_refuse
from . import bp

PENDING = "sso_pending"
PENDING_SECONDS = 600


def _redirect_uri() -> str:
    return external_url("auth.sso_callback")


@bp.route("/sso/<slug>/start", methods=["POST"])
@public
def sso_start(slug: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    conf = enabled_sso_by_slug(slug)
    if conf is None:
        abort(404)
    try:
        started = ops.start(conf, _redirect_uri())
    except ops.SSORefused as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".login"))
    session[PENDING] = {
        "tenant_id": conf.tenant_id,
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.verifier,
        "at": int(time.time()),
    }
    return redirect(started.url)


def _sign_in(conf: TenantSSO, pending: dict, args: dict) -> str | None:
    """Check the provider's answer, find the account, start the session; a refusal is
    audited and returned as its message (one commit either way)."""
    try:
        email = ops.finish(
            conf,
            _redirect_uri(),
            args,
            state=pending["state"],
            nonce=pending["nonce"],
            verifier=pending["verifier"],
            leeway=current_app.config["MKR_OIDC_LEEWAY_SECONDS"],
        )
        user = ops.resolve_user(conf, email)
    except ops.SSORefused as exc:
        record("auth.login.failed", tenant_id=conf.tenant_id, method="sso", reason=exc.reason)
        return str(exc)
    web_sessions.start(user, "sso", sso_tenant_id=conf.tenant_id)
    return None


@bp.route("/sso/callback")
@public
def sso_callback():
    pending = session.pop(PENDING, None)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        flash(_("Вход через внешний сервер не начат или устарел: начните заново."), "danger")
        return redirect(url_for(".login"))
    conf = sso_config(pending["tenant_id"])
    if conf is None or not conf.is_enabled:
        abort(404)
    outcome = commit_or_refuse(_sign_in, conf, pending, request.args.to_dict())
    if not outcome.ok or outcome.result is not None:
        if outcome.result:
            flash(outcome.result, "danger")
        return redirect(url_for(".login"))
    return redirect(url_for(dashboard_endpoint(current_context())))
