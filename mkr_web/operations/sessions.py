"""Server-side sessions: a session cookie is good only while its row is live.

The cookie carries a random token; the row keeps its SHA-256 digest, when it started, when it
was last used, the address and browser. Logout, a password change or reset, losing a role
and deactivation end rows (:func:`end_sessions`), so a saved cookie replayed afterwards is
anonymous. Idle and absolute lifetimes are settings (``MKR_SESSION_IDLE_MINUTES``,
``MKR_SESSION_MAX_HOURS``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import UserSession
from ..models.base import utcnow
from ..queries.accounts import live_session_by_id, session_by_token_hash
from .audit import record

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute
TOUCH, IDLE, EXPIRED = "touch", "idle", "expired"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user_id: int, method: str, ip: str | None, user_agent: str | None) -> str:
    """Start a session; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user_id,
            token_hash=digest(token),
            method=method,
            ip=(ip or "")[:45] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    db.session.flush()
    return token


def check_session(
    user_id: int, token: str, idle: timedelta, max_age: timedelta, now: datetime | None = None
) -> tuple[UserSession | None, str | None]:
    """The row of ``token`` if it is ``user_id``'s and not ended, and the write it needs:
    ``touch`` (note the activity), ``idle`` or ``expired`` (end it), or None. Reads only."""
    now = now or utcnow()
    row = session_by_token_hash(digest(token))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None, None
    if now - row.created_at > max_age:
        return row, EXPIRED
    if now - row.last_seen_at > idle:
        return row, IDLE
    if now - row.last_seen_at > TOUCH_EVERY:
        return row, TOUCH
    return row, None


def apply_check(row: UserSession, write: str, now: datetime | None = None) -> None:
    """Do what :func:`check_session` asked: note the activity, or end the session."""
    now = now or utcnow()
    if write == TOUCH:
        row.last_seen_at = now
    else:
        _end(row, write, now)
    db.session.flush()


def _end(row: UserSession, reason: str, now: datetime) -> None:
    row.ended_at = now
    row.end_reason = reason


def end_session(token: str | None, reason: str = "logout") -> None:
    if not token:
        return
    row = session_by_token_hash(digest(token))
    if row is not None and row.ended_at is None:
        _end(row, reason, utcnow())


def end_sessions(user_id: int, reason: str, *, except_id: int | None = None) -> int:
    """End every live session of a user (but ``except_id``); returns how many ended."""
    q = sa.update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if except_id is not None:
        q = q.where(UserSession.id != except_id)
    return db.session.execute(q.values(ended_at=utcnow(), end_reason=reason)).rowcount


def end_own_session(user_id: int, session_id: int) -> bool:
    """A user ends one of their own live sessions (another user's id does nothing)."""
    row = live_session_by_id(user_id, session_id)
    if row is None:
        return False
    _end(row, "ended_by_user", utcnow())
    record("auth.session.end", row, user=row.user)
    return True
