"""``flask mkr demo``: the demo tenant "tomsk"."""

from __future__ import annotations

import click

from ..demo import DEMO_USERS, load_demo
from .commit import commit_or_fail


@click.command("demo")
@click.option("--password", default="demo-password", show_default=True)
def demo_cmd(password: str) -> None:
    """Load the demo tenant 'tomsk' (idempotent) and print the demo logins."""
    created = commit_or_fail(load_demo, password)
    if created:
        click.echo("Создано: " + ", ".join(f"{k}={v}" for k, v in sorted(created.items())))
    else:
        click.echo("Демо-данные уже загружены: ничего не изменилось.")
    click.echo(f"Демо-входы (пароль для всех: {password}):")
    for email, role, munis, org, _ in DEMO_USERS:
        scope = ", ".join(munis) or (org or "")
        click.echo(f"  {role.value:15} {email}" + (f"  [{scope}]" if scope else ""))
