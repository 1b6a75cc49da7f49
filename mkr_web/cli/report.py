"""``flask --app mkr_web mkr report SLUG YEAR --format json|xlsx|pdf --out FILE``: the annual
report written to a file, from the same dict as the web pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..documents.formats import counted
from ..documents.report_outputs import WRITERS
from ..extensions import db
from ..models import Municipality, Tenant
from ..operations.report_snapshot import report_for


@click.command("report")
@click.argument("slug")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option(
    "--format", "fmt", type=click.Choice(sorted(WRITERS)), default="json", show_default=True
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Файл для записи (- : стандартный вывод, только для json)",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="По состоянию на дату (ГГГГ-ММ-ДД); по умолчанию 1 января следующего года",
)
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="Справка по муниципалитету (как у координатора); можно несколько",
)
def report_cmd(slug: str, year: int, fmt: str, out: str, as_of, municipalities) -> None:
    """Build the annual analytical report of a tenant for YEAR."""
    tenant = db.session.execute(db.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise click.ClickException(f"Нет проекта с кодом «{slug}».")
    ids = None
    if municipalities:
        found = dict(
            db.session.execute(
                db.select(Municipality.name, Municipality.id).where(
                    Municipality.tenant_id == tenant.id, Municipality.name.in_(municipalities)
                )
            ).all()
        )
        missing = [m for m in municipalities if m not in found]
        if missing:
            raise click.ClickException(f"Нет муниципалитета: {', '.join(missing)}.")
        ids = list(found.values())
    as_of_date: date | None = as_of.date() if as_of else None
    data = WRITERS[fmt](report_for(tenant.id, year, as_of_date, ids))
    if out == "-":
        if fmt != "json":
            raise click.UsageError("В стандартный вывод пишется только json.")
        click.echo(data.decode("utf-8"))
        return
    Path(out).write_bytes(data)
    click.echo(f"Записано: {out} ({counted(len(data), 'байт', 'байта', 'байт')})")
