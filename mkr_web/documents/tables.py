"""Tabular exports (XLSX with openpyxl, CSV) with spreadsheet formula injection neutralised
(see :func:`safe_cell` for the rule)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .formats import XLSX_DATE, XLSX_DATETIME, XLSX_DECIMAL, XLSX_INTEGER

# What makes a spreadsheet read a cell as a formula: its first character (after leading
# blanks), in ASCII or full width (some locales of Excel accept the latter).
FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
ALWAYS_FORMULA = frozenset("=@\t\r\n\uff1d\uff20")
# Phone numbers (a comma-separated list of them) or a lone dash/signed number: digits and the
# punctuation people write in phone numbers; a ``+`` only at the start of each number. With no
# letter, quote, ``!``, ``|`` or ``:`` there is no function, cell reference or DDE call.
PHONE_LIKE = re.compile(r"[+\-]?[0-9 ()\-./]*(?:[,;] *\+?[0-9 ()\-./]*)*")


def safe_cell(value):
    """The value to write: numbers and dates stay typed, text that a spreadsheet would
    evaluate gets a leading apostrophe (shown as text, never evaluated).

    The rule (OWASP "CSV injection"): a text whose first non-blank character is ``=`` or
    ``@`` (or a tab, CR, LF, or their full-width forms) is always quoted; one that starts with
    ``+`` or ``-`` is quoted unless it is phone-like: made only of digits, spaces and
    ``( ) - . /``, with a ``+`` only at the start of each number of a comma-separated list.
    So ``+7 (913) 123-45-67``, ``+7 913 000-00-00, +7 3822 12-34-56``, ``-`` and ``-5`` stay
    as they are, while ``-2+3``, ``+cmd|' /C calc'!A0`` or ``+7 HYPERLINK(…)`` are quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, (int, float, date, datetime)):
        return value
    text = str(value)
    head = text.lstrip(" \u00a0")
    if not head or head[0] not in FORMULA_START:
        return text
    if head[0] in ALWAYS_FORMULA or not PHONE_LIKE.fullmatch(head):
        return "'" + text
    return text


def display_format(value) -> str | None:
    """The XLSX display format of a typed cell: grouped thousands, two decimals, Russian dates
    (a spreadsheet shows the separators of its reader's locale: a comma and a space in Russian)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, date, datetime)):
        return None
    if isinstance(value, datetime):
        return XLSX_DATETIME
    if isinstance(value, date):
        return XLSX_DATE
    return XLSX_INTEGER if isinstance(value, int) else XLSX_DECIMAL


def add_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence]):
    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [safe_cell(v) for v in row]
        ws.append(values)
        for cell, v in zip(ws[ws.max_row], values, strict=False):
            if fmt := display_format(v):
                cell.number_format = fmt
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = max(widths[i], min(len(str(v)), 60))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w + 2
    ws.freeze_panes = "A2"
    return ws


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    wb = new_workbook()
    add_sheet(wb, title, headers, rows)
    return workbook_bytes(wb)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence], delimiter: str = ";") -> bytes:
    """UTF-8 with BOM and ';' so that Excel in a Russian locale opens it as is."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_value(value):
    v = safe_cell(value)
    if isinstance(v, (date, datetime)):
        return v.strftime("%d.%m.%Y")
    return v


def xlsx_stream_bytes(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int] | None = None,
) -> bytes:
    """Like :func:`xlsx_bytes` for large tables: openpyxl's write-only mode (rows are not
    kept in memory; column widths are given, not measured). Cells go through
    :func:`safe_cell` all the same."""
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, width in enumerate(widths or [len(str(h)) + 2 for h in headers], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(h))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_typed_cell(ws, safe_cell(v), WriteOnlyCell) for v in row])
    return workbook_bytes(wb)


def _typed_cell(ws, value, cell_class):
    fmt = display_format(value)
    if fmt is None:
        return value
    cell = cell_class(ws, value=value)
    cell.number_format = fmt
    return cell
