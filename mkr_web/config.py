"""Configuration read from the environment, validated at start.

Every variable has an embedded default so that `./demo.sh` works on a bare machine:

- ``DATABASE_URL``: SQLAlchemy URL; ``sqlite:///…`` or ``postgresql://…``. Default: a
  SQLite file ``instance/mkr.db``.
- ``CELERY_BROKER_URL``: ``redis://…``. Unset: Celery tasks run eagerly in-process.
- ``CELERY_RESULT_BACKEND``: defaults to the broker URL.
- ``SECRET_KEY``: at least 32 characters. Unset: generated once, kept in
  ``instance/secret_key``.
- ``MKR_LOCALE``: ``ru`` (default) or ``en``.
- ``MKR_UPLOAD_DIR``: where uploaded files and rendered documents live (default
  ``instance/files``).
- ``MKR_HTTPS``: ``1`` when served behind HTTPS: cookies become Secure.
- ``MKR_BASE_URL``: the public address of the site (``https://mkr.example.org``), the only
  source of absolute URLs (verify links, QR codes, e-mails): the request's Host header is
  never trusted. Required when ``MKR_HTTPS=1`` (production); otherwise it defaults to
  ``http://127.0.0.1:5000`` (the demo's address).
- ``MAIL_SERVER``/``MAIL_PORT``/``MAIL_FROM``: SMTP for notifications (unset: outbox only).
- ``MKR_TRUSTED_PROXIES``: how many reverse proxies in front of the app set
  ``X-Forwarded-For`` (default 0: the peer address is the client's). Login limits per address
  need the real client address.
- ``MKR_SESSION_IDLE_MINUTES`` (120) and ``MKR_SESSION_MAX_HOURS`` (12): a session ends after
  that long without a request, and that long after login whatever happens.
- ``MKR_LOGIN_ACCOUNT_LIMIT`` (5), ``MKR_LOGIN_ADDRESS_LIMIT`` (50),
  ``MKR_LOGIN_WINDOW_MINUTES`` (15): failed logins allowed per account and per client address
  within the window (counted in the database, so every web worker shares them);
  ``MKR_LOGIN_DELAY_SECONDS`` (1): after the n-th failure of an account the next attempt
  waits ``delay × 2^(n-1)`` seconds (0 turns the growing delay off).
- ``MKR_OIDC_LEEWAY_SECONDS`` (60): clock difference tolerated when checking an ID token's
  expiry and issue time (single sign-on).
- ``MKR_INVITATION_DAYS`` (7) and ``MKR_RESET_MINUTES`` (60): how long an invitation link and a
  password-reset link stay valid.

A wrong value raises :class:`ConfigError` naming the variable, so the app refuses to start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LOCALES = ("ru", "en")
# The Content-Security-Policy of every page (the login page adds its single sign-on
# providers' origins to form-action).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """A configuration variable has a wrong value; the message names it."""


def _database_url(raw: str | None, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'mkr.db'}"
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    if backend == "sqlite":
        return raw
    raise ConfigError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {backend!r}")


def _broker_url(name: str, raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "memory://")):
        raise ConfigError(f"{name} must be a redis:// URL, got {raw.split(':', 1)[0]!r}")
    return raw


def _secret_key(raw: str | None, instance_path: Path) -> str:
    if raw:
        if len(raw) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return raw
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _base_url(raw: str | None, https: bool) -> str:
    if not raw:
        if https:
            raise ConfigError(
                "MKR_BASE_URL must be set in production (MKR_HTTPS=1): the public address of "
                "the site, e.g. https://mkr.example.org"
            )
        return DEFAULT_BASE_URL
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"MKR_BASE_URL must be an http:// or https:// address without query, got {raw!r}"
        )
    return raw.rstrip("/")


def _flag(name: str, raw: str | None) -> bool:
    if raw in (None, "", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _number(env: dict, name: str, default: float, *, minimum: float = 0, integer=True):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def load_config(instance_path: str, env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    ipath = Path(instance_path)
    locale = env.get("MKR_LOCALE") or "ru"
    if locale not in LOCALES:
        raise ConfigError(f"MKR_LOCALE must be one of {', '.join(LOCALES)}, got {locale!r}")
    broker = _broker_url("CELERY_BROKER_URL", env.get("CELERY_BROKER_URL"))
    backend = _broker_url("CELERY_RESULT_BACKEND", env.get("CELERY_RESULT_BACKEND")) or broker
    https = _flag("MKR_HTTPS", env.get("MKR_HTTPS"))
    try:
        mail_port = int(env.get("MAIL_PORT") or 25)
    except ValueError:
        raise ConfigError("MAIL_PORT must be a number") from None
    upload_dir = env.get("MKR_UPLOAD_DIR") or str(ipath / "files")
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), ipath),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": _secret_key(env.get("SECRET_KEY"), ipath),
        "BABEL_DEFAULT_LOCALE": locale,
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tomsk",
        "MKR_UPLOAD_DIR": upload_dir,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "MKR_IMPORT_MAX_BYTES": 10 * 1024 * 1024,
        # Not read from the environment: only the test suite's app overrides it.
        "MKR_PASSWORD_HASH": "scrypt",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "MKR_BASE_URL": _base_url(env.get("MKR_BASE_URL"), https),
        # Flask-Limiter (the /verify pages) keeps its counters in Redis when there is one; a
        # Redis outage must not break those pages: it falls back to in-process counting
        # (and logs it), and a dead or slow Redis is given up on within half a second.
        "RATELIMIT_STORAGE_URI": broker if broker and broker.startswith("redis") else "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "MKR_TRUSTED_PROXIES": _number(env, "MKR_TRUSTED_PROXIES", 0),
        "MKR_SESSION_IDLE_MINUTES": _number(env, "MKR_SESSION_IDLE_MINUTES", 120, minimum=1),
        "MKR_SESSION_MAX_HOURS": _number(env, "MKR_SESSION_MAX_HOURS", 12, minimum=1),
        "MKR_LOGIN_ACCOUNT_LIMIT": _number(env, "MKR_LOGIN_ACCOUNT_LIMIT", 5, minimum=1),
        "MKR_LOGIN_ADDRESS_LIMIT": _number(env, "MKR_LOGIN_ADDRESS_LIMIT", 50, minimum=1),
        "MKR_LOGIN_WINDOW_MINUTES": _number(env, "MKR_LOGIN_WINDOW_MINUTES", 15, minimum=1),
        "MKR_LOGIN_DELAY_SECONDS": _number(
            env, "MKR_LOGIN_DELAY_SECONDS", 1.0, minimum=0, integer=False
        ),
        "MKR_OIDC_LEEWAY_SECONDS": _number(env, "MKR_OIDC_LEEWAY_SECONDS", 60),
        "MKR_INVITATION_DAYS": _number(env, "MKR_INVITATION_DAYS", 7, minimum=1),
        "MKR_RESET_MINUTES": _number(env, "MKR_RESET_MINUTES", 60, minimum=5),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": mail_port,
        "MAIL_FROM": env.get("MAIL_FROM") or "mkr@localhost",
        # Celery beat: daily jobs (``celery -A celery_worker beat``).
        "CELERY_BEAT_SCHEDULE": {
            "expire-accreditations": {
                "task": "mkr.accreditation.expire",
                "schedule": crontab(hour=3, minute=15),
            },
        },
        "CELERY": {
            "broker_url": broker or "memory://",
            "result_backend": backend or "cache+memory://",
            "task_always_eager": broker is None,
            "task_eager_propagates": True,
            "task_ignore_result": False,
            "broker_connection_retry_on_startup": True,
            "worker_hijack_root_logger": False,
            "timezone": "Asia/Tomsk",
        },
    }
