"""Shared column helpers for the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
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


__all__ = ["INT_MAX", "TenantScoped", "db", "enum_column", "parse_int", "utcnow"]


def include_for_dialect(dialect_name: str):
    """Alembic's ``include_object`` for comparing models and database: an index declared for
    one dialect only (``Index(...).ddl_if(dialect=...)``, the trigram index on PostgreSQL) is
    not expected on another."""

    def include_object(obj, name, type_, reflected, compare_to):
        ddl_if = getattr(obj, "_ddl_if", None) if type_ == "index" and not reflected else None
        return not (ddl_if and ddl_if.dialect and ddl_if.dialect != dialect_name)

    return include_object
