"""Who acts in the current request, for the audit log (see :mod:`mkr_web.operations.audit`)."""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_login import current_user

from ..access import current_context
from ..operations.audit import Actor


def request_actor() -> Actor | None:
    """The logged-in user and the role (and tenant) they act in, the client's address and,
    for an API request, the token's id;
    an anonymous visitor (a login, a reset request) is an actor without a user. None
    outside a request."""
    if not has_request_context():
        return None
    ip = (request.remote_addr or "")[:45] or None
    if not current_user.is_authenticated:
        return Actor(user=None, ip=ip)
    ctx = current_context()
    return Actor(
        user=current_user,
        role=ctx.role.value if ctx else None,
        tenant_id=ctx.tenant.id if ctx is not None and ctx.tenant is not None else None,
        ip=ip,
        token_id=g.get("api_token_id"),
    )
