"""MKR web application: the app factory."""

from __future__ import annotations

import os
from datetime import date

from flask import Flask, render_template, request, session

from .config import CSP, ConfigError, load_config
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate


def select_locale() -> str:
    from flask import current_app

    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("MKR_INSTANCE_PATH") or None)
    app.config.from_mapping(load_config(app.instance_path))
    from .web.params import BoundedIntConverter, refuse_nul_bytes

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.before_request(refuse_nul_bytes)
    if overrides:
        app.config.update(overrides)
    if app.config.get("MKR_PASSWORD_HASH", "scrypt") != "scrypt" and not app.config["TESTING"]:
        raise ConfigError("MKR_PASSWORD_HASH: only the test suite may hash passwords cheaply")
    os.makedirs(app.config["MKR_UPLOAD_DIR"], exist_ok=True)

    db.init_app(app)
    from .dbapi import tune

    with app.app_context():
        tune(db.engine, app.config["MKR_DB_PING_IDLE"])
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from .web import translations

    translations.install(app, babel)  # the catalog read once per request
    bootstrap.init_app(app)
    limiter.init_app(app)
    _log_limiter_fallback()
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    from . import models  # noqa: F401
    from .celery_app import celery_init_app

    celery_init_app(app)
    from . import tasks  # noqa: F401  (registers every task)
    from .web.sessions import init_sessions, load_user

    login_manager.user_loader(load_user)

    _register_blueprints(app)
    from .access import current_context, init_access

    init_access(app)
    init_sessions(app)
    if app.config.get("MKR_TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["MKR_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    from .operations.audit import set_actor_source
    from .web.actor import request_actor

    set_actor_source(request_actor)
    from .operations import report_snapshot

    report_snapshot.install()  # every write of the report's rows raises its data version
    from .cli import mkr_cli

    app.cli.add_command(mkr_cli)

    from .operations.submissions import new_form_token

    # a hand-written form's single-use token: <input type="hidden" name="form_token" …>
    app.jinja_env.globals["form_token"] = new_form_token
    from .operations.snils import shown_to

    # a person's СНИЛС as the current role may see it (in full, masked, or not at all)
    app.jinja_env.filters["snils"] = lambda digits: shown_to(
        (current_context() or _NO_ROLE).role, digits
    )

    from .web.formatting import init_formatting

    init_formatting(app)
    from .web.forms import init_forms

    init_forms(app)
    from .web.menu import init_menu
    from .web.urls import init_urls

    init_urls(app)
    init_menu(app)
    # today as a date input's value (the default of a decision date)
    app.jinja_env.globals["today_iso"] = lambda: date.today().isoformat()

    @app.context_processor
    def _inject():
        from flask_login import current_user

        from .access import available_contexts

        ctx = current_context()
        return {
            "ctx": ctx,
            "contexts": available_contexts(current_user) if current_user.is_authenticated else [],
            "current_locale": select_locale(),
        }

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.endswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    from .operations.jobs import QueueUnavailable

    app.register_error_handler(QueueUnavailable, _queue_unavailable)
    return app


class _NO_ROLE:  # noqa: N801 - a stand-in context without a role
    role = None


def _queue_unavailable(error):
    """Work that needs a worker was asked for while the broker is down (the job row, if any,
    is already marked failed with the reason): a form goes back to its page with the
    message; anything else gets a 503 page saying so."""
    from urllib.parse import urlsplit

    from flask import flash, redirect

    db.session.rollback()
    if request.path.startswith("/api/"):
        from .api.core import problem_response

        return problem_response(503, str(error), slug="queue-unavailable")
    back = urlsplit(request.referrer or "")
    if request.method == "POST" and back.path and (not back.netloc or back.netloc == request.host):
        flash(str(error), "danger")
        return redirect(back.path + (f"?{back.query}" if back.query else ""))
    return render_template("error.html", code=503), 503


def _log_limiter_fallback() -> None:
    """Flask-Limiter says when its Redis is unreachable and it counts in-process instead;
    its logger has only a NullHandler, so give it Flask's stderr handler (once)."""
    import logging

    from flask.logging import default_handler

    log = logging.getLogger("flask-limiter")
    if default_handler not in log.handlers:
        log.addHandler(default_handler)
        log.setLevel(logging.WARNING)


def _error_page(error):
    # Generic pages: never echo request data (it may hold personal data).
    code = getattr(error, "code", 500) or 500
    if request.path.startswith("/api/"):
        from werkzeug.exceptions import HTTPException

        from .api.core import http_problem, problem_response

        return http_problem(error) if isinstance(error, HTTPException) else problem_response(code)
    return render_template("error.html", code=code), code


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .coordinator import bp as coordinator_bp
    from .expert import bp as expert_bp
    from .organizer import bp as organizer_bp
    from .platform import bp as platform_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(coordinator_bp, url_prefix="/coordinator")
    app.register_blueprint(organizer_bp, url_prefix="/organizer")
    app.register_blueprint(expert_bp, url_prefix="/expert")
    app.register_blueprint(platform_bp, url_prefix="/platform")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
