"""Reference data as the current user may see it: municipalities, organisations, users, tenants."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from workflows.roles import Role

from ..extensions import db
from ..models import Membership, Municipality, Organization, OrganizationKind, Tenant, User


def municipality_ids_for(membership: Membership) -> list[int] | None:
    """The municipalities a membership is limited to; None means the whole tenant."""
    if membership.role is Role.COORDINATOR:
        return [m.id for m in membership.municipalities]
    return None


def organizations_for(membership: Membership) -> sa.Select:
    q = sa.select(Organization).where(Organization.tenant_id == membership.tenant_id)
    ids = municipality_ids_for(membership)
    if ids is not None:
        q = q.where(Organization.municipality_id.in_(ids))
    if membership.role is Role.ORGANIZER:
        q = q.where(Organization.id == membership.organization_id)
    return q


def municipalities_with_counts(tenant_id: int) -> list:
    """Municipalities with their organisation counts (one grouped query)."""
    counts = (
        sa.select(Organization.municipality_id, sa.func.count().label("n"))
        .where(Organization.tenant_id == tenant_id)
        .group_by(Organization.municipality_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Municipality, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.municipality_id == Municipality.id)
        .where(Municipality.tenant_id == tenant_id)
        .order_by(Municipality.sort_order, Municipality.name)
    ).all()


def municipalities_of(tenant_id: int) -> list[Municipality]:
    return list(
        db.session.scalars(
            sa.select(Municipality)
            .where(Municipality.tenant_id == tenant_id)
            .order_by(Municipality.sort_order, Municipality.name)
        )
    )


def organizations_of(
    tenant_id: int,
    *,
    municipality_id: int | None = None,
    kinds: list[OrganizationKind] | None = None,
    exclude_kinds: list[OrganizationKind] | None = None,
) -> list[Organization]:
    """A tenant's organisations by name (of one municipality, of some kinds)."""
    q = sa.select(Organization).where(Organization.tenant_id == tenant_id)
    if municipality_id is not None:
        q = q.where(Organization.municipality_id == municipality_id)
    if kinds:
        q = q.where(Organization.kind.in_(kinds))
    if exclude_kinds:
        q = q.where(Organization.kind.not_in(exclude_kinds))
    return list(db.session.scalars(q.order_by(Organization.name)))


@functools.cache
def _tenant_counts_statement() -> sa.Select:
    """Built once per process (parameter ``t``): building it cost as much as running it."""
    t = sa.bindparam("t", type_=sa.Integer)

    def count(model):
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.tenant_id == t)
            .scalar_subquery()
        )

    users = (
        sa.select(sa.func.count(sa.distinct(Membership.user_id)))
        .where(Membership.tenant_id == t)
        .scalar_subquery()
    )
    return sa.select(count(Municipality), count(Organization), users)


def tenant_counts(tenant_id: int) -> dict[str, int]:
    """The admin dashboard's figures: municipalities, organisations, users (one query)."""
    row = db.session.execute(_tenant_counts_statement(), {"t": tenant_id}).one()
    return dict(zip(("municipalities", "organizations", "users"), row, strict=True))


def memberships_of(tenant_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.tenant_id == tenant_id)
            .options(
                sa.orm.selectinload(Membership.user),
                sa.orm.selectinload(Membership.municipalities),
                sa.orm.selectinload(Membership.organization),
            )
            .order_by(Membership.role, Membership.id)
        )
    )


def tenants_with_user_counts() -> list:
    """Every tenant with its number of distinct users (the platform admin's list)."""
    users = (
        sa.select(Membership.tenant_id, sa.func.count(sa.distinct(Membership.user_id)).label("n"))
        .group_by(Membership.tenant_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Tenant, sa.func.coalesce(users.c.n, 0))
        .outerjoin(users, users.c.tenant_id == Tenant.id)
        .order_by(Tenant.slug)
    ).all()


def tenants_by_id(ids) -> dict[int, Tenant]:
    ids = set(ids)
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(sa.select(Tenant).where(Tenant.id.in_(ids)))}


def users_by_id(ids) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == User.normalize_email(email))
    ).scalar_one_or_none()


def database_answers() -> tuple[bool, str]:
    """The health page's database probe: (ok, dialect or error class)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return False, type(exc).__name__
    return True, db.engine.dialect.name


def certificate_by_code(code: str):
    """The certificate printed with ``code`` (the public verification page), or None."""
    from ..models import Certificate

    return db.session.execute(
        sa.select(Certificate).where(Certificate.code == code)
    ).scalar_one_or_none()


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def tenant_by_id(tenant_id: int) -> Tenant | None:
    return db.session.get(Tenant, tenant_id)


def rows_in_tenant(model, ids, tenant_id: int) -> list:
    """The ``model`` rows of ``tenant_id`` among ``ids`` (falsy ids are skipped)."""
    ids = [i for i in ids or [] if i]
    if not ids:
        return []
    return list(
        db.session.scalars(sa.select(model).where(model.tenant_id == tenant_id, model.id.in_(ids)))
    )


def organization_choices(tenant_id: int, kinds: list[OrganizationKind] | None = None) -> list:
    """``(id, name)`` of the tenant's organisations (of some kinds), by name."""
    q = sa.select(Organization.id, Organization.name).where(Organization.tenant_id == tenant_id)
    if kinds:
        q = q.where(Organization.kind.in_(kinds))
    return [tuple(r) for r in db.session.execute(q.order_by(Organization.name))]
