"""Many rows in one go, inside the caller's transaction (imports, the demo).

On PostgreSQL the rows travel by ``COPY … FROM STDIN`` (psycopg's copy protocol: no SQL text
to build and parse per batch), and new primary keys are taken from the table's sequence first
(:func:`new_ids`), so the caller knows them before the rows exist; elsewhere (SQLite) they are
an ``executemany`` INSERT. Either way a failure rolls the whole transaction back with the rest
of the caller's work: nothing is half-written.

The values are the Python values a model's columns take (enums, dicts for JSON columns, dates);
every row of one call has the same keys, and a column left out takes its server-side default
or NULL, never a Python-side ``default=``: callers give those explicitly.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import sqlalchemy as sa

from ..extensions import db
from .report_versions import note_rows


def copies() -> bool:
    """Whether this session's database takes rows by COPY (PostgreSQL through psycopg)."""
    bind = db.session.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.driver == "psycopg"


def new_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model`` from its sequence (PostgreSQL), ascending.
    The sequence is looked up once (a scalar subquery): ``pg_get_serial_sequence`` in the
    select list ran once per row, 10,000 ids took ~40 ms instead of ~5."""
    table = model.__table__.name
    return list(
        db.session.scalars(
            sa.text(
                "SELECT nextval((SELECT pg_get_serial_sequence(:table, 'id'))::regclass)"
                " FROM generate_series(1, :n)"
            ),
            {"table": table, "n": count},
        )
    )


#: Values psycopg takes as they are (checked by exact class: an enum member is not a str).
_AS_IS = frozenset({str, int, float, bool, type(None), date, datetime})


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(model, rows: Iterable[dict], columns: Sequence[str] | None = None) -> None:
    """Insert ``rows`` (dicts keyed by column name) into ``model``'s table. With ``columns``
    (the rows' keys) ``rows`` may be any iterable: on PostgreSQL each row is made while the
    ones before it travel and are stored (COPY streams). The tenants of the rows are noted
    for the report's snapshots (:func:`.report_versions.note_rows`: stale at commit)."""
    if columns is None:
        rows = list(rows)
        if not rows:
            return
        columns = list(rows[0])
    if not copies():
        rows = list(rows)
        if rows:
            note_rows(model, rows)
            db.session.execute(sa.insert(model), rows)
        return
    table = model.__table__
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise KeyError(f"{table.name} has no column {unknown[0]}")
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        tenants = set()
        for row in rows:
            tenants.add(row.get("tenant_id"))
            copy.write_row(
                [v if v.__class__ in _AS_IS else _plain(v) for v in map(row.__getitem__, columns)]
            )
    note_rows(model, [{"tenant_id": t} for t in tenants])
