"""Shared column helpers for the models."""

from __future__ import annotations

import enum
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], name: str, **kw) -> sa.Enum:
    """A portable enum column: VARCHAR + named CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kw,
    )


class TenantScoped:
    """Mixin: a row that belongs to exactly one tenant (indexed; every query filters on it)."""

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )


def tenant_key() -> sa.UniqueConstraint:
    """``UNIQUE (tenant_id, id)``: what a distributed child's foreign key refers to (PostgreSQL
    wants a unique key on the referenced columns; the primary key stays ``id``, see
    tests/unit/test_distribution.py)."""
    return sa.UniqueConstraint("tenant_id", "id")


def tenant_fk(column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """``(column, tenant_id) -> target (id, tenant_id)``: a reference within one tenant, which
    a distributed PostgreSQL (Citus, by ``tenant_id``) checks on one node. MATCH SIMPLE: a NULL
    ``column`` is not checked. Named by the convention after ``column``, as the one-column key
    it replaces (``fk_<table>_<column>_<target>``).

    ``SET NULL`` clears ``column`` only (PostgreSQL 15: ``SET NULL (column)``), never the
    NOT NULL ``tenant_id``; SQLite knows no column list and renders plain ``SET NULL``
    (its foreign keys are not enforced here, see :func:`_sqlite_foreign_key`).

    The relationship along such a key joins on the id alone (``primaryjoin`` and
    ``foreign_keys`` on ``column``): the ORM then never writes ``tenant_id`` from a related
    object, and a many-to-one still loads from the identity map by primary key."""
    if ondelete == "SET NULL":
        ondelete = f"SET NULL ({column})"
    return sa.ForeignKeyConstraint(
        [column, "tenant_id"], [f"{target}.id", f"{target}.tenant_id"], ondelete=ondelete
    )


def tenant_link(name: str, left: tuple[str, str], right: tuple[str, str]) -> sa.Table:
    """An association of two rows of one tenant (``secondary=`` of a relationship): the pair
    ``(left column, right column)`` is the key, ``tenant_id`` is the rows' tenant and part of
    both foreign keys (``CASCADE``: the link goes with either row). The relationship's joins
    follow the composite keys, so the ORM fills ``tenant_id`` from the rows it links."""
    (left_column, left_table), (right_column, right_table) = left, right
    return sa.Table(
        name,
        db.metadata,
        sa.Column(left_column, sa.Integer, primary_key=True),
        sa.Column(right_column, sa.Integer, primary_key=True),
        sa.Column(
            "tenant_id",
            sa.ForeignKey("tenant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        tenant_fk(left_column, left_table, "CASCADE"),
        tenant_fk(right_column, right_table, "CASCADE"),
    )


def _plain_ondelete(ondelete: str | None) -> str | None:
    """``SET NULL (column)`` → ``SET NULL``: what a backend without column lists knows."""
    return ondelete.split("(")[0].strip() if ondelete and "(" in ondelete else ondelete


@compiles(sa.ForeignKeyConstraint, "sqlite")
def _sqlite_foreign_key(constraint, compiler, **kw):
    ondelete = constraint.ondelete
    constraint.ondelete = _plain_ondelete(ondelete)
    try:
        return compiler.visit_foreign_key_constraint(constraint, **kw)
    finally:
        constraint.ondelete = ondelete


@contextmanager
def plain_ondelete_for(dialect_name: str, metadata: sa.MetaData):
    """While comparing models and database on a backend other than PostgreSQL (Alembic's
    ``flask db check``): the models' ``SET NULL (column)`` read as the ``SET NULL`` that
    backend reflects."""
    if dialect_name == "postgresql":
        yield
        return
    saved = [
        (fk, fk.ondelete)
        for table in metadata.tables.values()
        for fk in table.foreign_key_constraints
        if fk.ondelete and "(" in fk.ondelete
    ]
    for fk, ondelete in saved:
        fk.ondelete = _plain_ondelete(ondelete)
    try:
        yield
    finally:
        for fk, ondelete in saved:
            fk.ondelete = ondelete


INT_MAX = 2**31 - 1  # an Integer column (PostgreSQL's integer)


def parse_int(value, *, minimum: int | None = None, maximum: int | None = INT_MAX) -> int | None:
    """The one parser of numbers from outside (query strings, form fields, ids, typed cells):
    an optional minus and ASCII digits only (``str.isdigit()`` also says yes to "²" or "١٢",
    which ``int()`` then refuses or reads as another number), within ``minimum``–``maximum``
    (by default what an Integer column holds). Anything else is None: no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text.startswith("-") else text
        if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


__all__ = [
    "INT_MAX",
    "TenantScoped",
    "db",
    "enum_column",
    "parse_int",
    "tenant_fk",
    "tenant_key",
    "tenant_link",
    "utcnow",
]


def include_for_dialect(dialect_name: str):
    """Alembic's ``include_object`` for comparing models and database: an index declared for
    one dialect only (``Index(...).ddl_if(dialect=...)``, the trigram index on PostgreSQL) is
    not expected on another."""

    def include_object(obj, name, type_, reflected, compare_to):
        ddl_if = getattr(obj, "_ddl_if", None) if type_ == "index" and not reflected else None
        return not (ddl_if and ddl_if.dialect and ddl_if.dialect != dialect_name)

    return include_object
