"""Preparing a database for Citus (issue 14, item 6): the primary keys of the distributed
tables become ``(tenant_id, …)``.

The models keep ``PRIMARY KEY (id)`` (SQLite's autoincrement needs a one-column INTEGER
PRIMARY KEY, and the ids come from one sequence per table, unique across tenants). Citus wants
every primary key and unique key of a distributed table to include the distribution column.
Foreign keys between distributed tables already refer to ``UNIQUE (tenant_id, id)``
(``models.base.tenant_fk``), not to the primary key, so the swap leaves them as they are.
PostgreSQL only, run after ``flask db upgrade``. The models do not follow the swap and Alembic
does not compare primary keys (``flask db check`` still passes): a later migration that
rebuilds a table must keep its key."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..models.distribution import REFERENCE, distributed_tables


@dataclass
class KeySwap:
    """What :func:`swap_primary_keys` did (or, dry, would do)."""

    statements: list[str] = field(default_factory=list)
    done_before: list[str] = field(default_factory=list)  # tables whose key had tenant_id
    not_distributable: list[str] = field(default_factory=list)  # tenant_id missing or nullable


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def swap_primary_keys(connection: sa.Connection, metadata: sa.MetaData, *, dry_run=False):
    """``PRIMARY KEY (id)`` → ``PRIMARY KEY (tenant_id, id)`` (an association table's
    ``(a_id, b_id)`` → ``(tenant_id, a_id, b_id)``) on every distributed table of the connected
    PostgreSQL database whose ``tenant_id`` is NOT NULL; one transaction (the caller's).
    Tables already swapped are left alone, so it can run again."""
    if connection.dialect.name != "postgresql":
        raise ValueError("PostgreSQL only")
    inspector = sa.inspect(connection)
    result = KeySwap()
    for table in distributed_tables(metadata):
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        tenant_id = columns.get("tenant_id")
        if tenant_id is None or tenant_id["nullable"]:
            result.not_distributable.append(table.name)
            continue
        pk = inspector.get_pk_constraint(table.name)
        if "tenant_id" in pk["constrained_columns"]:
            result.done_before.append(table.name)
            continue
        keys = ", ".join(_quote(c) for c in ["tenant_id", *pk["constrained_columns"]])
        result.statements.append(
            f"ALTER TABLE {_quote(table.name)} DROP CONSTRAINT {_quote(pk['name'])}, "
            f"ADD CONSTRAINT {_quote(pk['name'])} PRIMARY KEY ({keys})"
        )
    if not dry_run:
        for statement in result.statements:
            connection.exec_driver_sql(statement)
    return result


def citus_calls(metadata: sa.MetaData) -> list[str]:
    """The calls that distribute the tables on a Citus coordinator, after the swap: the
    reference tables first, then the distributed ones by ``tenant_id`` (co-located: same
    distribution column type), parents before children; a table that cannot be distributed
    yet is named in a comment."""
    calls = [f"SELECT create_reference_table('{name}');" for name in REFERENCE]
    for table in distributed_tables(metadata):
        tenant_id = table.c.get("tenant_id")
        if tenant_id is None or tenant_id.nullable:
            calls.append(f"-- {table.name}: not distributable yet (tenant_id may be NULL)")
        else:
            calls.append(f"SELECT create_distributed_table('{table.name}', 'tenant_id');")
    return calls
