"""Creating tenants, users, memberships and reference data. Used by the CLI and the views."""

from __future__ import annotations

import re

from workflows.roles import Role

from ..errors import OperationError
from ..extensions import db
from ..models import Membership, Municipality, Organization, OrganizationKind, Tenant, User
from ..queries.reference_names import ReferenceNames, name_key
from .audit import record
from .passwords import password_problems
from .reference import TakenNames, clean_aliases, refuse_taken, set_organization_aliases

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def create_tenant(slug: str, name: str, *, actor=None) -> Tenant:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise OperationError(
            "Код проекта: латинские строчные буквы, цифры и дефис, 2–40 символов, с буквы."
        )
    if not (name or "").strip():
        raise OperationError("Укажите название проекта.")
    if db.session.execute(db.select(Tenant.id).where(Tenant.slug == slug)).first():
        raise OperationError(f"Проект с кодом «{slug}» уже существует.")
    tenant = Tenant(slug=slug, name=name.strip(), settings={})
    db.session.add(tenant)
    db.session.flush()
    record("tenant.create", tenant, tenant_id=tenant.id, user=actor)
    return tenant


def get_or_create_user(email: str, password: str | None, full_name: str = "") -> tuple[User, bool]:
    email_n = User.normalize_email(email)
    if not email_n or "@" not in email_n:
        raise OperationError("Укажите корректный адрес электронной почты.")
    user = db.session.execute(db.select(User).where(User.email == email_n)).scalar_one_or_none()
    if user is not None:
        return user, False
    problems = password_problems(password or "", email_n)
    if problems:
        raise OperationError(" ".join(problems))
    user = User(email=email_n, full_name=full_name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user, True


def _by_names(model, tenant: Tenant, names: list[str]) -> list:
    """Reference rows by the names a command typed, matched like every import (DOMAIN 8.5)."""
    reference = ReferenceNames(tenant.id)
    rows = []
    for name in names:
        if model is Municipality:
            found, what = reference.municipality(name), "муниципалитет"
        else:
            found, what = reference.organization(name), "организация"
        if found.id is None:
            reason = found.reason(what, name)
            raise OperationError(reason[0].upper() + reason[1:] + ".")
        rows.append(db.session.get(model, found.id))
    return rows


def grant_role(
    user: User,
    tenant: Tenant,
    role: Role,
    *,
    municipalities: list[Municipality] | None = None,
    organization: Organization | None = None,
    actor=None,
) -> tuple[Membership, bool]:
    """Give ``user`` a role in ``tenant``; idempotent (returns the existing membership)."""
    check_scope(tenant, role, municipalities, organization)
    existing = db.session.execute(
        db.select(Membership).where(
            Membership.user_id == user.id,
            Membership.tenant_id == tenant.id,
            Membership.role == role,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    membership = Membership(
        user=user,
        tenant=tenant,
        role=role,
        # an organiser's organisation; an expert's place of work (who they may not review)
        organization=organization if role in (Role.ORGANIZER, Role.EXPERT) else None,
        municipalities=list(municipalities or []) if role is Role.COORDINATOR else [],
    )
    db.session.add(membership)
    db.session.flush()
    record(
        "membership.create",
        membership,
        tenant_id=tenant.id,
        user=actor,
        role=role.value,
        member_id=user.id,
    )
    return membership, True


def check_scope(
    tenant: Tenant,
    role: Role,
    municipalities: list[Municipality] | None,
    organization: Organization | None,
) -> None:
    """Refuse a role whose scope is missing or belongs to another tenant."""
    if role is Role.PLATFORM_ADMIN:
        raise OperationError("Роль администратора платформы не относится к проекту.")
    if role is Role.COORDINATOR and not municipalities:
        raise OperationError("Координатору нужен хотя бы один муниципалитет.")
    if role is Role.ORGANIZER and organization is None:
        raise OperationError("Организатору нужна организация.")
    for m in municipalities or []:
        if m.tenant_id != tenant.id:
            raise OperationError("Муниципалитет другого проекта.")
    if organization is not None and organization.tenant_id != tenant.id:
        raise OperationError("Организация другого проекта.")


def create_user_with_role(
    tenant_slug: str | None,
    email: str,
    password: str | None,
    role: Role,
    *,
    municipality_names: list[str] = (),
    organization_name: str | None = None,
    full_name: str = "",
    actor=None,
) -> tuple[User, bool]:
    """The CLI's and admin page's one entry: create (or reuse) the user and grant the role."""
    user, created = get_or_create_user(email, password, full_name)
    if role is Role.PLATFORM_ADMIN:
        changed = not user.is_platform_admin
        user.is_platform_admin = True
        return user, created or changed
    tenant = db.session.execute(
        db.select(Tenant).where(Tenant.slug == tenant_slug)
    ).scalar_one_or_none()
    if tenant is None:
        raise OperationError(f"Проект «{tenant_slug}» не найден.")
    munis = _by_names(Municipality, tenant, list(municipality_names))
    org = _by_names(Organization, tenant, [organization_name])[0] if organization_name else None
    _, granted = grant_role(user, tenant, role, municipalities=munis, organization=org, actor=actor)
    return user, created or granted


def create_organization(
    tenant: Tenant,
    name: str,
    kind: OrganizationKind,
    municipality: Municipality | None,
    *,
    is_regional_subordination: bool = False,
    aliases=(),
    taken: TakenNames | None = None,
    flush: bool = True,
) -> Organization:
    """``flush=False`` (a bulk import): the row is added but neither flushed nor audited;
    the caller flushes once and audits each (see :mod:`imports.reference`)."""
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("Укажите название организации.")
    if municipality is not None and municipality.tenant_id != tenant.id:
        raise OperationError("Муниципалитет другого проекта.")
    aliases = [a for a in clean_aliases(aliases) if name_key(a) != name_key(name)]
    refuse_taken(Organization, tenant.id, [name, *aliases], None, taken)
    org = Organization(
        tenant_id=tenant.id,
        name=name,
        kind=kind,
        municipality=municipality,
        is_regional_subordination=is_regional_subordination,
        aliases=aliases,
    )
    db.session.add(org)
    if not flush:
        if taken is not None:
            taken.take([name, *aliases], org, name)  # no id yet: the row itself
        return org
    db.session.flush()
    if taken is not None:
        taken.take([name, *aliases], org.id, name)
    record("organization.create", org, tenant_id=tenant.id, aliases=aliases)
    return org


def update_organization(
    org: Organization,
    name: str,
    kind: OrganizationKind,
    municipality: Municipality | None,
    *,
    is_regional_subordination: bool = False,
    aliases=None,
    taken: TakenNames | None = None,
) -> Organization:
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("Укажите название организации.")
    if municipality is not None and municipality.tenant_id != org.tenant_id:
        raise OperationError("Муниципалитет другого проекта.")
    refuse_taken(Organization, org.tenant_id, [name], org.id, taken)
    old = org.name
    org.name = name
    org.kind = kind
    org.municipality = municipality
    org.is_regional_subordination = is_regional_subordination
    record("organization.update", org, old_name=old, name=name)
    db.session.flush()
    aliases = list(org.aliases or []) if aliases is None else list(aliases)
    if old != name:  # the former name still matches old files
        aliases.append(old)
    set_organization_aliases(org, aliases, taken)
    return org
