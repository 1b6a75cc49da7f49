"""Writing audit entries. Details name objects and fields, never personal values (nor a
password, token or code). Each entry notes who, when, and from which address.

Operations do not know about requests: who acts is given to them. The web layer installs an
*actor source* once (:func:`set_actor_source`, called by ``create_app``) that answers from the
current request's user and context; a Celery task or a CLI command has no actor, and an
operation may pass ``user=`` explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..extensions import db
from ..models import AuditEntry, PlatformAuditEntry


@dataclass(frozen=True)
class Actor:
    """Who acts: the user (None: an anonymous visitor), the role acted in, the tenant of that
    role (if any), the client's address, and the API token the request came with (if any)."""

    user: object
    role: str | None = None
    tenant_id: int | None = None
    ip: str | None = None
    token_id: int | None = None


_actor_source: Callable[[], Actor | None] = lambda: None  # noqa: E731


def set_actor_source(source: Callable[[], Actor | None]) -> None:
    """Install the function that tells who acts (the web layer's current user)."""
    global _actor_source
    _actor_source = source


def record(action: str, obj=None, *, tenant_id: int | None = None, user=None, **details) -> None:
    """Add an audit entry to the session (committed with the request's transaction): an
    :class:`AuditEntry` of the tenant, or a :class:`PlatformAuditEntry` when there is none."""
    role = None
    actor = _actor_source()
    if user is None and actor is not None:
        user, role = actor.user, actor.role
        if tenant_id is None:
            tenant_id = actor.tenant_id
    if actor is not None and actor.token_id is not None:
        details.setdefault("api_token_id", actor.token_id)
    if tenant_id is None and obj is not None:
        tenant_id = getattr(obj, "tenant_id", None)
    fields = {"tenant_id": tenant_id} if tenant_id is not None else {}
    db.session.add(
        (AuditEntry if tenant_id is not None else PlatformAuditEntry)(
            **fields,
            user_id=getattr(user, "id", None),
            role=role,
            action=action,
            object_type=type(obj).__name__ if obj is not None else None,
            object_id=getattr(obj, "id", None),
            details=details,
            ip=actor.ip if actor is not None else None,
        )
    )
