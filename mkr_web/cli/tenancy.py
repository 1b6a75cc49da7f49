"""``flask mkr create-tenant`` and ``flask mkr create-user``."""

from __future__ import annotations

import click

from workflows.roles import Role

from ..operations.tenancy import create_tenant, create_user_with_role
from .commit import commit_or_fail


@click.command("create-tenant")
@click.argument("slug")
@click.option("--name", required=True, help="Название регионального проекта")
def create_tenant_cmd(slug: str, name: str) -> None:
    """Create a tenant (one regional programme)."""
    tenant = commit_or_fail(create_tenant, slug, name)
    click.echo(f"Создан проект {tenant.slug}: {tenant.name}")


@click.command("create-user")
@click.option("--tenant", "tenant_slug", help="Код проекта (не нужен для platform-admin)")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--municipality", "municipalities", multiple=True, help="Для координатора")
@click.option("--organization", help="Для организатора")
@click.option("--name", "full_name", default="", help="ФИО пользователя")
def create_user_cmd(tenant_slug, email, password, role, municipalities, organization, full_name):
    """Create a user (or reuse one by e-mail) and grant a role."""
    role = Role(role)
    if role is not Role.PLATFORM_ADMIN and not tenant_slug:
        raise click.UsageError("--tenant is required for a tenant role")
    user, changed = commit_or_fail(
        create_user_with_role,
        tenant_slug,
        email,
        password,
        role,
        municipality_names=list(municipalities),
        organization_name=organization,
        full_name=full_name,
    )
    click.echo(f"{'Готово' if changed else 'Без изменений'}: {user.email} — {role.value}")
