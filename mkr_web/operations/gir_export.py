"""The export for the federal register of gifted youth (ГИР): Residents with their
achievements of a year, keyed by СНИЛС, as XLSX, CSV or JSON.

The layout is :data:`GIR_SPEC`, one declarative list of columns (key, title, required, how
the value is read from a :class:`~mkr_web.queries.gir.GirRecord`). A record missing a
required value is not exported: it is listed in ``errors`` with the columns it lacks (the
operator completes the card and exports again), never dropped silently.

JSON: ``{"year", "columns": [{"key", "title", "required"}], "rows": [{key: value}],
"errors": [{"person_id", "person", "event", "missing": [keys]}]}``; XLSX: sheets «ГИР» and
«Ошибки»; CSV: the rows only (UTF-8 with BOM, ``;``), the errors in the JSON or the XLSX.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..documents.tables import add_sheet, csv_bytes, new_workbook, workbook_bytes
from ..models import AchievementLevel
from ..queries.gir import GirRecord, gir_records
from .audit import record
from .snils import formatted


@dataclass(frozen=True)
class GirColumn:
    key: str
    title: str
    required: bool
    value: Callable[[GirRecord], object]


GIR_SPEC: tuple[GirColumn, ...] = (
    GirColumn("snils", "СНИЛС", True, lambda r: formatted(r.snils)),
    GirColumn("surname", "Фамилия", True, lambda r: r.surname),
    GirColumn("name", "Имя", True, lambda r: r.name),
    GirColumn("patronymic", "Отчество", False, lambda r: r.patronymic),
    GirColumn("birth_on", "Дата рождения", True, lambda r: r.birth_on),
    GirColumn("event", "Мероприятие", True, lambda r: r.event),
    GirColumn(
        "level",
        "Уровень",
        True,
        lambda r: AchievementLevel(r.level).title_ru if r.level else None,
    ),
    GirColumn("result", "Результат", True, lambda r: r.result),
    GirColumn("achieved_on", "Дата", True, lambda r: r.achieved_on),
)
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@dataclass(frozen=True)
class GirExport:
    year: int
    rows: list[dict]  # key -> value, in GIR_SPEC's order
    errors: list[dict]


def build(year: int, records: list[GirRecord]) -> GirExport:
    rows, errors = [], []
    for r in records:
        values = {c.key: c.value(r) for c in GIR_SPEC}
        missing = [c.key for c in GIR_SPEC if c.required and values[c.key] in (None, "")]
        if missing:
            errors.append(
                {
                    "person_id": r.person_id,
                    "person": " ".join(p for p in (r.surname, r.name, r.patronymic) if p),
                    "event": r.event,
                    "missing": missing,
                }
            )
        else:
            rows.append(values)
    return GirExport(year, rows, errors)


def _json_value(v):
    return v.isoformat() if isinstance(v, date) else v


def as_json(export: GirExport) -> dict:
    return {
        "year": export.year,
        "columns": [{"key": c.key, "title": c.title, "required": c.required} for c in GIR_SPEC],
        "rows": [{k: _json_value(v) for k, v in row.items()} for row in export.rows],
        "errors": export.errors,
    }


def render(export: GirExport, fmt: str) -> bytes:
    headers = [c.title for c in GIR_SPEC]
    table = [[row[c.key] for c in GIR_SPEC] for row in export.rows]
    if fmt == "json":
        return json.dumps(as_json(export), ensure_ascii=False).encode()
    if fmt == "csv":
        return csv_bytes(headers, table)
    titles = {c.key: c.title for c in GIR_SPEC}
    wb = new_workbook()
    add_sheet(wb, "ГИР", headers, table)
    add_sheet(
        wb,
        "Ошибки",
        ["Персона (id)", "ФИО", "Достижение", "Не хватает"],
        [
            [e["person_id"], e["person"], e["event"], ", ".join(titles[k] for k in e["missing"])]
            for e in export.errors
        ],
    )
    return workbook_bytes(wb)


def export_gir(tenant_id: int, year: int, fmt: str) -> tuple[GirExport, bytes]:
    """The year's export in ``fmt``, audited (the counts, never the values)."""
    export = build(year, gir_records(tenant_id, year))
    record(
        "person.gir_export",
        None,
        tenant_id=tenant_id,
        year=year,
        format=fmt,
        rows=len(export.rows),
        errors=len(export.errors),
    )
    return export, render(export, fmt)
