"""Single-use links (invitations, password resets): ``<row id>.<random secret>`` signed with
the app's key. The row keeps only the secret's digest, so a link is good once: using it, or
sending a new one, changes what the row expects."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"mkr-{kind}")


def new_secret() -> tuple[str, str]:
    """A fresh secret and its digest (the digest is what the row stores)."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_digest(secret)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_token(kind: str, row_id: int, secret: str) -> str:
    return _serializer(kind).dumps([row_id, secret])


def read_token(kind: str, token: str) -> tuple[int, str] | None:
    """``(row id, secret)`` of a well-signed token, or None."""
    if not token or len(token) > 300:
        return None
    try:
        row_id, secret = _serializer(kind).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(row_id, int) or not isinstance(secret, str):
        return None
    return row_id, secret


def matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), digest)
