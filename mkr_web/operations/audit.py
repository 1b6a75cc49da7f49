"""Writing audit entries. Details name objects and fields, never personal values (nor a
password, token or code). Each entry notes who, when, and from which address."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEntry


def record(action: str, obj=None, *, tenant_id: int | None = None, user=None, **details) -> None:
    """Add an audit entry to the session (committed with the request's transaction)."""
    from ..access import current_context

    role = None
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
        ctx = current_context()
        role = ctx.role.value if ctx else None
        if tenant_id is None and ctx is not None and ctx.tenant is not None:
            tenant_id = ctx.tenant.id
    if tenant_id is None and obj is not None:
        tenant_id = getattr(obj, "tenant_id", None)
    db.session.add(
        AuditEntry(
            tenant_id=tenant_id,
            user_id=getattr(user, "id", None),
            role=role,
            action=action,
            object_type=type(obj).__name__ if obj is not None else None,
            object_id=getattr(obj, "id", None),
            details=details,
            ip=(request.remote_addr or "")[:45] or None if has_request_context() else None,
        )
    )
