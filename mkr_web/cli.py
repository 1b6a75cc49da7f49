"""``flask --app mkr_web mkr …``: tenants, users, the demo."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflows.roles import Role

from .extensions import db
from .operations.tenancy import OperationError, create_tenant, create_user_with_role

mkr_cli = AppGroup("mkr", help="MKR administration commands.")


def _fail(exc: Exception):
    db.session.rollback()
    raise click.ClickException(str(exc))


@mkr_cli.command("create-tenant")
@click.argument("slug")
@click.option("--name", required=True, help="Название регионального проекта")
def create_tenant_cmd(slug: str, name: str) -> None:
    """Create a tenant (one regional programme)."""
    try:
        tenant = create_tenant(slug, name)
        db.session.commit()
    except OperationError as exc:
        _fail(exc)
    click.echo(f"Создан проект {tenant.slug}: {tenant.name}")


@mkr_cli.command("create-user")
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
    try:
        user, changed = create_user_with_role(
            tenant_slug,
            email,
            password,
            role,
            municipality_names=list(municipalities),
            organization_name=organization,
            full_name=full_name,
        )
        db.session.commit()
    except OperationError as exc:
        _fail(exc)
    click.echo(f"{'Готово' if changed else 'Без изменений'}: {user.email} — {role.value}")


@mkr_cli.command("demo")
@click.option("--password", default="demo-password", show_default=True)
def demo_cmd(password: str) -> None:
    """Load the demo tenant 'tomsk' (idempotent) and print the demo logins."""
    from .demo import DEMO_USERS, load_demo

    try:
        created = load_demo(password)
        db.session.commit()
    except OperationError as exc:
        _fail(exc)
    if created:
        click.echo("Создано: " + ", ".join(f"{k}={v}" for k, v in sorted(created.items())))
    else:
        click.echo("Демо-данные уже загружены: ничего не изменилось.")
    click.echo(f"Демо-входы (пароль для всех: {password}):")
    for email, role, munis, org, _ in DEMO_USERS:
        scope = ", ".join(munis) or (org or "")
        click.echo(f"  {role.value:15} {email}" + (f"  [{scope}]" if scope else ""))


# Commands of later features register on ``mkr_cli`` from their own modules.
from . import report_cli  # noqa: E402, F401
