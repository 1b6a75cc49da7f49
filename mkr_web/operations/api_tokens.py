"""Personal API tokens: create (the secret is returned once, only its digest is kept),
revoke, and recognise a token on a request (live, within its rate limit, last use noted).

A token acts for one membership (a role in a tenant) and within :data:`SCOPES`: each scope
names a resource and read or write, and the roles it makes sense for (a scope never widens
a role: the API's routes still check the role and load every object through its scope).
The rate limit is a fixed window of a minute counted on the token's own row, so every web
worker sees the same count and no request depends on Redis.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from workflows.roles import Role

from ..documents.formats import counted
from ..errors import OperationError
from ..extensions import db
from ..models import ApiToken, Membership, User
from ..models.base import utcnow
from .audit import record

PREFIX = "mkr_"
WINDOW = timedelta(minutes=1)

A, C, ORG = Role.ADMIN, Role.COORDINATOR, Role.ORGANIZER

#: scope -> (Russian title, the roles it is offered to)
SCOPES: dict[str, tuple[str, frozenset[Role]]] = {
    "reference:read": ("Муниципалитеты и организации: чтение", frozenset({A, C, ORG})),
    "events:read": ("Мероприятия и их проведения: чтение", frozenset({A, ORG})),
    "participation:write": ("Участие: численность и списки участников", frozenset({A, ORG})),
    "persons:read": ("Персоны: чтение", frozenset({A, C})),
    "certificates:read": ("Свидетельства: чтение", frozenset({A, C, ORG})),
    "report:read": ("Аналитическая справка: чтение", frozenset({A, C})),
    "gir:read": ("Выгрузка для ГИР (резиденты по СНИЛС): чтение", frozenset({A})),
    "candidates:read": ("Кандидаты на включение: чтение", frozenset({A, C, ORG})),
    "candidates:write": ("Кандидаты: подтверждение и решения", frozenset({A, C})),
    "protocols:write": ("Протоколы результатов: отправка", frozenset({ORG})),
}


def scopes_for(role: Role) -> list[str]:
    return [s for s, (_title, roles) in SCOPES.items() if role in roles]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def create_token(
    user: User, membership: Membership, name: str, scopes: list[str], days: int
) -> NewToken:
    if membership.user_id != user.id:
        raise OperationError("Это не ваша роль.")
    name = (name or "").strip()[:100]
    if not name:
        raise OperationError("Назовите токен (например, по системе, которая им пользуется).")
    allowed = set(scopes_for(membership.role))
    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        raise OperationError("Отметьте хотя бы одно право.")
    if not set(wanted) <= allowed:
        raise OperationError("Эти права недоступны для выбранной роли.")
    max_days = current_app.config["MKR_API_TOKEN_MAX_DAYS"]
    if not 1 <= days <= max_days:
        raise OperationError(f"Срок действия: от 1 до {counted(max_days, 'дня', 'дней', 'дней')}.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        membership_id=membership.id,
        tenant_id=membership.tenant_id,
        name=name,
        prefix=secret[:12],
        token_hash=digest(secret),
        scopes=wanted,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.create",
        token,
        tenant_id=membership.tenant_id,
        user=user,
        scopes=wanted,
        days=days,
    )
    return NewToken(token, secret)


def revoke_token(token: ApiToken, user: User) -> bool:
    """Revoke one of ``user``'s tokens; False when it was already revoked."""
    if token.user_id != user.id:
        raise OperationError("Это не ваш токен.")
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record("api_token.revoke", token, tenant_id=token.tenant_id, user=user)
    db.session.flush()
    return True


@dataclass(frozen=True)
class Recognised:
    """What :func:`recognise` found: the token (None: unknown, expired or revoked) and, for a
    live token over its limit, the seconds until the window ends."""

    token: ApiToken | None
    retry_after: int = 0


def recognise(secret: str, now: datetime | None = None) -> Recognised:
    """The live token behind ``secret``, counted against its rate limit (flush only; the
    caller commits at once, so the count holds whatever the request does next)."""
    now = now or utcnow()
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return Recognised(None)
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)).with_for_update()
    ).scalar_one_or_none()
    if token is None or not token.is_live(now) or not token.user.is_active:
        return Recognised(None)
    limit = current_app.config["MKR_API_RATE_LIMIT"]
    if token.window_started_at is None or token.window_started_at <= now - WINDOW:
        token.window_started_at, token.window_count = now, 0
    if token.window_count >= limit:
        wait = (token.window_started_at + WINDOW - now).total_seconds()
        return Recognised(token, retry_after=max(1, int(wait) + 1))
    token.window_count += 1
    token.last_used_at = now
    db.session.flush()
    return Recognised(token)
