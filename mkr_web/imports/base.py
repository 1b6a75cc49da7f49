"""The import flow every importer shares: upload → preview (stored server-side) → commit.

An importer subclasses :class:`Importer`: it names its :class:`TableSpec`, builds the
reference lookups its columns need, annotates the parsed rows (e.g. matches to existing
persons) and commits them. :func:`preview_upload` and :func:`commit_preview` do the rest:
size limit, reading, header mapping, typed validation, the preview file, and the
all-or-nothing rule (a file with any error cannot be committed; the commit runs in the
request's one transaction, so a failure leaves nothing behind).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from ..errors import ImportRefused
from ..models import StoredFile
from ..queries.reference_names import ReferenceNames
from .parse import ParsedTable, parse_cells, parse_table
from .preview import claim_preview, find_preview, read_preview, save_preview
from .spec import TableSpec


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a table is built or read: 10,000 rows make
    some 10⁶ dicts and lists, none of them cyclic garbage, and each full collection meanwhile
    walks the whole heap again (~0.3-0.5 s of a 10,000-row preview or commit). It is turned
    back on after (by whoever turned it off: nested or concurrent uses keep it right)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def with_collector_paused(func):
    """``func`` runs with the cyclic collector paused (see :func:`collector_paused`)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with collector_paused():
            return func(*args, **kwargs)

    return wrapper


def reference_lookups(tenant_id: int) -> dict:
    """The tenant's municipalities and organisations, for :class:`~.spec.Lookup` columns."""
    return {"reference": ReferenceNames(tenant_id)}


class Importer:
    spec: TableSpec
    #: False: a file with any bad row cannot be committed (all-or-nothing). True: the bad
    #: rows are shown and left out (a member list where a row is only informative).
    allow_partial: bool = False

    def lookups(self, tenant_id: int) -> dict:
        """Reference data for :class:`Lookup` columns (see :func:`reference_lookups`)."""
        return {}

    def annotate(self, tenant_id: int, table: ParsedTable, rows: list[dict]) -> None:
        """Add whatever the preview shows beside each row (e.g. ``row["match"]``); may
        append ``[column, reason]`` to ``row["errors"]``."""

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        """Write the rows (flush only) and return counts for the message. ``role`` is the
        role ``user`` acts in (workflow steps of the rows are checked against it)."""
        raise NotImplementedError


@with_collector_paused
def preview_upload(
    importer: Importer, tenant_id: int, user_id: int, upload, *, max_bytes: int
) -> StoredFile:
    if upload is None or not getattr(upload, "filename", ""):
        raise ImportRefused("Выберите файл.")
    data = upload.read(max_bytes + 1)
    table = parse_table(
        importer.spec,
        data,
        upload.filename,
        max_bytes=max_bytes,
        lookups=importer.lookups(tenant_id),
    )
    payload = preview_payload(importer, tenant_id, table, upload.filename)
    return save_preview(tenant_id, user_id, importer.spec.name, payload)


@with_collector_paused
def preview_cells(importer: Importer, tenant_id: int, cells: list[list], name: str) -> dict:
    """The preview of a table given as cells (header first), kept nowhere: the API's
    protocol rows, checked exactly as an uploaded file's."""
    table = parse_cells(importer.spec, cells, importer.lookups(tenant_id))
    return preview_payload(importer, tenant_id, table, name)


def preview_payload(importer: Importer, tenant_id: int, table: ParsedTable, filename: str) -> dict:
    """The preview's rows (values, errors, the importer's annotations) of a parsed table."""
    rows = [
        {
            "row": r.row,
            "values": importer.spec.to_json(r.values),
            "errors": [[e.column, e.reason] for e in r.errors],
        }
        for r in table.rows
    ]
    importer.annotate(tenant_id, table, rows)
    return {
        "importer": importer.spec.name,
        "filename": filename[-120:],
        "columns": table.columns,
        "notices": table.notices,
        "rows": rows,
    }


@with_collector_paused
def load_preview(importer: Importer, tenant_id: int, user_id: int, preview_id: int):
    """``(stored, payload)`` of the user's preview, or ``(None, None)``."""
    stored = find_preview(tenant_id, user_id, preview_id, importer.spec.name)
    payload = read_preview(stored) if stored is not None else None
    return (stored, payload) if payload is not None else (None, None)


def error_count(payload: dict) -> int:
    return sum(len(r["errors"]) for r in payload["rows"])


def commit_preview(
    importer: Importer,
    tenant_id: int,
    user,
    stored: StoredFile,
    payload: dict,
    decisions: dict,
    *,
    role: str,
) -> dict:
    claim_preview(stored)  # first: of two commits of this preview, one writes
    return commit_payload(importer, tenant_id, user, payload, decisions, role=role)


@with_collector_paused
def commit_payload(
    importer: Importer, tenant_id: int, user, payload: dict, decisions: dict, *, role: str
) -> dict:
    """Commit a preview's rows all or nothing (a stored preview is claimed first by
    :func:`commit_preview`; the API commits the preview it has just built)."""
    if error_count(payload) and not importer.allow_partial:
        raise ImportRefused(
            "В файле есть ошибки: исправьте их и загрузите файл заново. Ничего не загружено."
        )
    rows = [
        dict(r, values=importer.spec.from_json(r["values"]))
        for r in payload["rows"]
        if not r["errors"]
    ]
    return importer.commit(tenant_id, rows, decisions, user, role=role)
