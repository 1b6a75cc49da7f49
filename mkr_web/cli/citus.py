"""``flask --app mkr_web mkr citus-keys [--dry-run]``: before distributing the database on
Citus (after ``flask db upgrade``), the primary keys of the distributed tables include
``tenant_id``; prints what it changed and the Citus calls that follow (README "Scaling out")."""

from __future__ import annotations

import click

from ..extensions import db
from ..operations.distribution import citus_calls, swap_primary_keys


@click.command("citus-keys")
@click.option("--dry-run", is_flag=True, help="Только показать SQL, ничего не менять")
def citus_keys_cmd(dry_run: bool) -> None:
    """Первичные ключи распределяемых таблиц → (tenant_id, id) (только PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("Только для PostgreSQL.")
    with db.engine.begin() as connection:
        result = swap_primary_keys(connection, db.metadata, dry_run=dry_run)
    for statement in result.statements:
        click.echo(f"{statement};")
    verb = "Будет изменено" if dry_run else "Изменено"
    click.echo(
        f"{verb} ключей: {len(result.statements)}; уже с tenant_id: {len(result.done_before)}."
    )
    if result.not_distributable:
        click.echo(
            "Не распределяются (tenant_id нет или он может быть пуст): "
            + ", ".join(result.not_distributable)
        )
    click.echo("Затем на координаторе Citus:")
    for call in citus_calls(db.metadata):
        click.echo(call)
