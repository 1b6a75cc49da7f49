"""Signing in through a tenant's OpenID Connect provider ("Войти через …" on the login page).
The checks live in ``operations/sso.py``; here: the redirect out, the callback, the session."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ..access import SSO_TENANT, current_context, dashboard_endpoint, public
from ..extensions import db
from ..models import Tenant, TenantSSO
from ..navigation import external_url
from ..operations import sso as ops
from ..operations.audit import record
from . import bp
from . import sessions as web_sessions

PENDING = "sso_pending"
PENDING_SECONDS = 600


def sso_buttons() -> list[tuple[str, str]]:
    """``(tenant slug, label)`` of every enabled provider, for the login page."""
    try:
        rows = db.session.execute(
            sa.select(Tenant.slug, TenantSSO.label)
            .join(Tenant, Tenant.id == TenantSSO.tenant_id)
            .where(TenantSSO.is_enabled.is_(True))
            .order_by(TenantSSO.label)
        ).all()
    except sa.exc.SQLAlchemyError:
        return []
    return [(slug, label) for slug, label in rows]


def sso_origins() -> list[str]:
    """The origins (scheme://host:port) of the enabled providers."""
    try:
        issuers = db.session.scalars(
            sa.select(TenantSSO.issuer).where(TenantSSO.is_enabled.is_(True))
        ).all()
    except sa.exc.SQLAlchemyError:
        return []
    origins = set()
    for issuer in issuers:
        parts = urlsplit(issuer)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _redirect_uri() -> str:
    return external_url("auth.sso_callback")


@bp.route("/sso/<slug>/start", methods=["POST"])
@public
def sso_start(slug: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    conf = db.session.execute(
        sa.select(TenantSSO)
        .join(Tenant, Tenant.id == TenantSSO.tenant_id)
        .where(Tenant.slug == slug[:40], TenantSSO.is_enabled.is_(True))
    ).scalar_one_or_none()
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


@bp.route("/sso/callback")
@public
def sso_callback():
    pending = session.pop(PENDING, None)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        flash(_("Вход через внешний сервер не начат или устарел: начните заново."), "danger")
        return redirect(url_for(".login"))
    conf = ops.config_for(pending["tenant_id"])
    if conf is None or not conf.is_enabled:
        abort(404)
    try:
        email = ops.finish(
            conf,
            _redirect_uri(),
            request.args.to_dict(),
            state=pending["state"],
            nonce=pending["nonce"],
            verifier=pending["verifier"],
            leeway=current_app.config["MKR_OIDC_LEEWAY_SECONDS"],
        )
        user = ops.resolve_user(conf, email)
    except ops.SSORefused as exc:
        db.session.rollback()
        record("auth.login.failed", tenant_id=conf.tenant_id, method="sso", reason=exc.reason)
        db.session.commit()
        flash(str(exc), "danger")
        return redirect(url_for(".login"))
    web_sessions.start(user, "sso")
    session[SSO_TENANT] = conf.tenant_id
    db.session.commit()
    return redirect(url_for(dashboard_endpoint(current_context())))
