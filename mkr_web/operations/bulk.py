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
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import orjson
import psycopg
import sqlalchemy as sa
from psycopg.types.json import set_json_dumps
from sqlalchemy.dialects import postgresql

from ..errors import OperationError
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


#: Values psycopg takes as they are (checked by exact class: an enum member is not a str). In
#: a binary COPY a dict or a list too: psycopg writes it to its JSON column with :func:`_json`.
_AS_IS = frozenset({str, int, float, bool, type(None), date, datetime})
_AS_IS_BINARY = _AS_IS | {dict, list}


def _json(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return _json(value).decode()
    return value


def _binary_types(table: sa.Table, columns: Sequence[str]) -> list[str] | None:
    """psycopg's names of the columns' PostgreSQL types, for a binary COPY; None when one of
    them is a type this does not map (the rows then travel as text). Binary rows cost psycopg
    a fifth of the text ones to write (10,000 person rows: ~40 → ~6 ms) and the server less
    to read."""
    names = []
    for column in columns:
        t = table.c[column].type
        if isinstance(t, sa.Enum):
            name = None if t.native_enum else "varchar"
        elif isinstance(t, sa.String):
            name = "text" if isinstance(t, sa.Text) else "varchar"
        elif isinstance(t, sa.Boolean):
            name = "bool"
        elif isinstance(t, sa.Integer):
            name = {sa.BigInteger: "int8", sa.SmallInteger: "int2"}.get(type(t), "int4")
        elif isinstance(t, sa.DateTime):
            name = "timestamptz" if t.timezone else "timestamp"
        elif isinstance(t, sa.Date):
            name = "date"
        elif isinstance(t, sa.JSON):
            name = "jsonb" if isinstance(t, postgresql.JSONB) else "json"
        else:
            name = None
        if name is None:
            return None
        names.append(name)
    return names


def _references(table: sa.Table, columns: Sequence[str]) -> list | None:
    """The table's foreign keys as ``(constraint, positions of its columns in columns)``; None
    when one of them has a column the rows leave to a server default (not checked here)."""
    out = []
    for fk in table.foreign_key_constraints:
        names = [c.name for c in fk.columns]
        if any(n not in columns for n in names):
            if any(table.c[n].server_default is not None for n in names if n not in columns):
                return None
            continue  # a column left out is NULL: MATCH SIMPLE checks nothing
        out.append((fk, tuple(columns.index(n) for n in names)))
    return out


#: Per database URL: whether this session may turn foreign-key triggers off for a COPY.
_MAY_DEFER: dict[str, bool] = {}
#: Per table: whether it has triggers of its own (then its rows always go through them).
_OWN_TRIGGERS: dict[str, bool] = {}


def _may_check_in_bulk(cursor, table: sa.Table) -> bool:
    """Whether the rows of ``table`` may be copied with PostgreSQL's per-row foreign-key
    triggers off (``session_replication_role = replica``, for the COPY only) and their
    references checked in bulk instead (:func:`_check_references`): the database user may
    set that parameter (a superuser, or ``GRANT SET ON PARAMETER session_replication_role``
    on PostgreSQL 15+), and the table has no trigger of its own, which replica mode would
    skip too."""
    url = db.session.get_bind().url.render_as_string(hide_password=True)
    if url not in _MAY_DEFER:
        version = int(cursor.execute("SHOW server_version_num").fetchone()[0])
        may = "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        if version >= 150000:
            may += " OR has_parameter_privilege('session_replication_role', 'SET')"
        _MAY_DEFER[url] = bool(cursor.execute(f"SELECT {may}").fetchone()[0])
    if not _MAY_DEFER[url]:
        return False
    if table.name not in _OWN_TRIGGERS:
        _OWN_TRIGGERS[table.name] = bool(
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                (table.name,),
            ).fetchone()[0]
        )
    return not _OWN_TRIGGERS[table.name]


def listed_keys(types: Sequence, keys: Iterable[tuple]):
    """``keys`` (tuples of values of ``types``: strings, numbers, dates) as a derived table of
    columns ``k0``, ``k1``… to join with (PostgreSQL): sent as one JSON document, which
    orjson writes in one go (10,000 names: ~10 ms joined; as a PostgreSQL array, which
    psycopg writes value by value, ~30 ms; as bound values, ~120 ms)."""
    parts = [f"k{i}" for i in range(len(types))]
    doc = _json([dict(zip(parts, k, strict=True)) for k in keys]).decode()
    listed = sa.func.json_to_recordset(
        sa.cast(sa.bindparam(None, doc, type_=sa.Text), postgresql.JSON)
    ).table_valued(*(sa.column(p, t) for p, t in zip(parts, types, strict=True)))
    return listed.render_derived(name="listed", with_types=True)


def _check_references(table: sa.Table, references: list, keys: list[set]) -> None:
    """What PostgreSQL's foreign-key triggers check row by row, once per foreign key: every
    distinct key the new rows hold exists in the referenced table, and is locked ``FOR KEY
    SHARE`` until the transaction ends, so that no one deletes it meanwhile. A missing one
    refuses the whole operation (the caller's transaction rolls back: nothing is written)."""
    for (fk, _positions), wanted in zip(references, keys, strict=True):
        if not wanted:
            continue
        target = fk.referred_table
        referred = [e.column for e in fk.elements]
        listed = listed_keys([c.type for c in referred], wanted)
        found = db.session.execute(
            sa.select(*referred)
            .join_from(
                target, listed, sa.and_(*(c == k for c, k in zip(referred, listed.c, strict=True)))
            )
            .with_for_update(read=True, key_share=True, of=target)
        ).all()
        missing = wanted - {tuple(r) for r in found}
        if missing:
            key = sorted(missing, key=repr)[0]
            raise OperationError(
                f"Запись не сохранена: в таблице {target.name} нет строки "
                f"({', '.join(c.name for c in referred)}) = {key}, на которую она ссылается "
                "(её удалили, пока шла запись). Ничего не записано; повторите действие."
            )


def insert_rows(model, rows: Iterable[dict], columns: Sequence[str] | None = None) -> None:
    """Insert ``rows`` (dicts keyed by column name) into ``model``'s table. With ``columns``
    (the rows' keys) ``rows`` may be any iterable: on PostgreSQL each row is made while the
    ones before it travel and are stored (COPY streams, in the binary format where every
    column's type is known: :func:`_binary_types`). The tenants of the rows are noted
    for the report's snapshots (:func:`.report_versions.note_rows`: stale at commit).

    Foreign keys, on PostgreSQL where the session may (:func:`_may_check_in_bulk`): its
    per-row triggers are off for the COPY only, and each key is checked once for all the
    rows after it (:func:`_check_references`), with the same guarantee: a reference to a
    missing row refuses everything, and the rows referred to stay locked until the commit.
    10,000 persons imported hold ~75,000 references to some ten distinct rows; checking them
    one by one was a third of the import's commit."""
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
    columns = list(columns)
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise KeyError(f"{table.name} has no column {unknown[0]}")
    names = ", ".join(f'"{c}"' for c in columns)
    types = _binary_types(table, columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    set_json_dumps(_json, context=cursor)
    references = _references(table, columns)
    in_bulk = references is not None and _may_check_in_bulk(cursor, table)
    keys: list[set] = [set() for _ in references or ()]
    checks = list(zip((positions for _fk, positions in references or ()), keys, strict=True))
    binary = " (FORMAT BINARY)" if types else ""
    as_is = _AS_IS_BINARY if types else _AS_IS
    if in_bulk:
        cursor.execute("SET LOCAL session_replication_role = replica")
    statement = f'COPY "{table.name}" ({names}) FROM STDIN{binary}'
    tenants = set()
    try:
        with cursor.copy(statement) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                tenants.add(row.get("tenant_id"))
                values = [
                    v if v.__class__ in as_is else _plain(v) for v in map(row.__getitem__, columns)
                ]
                copy.write_row(values)
                if in_bulk:
                    for positions, seen in checks:
                        key = tuple(values[i] for i in positions)
                        if None not in key:
                            seen.add(key)
    except psycopg.IntegrityError as exc:  # as SQLAlchemy raises it for its own statements
        raise sa.exc.IntegrityError(statement, None, exc) from None
    if in_bulk:  # (after a failure the transaction rolls back, and this setting with it)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        _check_references(table, references, keys)
    note_rows(model, [{"tenant_id": t} for t in tenants])
