"""The one access mechanism: every route declares who reaches it.

- ``@roles(Role.ADMIN, ...)``: a logged-in user acting in one of these roles (the *current
  context*: one membership, or the platform-admin role). Anyone else gets 403; an anonymous
  visitor is sent to the login page.
- ``@authenticated``: any logged-in user (logout, role switch).
- ``@public``: anyone (login page, verification pages, static files).
- :class:`TokenPolicy` (set by ``mkr_web.api``'s route decorator): a request of the JSON API
  with a live personal token of one of these roles holding the scope; anyone else gets a
  problem+json 401 or 403.

A ``before_request`` hook refuses (403) any endpoint that declares nothing, and
:func:`undeclared_endpoints` lets a test walk ``app.url_map``. Objects are loaded through the
current tenant (:func:`tenant_query`, :func:`get_in_tenant_or_404`): an object of another
tenant is 404, so its existence does not leak.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user

from workflows.roles import Role

from .extensions import db
from .models import Membership, Tenant

POLICY_ATTR = "_mkr_policy"
PUBLIC = "public"
AUTHENTICATED = "authenticated"
CTX_KEY = "mkr_ctx"
SSO_TENANT = "sso_tenant"  # a session signed in through a tenant's provider acts there only


@dataclass(frozen=True)
class Context:
    """Who the user is acting as right now."""

    role: Role
    membership: Membership | None = None

    @property
    def tenant(self) -> Tenant | None:
        return self.membership.tenant if self.membership else None

    @property
    def key(self) -> str:
        return str(self.membership.id) if self.membership else "platform"


@dataclass(frozen=True)
class TokenPolicy:
    """An API route's policy: the roles a token's membership must hold and the scope it
    must carry. Iterating it yields the roles (as a ``@roles`` policy does)."""

    roles: frozenset
    scope: str

    def __iter__(self):
        return iter(self.roles)


def _set_policy(view, policy):
    setattr(view, POLICY_ATTR, policy)
    return view


def public(view):
    return _set_policy(view, PUBLIC)


def authenticated(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return _set_policy(wrapper, AUTHENTICATED)


def roles(*allowed: Role):
    allowed_set = frozenset(allowed)
    if not allowed_set:
        raise ValueError("roles() needs at least one role")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.path))
            ctx = current_context()
            if ctx is None or ctx.role not in allowed_set:
                abort(403)
            return view(*args, **kwargs)

        return _set_policy(wrapper, allowed_set)

    return decorator


def available_contexts(user) -> list[Context]:
    """Every role the user may switch to, platform admin first. After single sign-on through
    a tenant's provider: that tenant's roles only."""
    memberships = sorted(user.memberships, key=lambda m: m.id)
    sso_tenant = session.get(SSO_TENANT) if has_request_context() else None
    if sso_tenant is not None:
        return [Context(m.role, m) for m in memberships if m.tenant_id == sso_tenant]
    contexts = [Context(Role.PLATFORM_ADMIN)] if user.is_platform_admin else []
    contexts += [Context(m.role, m) for m in memberships]
    return contexts


def current_context() -> Context | None:
    if "mkr_context" in g:
        return g.mkr_context
    ctx = None
    if current_user.is_authenticated:
        contexts = available_contexts(current_user)
        wanted = session.get(CTX_KEY)
        ctx = next((c for c in contexts if c.key == wanted), None)
        if ctx is None and contexts:
            ctx = contexts[0]
            session[CTX_KEY] = ctx.key
    g.mkr_context = ctx
    return ctx


def set_context(key: str) -> Context | None:
    for ctx in available_contexts(current_user):
        if ctx.key == key:
            session[CTX_KEY] = key
            g.pop("mkr_context", None)
            return ctx
    return None


def current_tenant() -> Tenant:
    ctx = current_context()
    if ctx is None or ctx.tenant is None:
        abort(403)
    return ctx.tenant


def current_role() -> Role:
    """The role the user acts in now: what views pass to operations, whose workflow tables
    decide what that role may do."""
    ctx = current_context()
    if ctx is None:
        abort(403)
    return ctx.role


def current_membership() -> Membership:
    ctx = current_context()
    if ctx is None or ctx.membership is None:
        abort(403)
    return ctx.membership


def tenant_query(model):
    """A select over ``model`` limited to the current tenant."""
    return db.select(model).where(model.tenant_id == current_tenant().id)


def get_in_tenant_or_404(model, object_id: int):
    obj = db.session.execute(tenant_query(model).where(model.id == object_id)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def dashboard_endpoint(ctx: Context | None) -> str:
    if ctx is None:
        return "auth.no_role"
    return {
        Role.ADMIN: "admin.dashboard",
        Role.COORDINATOR: "coordinator.dashboard",
        Role.ORGANIZER: "organizer.dashboard",
        Role.EXPERT: "expert.dashboard",
        Role.PLATFORM_ADMIN: "platform.dashboard",
    }[ctx.role]


def _plain(view):
    """A plain function around ``view`` (bound methods cannot carry attributes)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


def policy_of(app, endpoint: str):
    view = app.view_functions.get(endpoint)
    return getattr(view, POLICY_ATTR, None)


def undeclared_endpoints(app) -> list[str]:
    return sorted(e for e in app.view_functions if policy_of(app, e) is None)


def init_access(app) -> None:
    # Static files are public by nature; mark them explicitly so nothing is implicit.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or endpoint.endswith(".static"):
            app.view_functions[endpoint] = _set_policy(_plain(view), PUBLIC)

    @app.before_request
    def _fail_closed():
        if request.endpoint is None:
            return  # 404/405 handled by Flask
        if policy_of(current_app, request.endpoint) is None:
            current_app.logger.error("endpoint %s declares no access policy", request.endpoint)
            abort(403)
        return
