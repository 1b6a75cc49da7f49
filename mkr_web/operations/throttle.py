"""Failed attempts counted in the database: every web worker sees the same counts, and no
login depends on Redis.

A *scope* names what is counted (``account``, ``address``, ``totp``, ``reset-account``,
``reset-address``); the key is a SHA-256 digest of the e-mail, the address or the user id,
so the table holds no personal data. :func:`wait_seconds` answers how long a new attempt
must wait: 0 when it may go ahead.

Limits (settings, see ``config.py``): ``limit`` failures per ``window``; and for the growing
delay, after the n-th failure within the window the next attempt waits
``delay × 2^(n-1)`` seconds.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import LoginFailure
from ..models.base import utcnow


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: timedelta
    delay: float = 0.0  # base of the growing delay, seconds; 0: none


def key_of(value: str | int) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()


def login_rules() -> tuple[Rule, Rule]:
    """The per-account and per-address rules of the password (and second-factor) forms."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["MKR_LOGIN_WINDOW_MINUTES"])
    return (
        Rule("account", cfg["MKR_LOGIN_ACCOUNT_LIMIT"], window, cfg["MKR_LOGIN_DELAY_SECONDS"]),
        Rule("address", cfg["MKR_LOGIN_ADDRESS_LIMIT"], window),
    )


def totp_rule() -> Rule:
    account, _address = login_rules()
    return Rule("totp", account.limit, account.window, account.delay)


def _failures(rule: Rule, key: str, now: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            sa.select(LoginFailure.at)
            .where(
                LoginFailure.scope == rule.scope,
                LoginFailure.key == key,
                LoginFailure.at > now - rule.window,
            )
            .order_by(LoginFailure.at)
        )
    )


def wait_seconds(checks: list[tuple[Rule, str]], now: datetime | None = None) -> int:
    """Seconds until an attempt is allowed under every ``(rule, key)``; 0: go ahead."""
    now = now or utcnow()
    wait = 0.0
    for rule, key in checks:
        times = _failures(rule, key, now)
        if not times:
            continue
        if len(times) >= rule.limit:
            # the oldest failures leave the window one by one
            oldest_blocking = times[len(times) - rule.limit]
            wait = max(wait, (oldest_blocking + rule.window - now).total_seconds())
        elif rule.delay > 0:
            pause = rule.delay * 2 ** (len(times) - 1)
            wait = max(wait, (times[-1] + timedelta(seconds=pause) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_failure(checks: list[tuple[Rule, str]], now: datetime | None = None) -> None:
    """Count one failure under each ``(rule, key)`` and drop that key's expired rows."""
    now = now or utcnow()
    for rule, key in checks:
        db.session.execute(
            sa.delete(LoginFailure).where(
                LoginFailure.scope == rule.scope,
                LoginFailure.key == key,
                LoginFailure.at <= now - rule.window,
            )
        )
        db.session.add(LoginFailure(scope=rule.scope, key=key, at=now))
    db.session.flush()


def clear(rule: Rule, key: str) -> None:
    """Forget a key's failures (after a successful login of that account)."""
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.scope == rule.scope, LoginFailure.key == key)
    )
