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
- ``MAIL_SERVER``: the SMTP relay for notification e-mails (unset: nothing is e-mailed; the
  notifications wait in the admin's outbox). ``MAIL_PORT`` (default 25; 587 with STARTTLS,
  465 with SSL), ``MAIL_FROM`` (default ``mkr@localhost``).
- ``MAIL_USE_TLS=1``: STARTTLS after connecting; ``MAIL_USE_SSL=1``: TLS from the start (not
  both). The relay's certificate is verified (system CAs, or ``MAIL_CA_FILE``, a PEM file).
- ``MAIL_USERNAME``/``MAIL_PASSWORD``: login to the relay (both or neither; only over TLS
  unless ``MAIL_ALLOW_PLAIN_LOGIN=1``, e.g. a relay on localhost).
- ``MAIL_TIMEOUT``: seconds per SMTP connection (default 10).
- ``MKR_TASK_VISIBILITY_TIMEOUT``: seconds after which Redis hands a task whose worker died to
  another worker (default: twice the longest job's time limit, one hour).
- ``MKR_TRUSTED_PROXIES``: how many reverse proxies in front of the app set
  ``X-Forwarded-For`` (default 0: the peer address is the client's). Login limits per address
  need the real client address.
- ``MKR_SESSION_IDLE_MINUTES`` (120) and ``MKR_SESSION_MAX_HOURS`` (12): a session ends after
  that long without a request, and that long after login whatever happens.
- ``MKR_API_RATE_LIMIT`` (120): requests one API token may make per minute (counted in the
  database, on the token's row); ``MKR_API_TOKEN_MAX_DAYS`` (365): the longest token life.
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
JOB_TIME_LIMIT = 30 * 60  # seconds: no background job may run longer
JOB_STALE_MINUTES = 10  # a running job without progress for this long is marked failed
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


def _seconds(name: str, raw: str | None, default: int) -> int:
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 7 * 24 * 3600:
        raise ConfigError(f"{name} must be a number of seconds (1 to 604800), got {raw!r}")
    return int(raw)


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


def _mail(env: dict) -> dict:
    """The ``MAIL_*`` settings, checked together."""
    try:
        port = int(env.get("MAIL_PORT") or 0)
        timeout = int(env.get("MAIL_TIMEOUT") or 10)
    except ValueError:
        raise ConfigError("MAIL_PORT and MAIL_TIMEOUT must be whole numbers") from None
    use_tls = _flag("MAIL_USE_TLS", env.get("MAIL_USE_TLS"))
    use_ssl = _flag("MAIL_USE_SSL", env.get("MAIL_USE_SSL"))
    if use_tls and use_ssl:
        raise ConfigError("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL are exclusive: set one")
    if not 0 <= port <= 65535:
        raise ConfigError(f"MAIL_PORT must be a port number, got {port}")
    if not 1 <= timeout <= 300:
        raise ConfigError("MAIL_TIMEOUT must be between 1 and 300 seconds")
    username = env.get("MAIL_USERNAME") or None
    password = env.get("MAIL_PASSWORD") or None
    if bool(username) != bool(password):
        raise ConfigError("MAIL_USERNAME and MAIL_PASSWORD go together: set both or neither")
    if (
        username
        and not (use_tls or use_ssl)
        and not _flag("MAIL_ALLOW_PLAIN_LOGIN", env.get("MAIL_ALLOW_PLAIN_LOGIN"))
    ):
        raise ConfigError(
            "MAIL_USERNAME without MAIL_USE_TLS or MAIL_USE_SSL would send the password in "
            "clear text; set one (or MAIL_ALLOW_PLAIN_LOGIN=1 for a relay on this machine)"
        )
    ca_file = env.get("MAIL_CA_FILE") or None
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"MAIL_CA_FILE is not a readable file: {ca_file}")
    sender = env.get("MAIL_FROM") or "mkr@localhost"
    if "@" not in sender:
        raise ConfigError(f"MAIL_FROM must be an e-mail address, got {sender!r}")
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": port or (465 if use_ssl else 25),
        "MAIL_FROM": sender,
        "MAIL_DEFAULT_SENDER": sender,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_USERNAME": username,
        "MAIL_PASSWORD": password,
        "MAIL_TIMEOUT": timeout,
        "MAIL_CA_FILE": ca_file,
    }


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
    upload_dir = env.get("MKR_UPLOAD_DIR") or str(ipath / "files")
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), ipath),
        # A pooled connection is pinged only after lying idle (mkr_web/dbapi.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "MKR_DB_PING_IDLE": _number(env, "MKR_DB_PING_IDLE", 2.0, integer=False),
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
        "MKR_API_RATE_LIMIT": _number(env, "MKR_API_RATE_LIMIT", 120, minimum=1),
        "MKR_API_TOKEN_MAX_DAYS": _number(env, "MKR_API_TOKEN_MAX_DAYS", 365, minimum=1),
        "MKR_OIDC_LEEWAY_SECONDS": _number(env, "MKR_OIDC_LEEWAY_SECONDS", 60),
        "MKR_INVITATION_DAYS": _number(env, "MKR_INVITATION_DAYS", 7, minimum=1),
        "MKR_RESET_MINUTES": _number(env, "MKR_RESET_MINUTES", 60, minimum=5),
        # seconds between a write and the worker's rebuild of the report's snapshots (0: off)
        "MKR_REPORT_REFRESH_SECONDS": _number(env, "MKR_REPORT_REFRESH_SECONDS", 30),
        **_mail(env),
        # Celery beat: periodic jobs (``celery -A celery_worker beat``).
        "CELERY_BEAT_SCHEDULE": {
            "fail-stuck-jobs": {
                "task": "mkr.jobs.fail_stuck",
                "schedule": 60.0,
            },
            "forget-old-form-tokens": {
                "task": "mkr.forms.forget_old_tokens",
                "schedule": crontab(hour=4, minute=0),
            },
            "expire-accreditations": {
                "task": "mkr.accreditation.expire",
                "schedule": crontab(hour=3, minute=15),
            },
            "remind-deadlines": {
                "task": "mkr.deadlines.remind",
                "schedule": crontab(hour=6, minute=0),
            },
            "remind-expiring-consents": {
                "task": "mkr.consents.remind",
                "schedule": crontab(hour=5, minute=30),
            },
            "find-duplicates": {
                "task": "mkr.duplicates.find",
                "schedule": crontab(hour=2, minute=30),
            },
            "list-past-retention": {
                "task": "mkr.retention.propose",
                "schedule": crontab(hour=2, minute=45),
            },
            "refresh-report-snapshots": {
                "task": "mkr.report.refresh_all",
                "schedule": crontab(hour=4, minute=30),
            },
            "mail-digest": {"task": "mkr.mail.digest", "schedule": crontab(hour=7, minute=0)},
            "mail-flush": {"task": "mkr.mail.flush", "schedule": crontab(minute="*/10")},
        },
        "MKR_JOB_STALE_MINUTES": JOB_STALE_MINUTES,
        "CELERY": {
            "broker_url": broker or "memory://",
            "result_backend": backend or "cache+memory://",
            "task_always_eager": broker is None,
            "task_eager_propagates": True,
            # Jobs keep their outcome in their Job row; only the health ping asks for a result.
            "task_ignore_result": True,
            # A task is acknowledged when it has finished, and given back to the queue when its
            # worker dies; tasks are idempotent (operations.jobs.run_job claims the job row).
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            # The longest job (a report PDF, a batch of certificates) must finish within the
            # time limit; Redis gives an unacknowledged task to another worker only after the
            # visibility timeout, which is longer than that.
            "task_soft_time_limit": JOB_TIME_LIMIT - 60,
            "task_time_limit": JOB_TIME_LIMIT,
            "broker_transport_options": {
                "visibility_timeout": _seconds(
                    "MKR_TASK_VISIBILITY_TIMEOUT",
                    env.get("MKR_TASK_VISIBILITY_TIMEOUT"),
                    2 * JOB_TIME_LIMIT,
                ),
                "socket_connect_timeout": 2,
            },
            # A broker that is down is reported within a second or two, not after retries.
            "broker_connection_timeout": 2,
            "task_publish_retry_policy": {
                "max_retries": 2,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.5,
            },
            "redis_socket_connect_timeout": 2,
            "result_backend_transport_options": {
                "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
            },
            "broker_connection_retry_on_startup": True,
            "worker_hijack_root_logger": False,
            "timezone": "Asia/Tomsk",
        },
    }
