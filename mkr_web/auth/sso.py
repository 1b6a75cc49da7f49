"""Single sign-on through a tenant's OpenID Connect provider (filled in below)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Tenant, TenantSSO


def sso_buttons() -> list[tuple[str, str]]:
    """``(tenant slug, label)`` of every enabled provider, for the login page."""
    try:
        rows = db.session.execute(
            sa.select(Tenant.slug, TenantSSO.label)
            .join(Tenant, Tenant.id == TenantSSO.tenant_id)
            .where(TenantSSO.is_enabled.is_(True))
            .order_by(TenantSSO.label)
        ).all()
    except sa.exc.SQLAlchemyError:
        return []
    return [(slug, label) for slug, label in rows]
