"""Parsing an uploaded table against a :class:`TableSpec`: size limit, header mapping,
typed cells, row checks. The result names every error by row number, column and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..documents.formats import counted
from ..errors import ImportRefused, RowError
from .limits import ReadLimits
from .reader import read_rows
from .spec import CellError, Column, TableSpec, normalize_header


@dataclass
class ParsedRow:
    row: int
    values: dict
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedTable:
    spec: TableSpec
    rows: list[ParsedRow]
    notices: list[str]
    columns: list[str]  # keys of the columns found in the file

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]


def map_headers(spec: TableSpec, header: list) -> tuple[dict[int, Column], list[str]]:
    """Position → column; refuses duplicates and missing required columns."""
    by_name: dict[str, Column] = {}
    for col in spec.columns:
        for n in col.names():
            by_name[n] = col
    mapping: dict[int, Column] = {}
    notices: list[str] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(header):
        if raw is None or str(raw).strip() == "":
            continue
        col = by_name.get(normalize_header(raw))
        if col is None:
            notices.append(f"Столбец «{str(raw)[:60]}» не распознан и пропущен.")
            continue
        if col.key in seen:
            raise ImportRefused(
                f"Столбец «{col.title}» встречается дважды («{seen[col.key]}» и «{str(raw)[:60]}»)."
            )
        seen[col.key] = str(raw)[:60]
        mapping[i] = col
    missing = [c.title for c in spec.columns if c.required and c.key not in seen]
    if missing:
        raise ImportRefused(
            "Не найдены обязательные столбцы: "
            + ", ".join(f"«{m}»" for m in missing)
            + ". Проверьте заголовки в первой строке или скачайте шаблон."
        )
    return mapping, notices


def parse_table(
    spec: TableSpec, data: bytes, filename: str, *, max_bytes: int, lookups: dict | None = None
) -> ParsedTable:
    if len(data) > max_bytes:
        raise ImportRefused(
            f"Файл больше допустимого размера ({max_bytes // 1024} КБ): разделите его на части."
        )
    rows_iter = read_rows(data, filename, ReadLimits.for_rows(spec.max_rows))
    return parse_cells(spec, rows_iter, lookups)


def parse_cells(spec: TableSpec, rows_iter, lookups: dict | None = None) -> ParsedTable:
    """Parse a table given as rows of cells (the header first): what a file becomes once
    read, and what the API sends as JSON rows."""
    lookups = lookups or {}
    rows_iter = iter(rows_iter)
    header, header_row = None, 0
    for cells in rows_iter:
        header_row += 1
        if any(c is not None for c in cells):
            header = cells
            break
    if header is None:
        raise ImportRefused("В файле нет строки заголовков.")
    mapping, notices = map_headers(spec, header)
    order = {c.key: n for n, c in enumerate(spec.columns)}
    ordered = sorted(mapping.items(), key=lambda item: order[item[1].key])

    parsed: list[ParsedRow] = []
    for row_no, cells in enumerate(rows_iter, start=header_row + 1):
        if not any(c is not None for c in cells):
            continue
        if len(parsed) >= spec.max_rows:
            raise ImportRefused(
                f"В файле больше {counted(spec.max_rows, 'строки', 'строк', 'строк')}: "
                "разделите его на части."
            )
        prow = ParsedRow(row_no, {})
        lookups["row"] = prow.values  # a lookup may read a column parsed before it
        for i, col in ordered:
            raw = cells[i] if i < len(cells) else None
            if raw is None:
                if col.required:
                    prow.errors.append(RowError(row_no, col.title, "не заполнено"))
                prow.values[col.key] = None
                continue
            try:
                prow.values[col.key] = col.type.parse(raw, lookups)
            except CellError as exc:
                prow.values[col.key] = None
                prow.errors.append(RowError(row_no, col.title, str(exc)))
        for col in spec.columns:
            prow.values.setdefault(col.key, None)
        if not prow.errors:
            for check in spec.row_checks:
                for key, reason in check(prow.values):
                    title = spec.column(key).title if key else ""
                    prow.errors.append(RowError(row_no, title, reason))
        parsed.append(prow)
    if not parsed:
        raise ImportRefused("В файле нет строк с данными.")
    return ParsedTable(spec, parsed, notices, [c.key for c in mapping.values()])
