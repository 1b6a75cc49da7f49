"""Reading a table from an uploaded file: XLSX (the workbook's parts by openpyxl, read-only;
the sheet's cells by :mod:`.sheet`) or CSV (UTF-8 or Windows-1251, ``;`` or ``,`` or tab
separated, detected). Anything else is refused with a
clear message (:class:`ImportRefused`). What a file may cost to read (zip bombs, declared
dimensions, rows, columns, cells, time) is checked before and while reading: see
:mod:`.limits`."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .limits import ReadLimits

from ..errors import ImportRefused

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportRefused(
            "Не удалось определить кодировку файла: сохраните CSV в UTF-8 или Windows-1251."
        ) from None


def detect_delimiter(text: str) -> str:
    """The separator of the header line: the most frequent of ``;``, ``,`` and tab outside
    quotes (ties favour ``;``, the Russian Excel default)."""
    first = text.split("\n", 1)[0]
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def _width(row) -> int:
    """The position of the last non-empty value (trailing empty cells do not count)."""
    for i in range(len(row) - 1, -1, -1):
        if row[i] is not None and row[i] != "":
            return i + 1
    return 0


def _csv_rows(data: bytes, limits: ReadLimits) -> Iterator[list]:
    from .limits import RowGuard

    guard = RowGuard(limits)
    text = decode_text(data)
    if "\x00" in text:
        raise ImportRefused("Файл не похож на CSV: в нём есть двоичные данные.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        for row in reader:
            guard.row(_width(row), len(row))
            yield [_cell(v) for v in row]
    except csv.Error as exc:
        raise ImportRefused(f"CSV повреждён (строка {reader.line_num}): {exc}") from None


def _xlsx_rows(data: bytes, limits: ReadLimits) -> Iterator[list]:
    from .limits import BROKEN, RowGuard, check_xlsx, scan_sheet
    from .sheet import open_workbook, sheet_rows

    guard = RowGuard(limits)
    # before openpyxl opens anything but the table of contents; the first sheet is checked
    # while it is read (sheet_rows)
    unscanned = check_xlsx(data, limits, guard, scan_first=False)
    broken = ImportRefused(BROKEN)
    try:
        book = open_workbook(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        raise broken from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged archive
        raise broken from None
    try:
        if book.part is None:
            raise ImportRefused("В книге нет листов.")
        if book.part != unscanned:
            scan_sheet(book.archive, book.part, RowGuard(limits, guard.deadline))
        for row in sheet_rows(book, guard):
            guard.row(_width(row))
            yield [_cell(v) for v in row]
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - a truncated member fails while reading
        raise broken from None
    finally:
        book.archive.close()


def read_rows(data: bytes, filename: str, limits: ReadLimits | None = None) -> Iterator[list]:
    """The file's rows as lists of cell values (strings stripped, empty cells None); every
    row read, empty ones included, counts against ``limits``."""
    from .limits import ReadLimits

    limits = limits or ReadLimits()
    name = (filename or "").lower()
    if not data:
        raise ImportRefused("Файл пустой.")
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise ImportRefused(
            "Старый формат .xls не поддерживается: сохраните файл как XLSX или CSV."
        )
    if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        if not data.startswith(XLSX_MAGIC):
            raise ImportRefused(
                "Файл XLSX повреждён или не является книгой Excel: откройте его в "
                "Excel и сохраните заново."
            )
        return _xlsx_rows(data, limits)
    if name and not name.endswith((".csv", ".txt")):
        raise ImportRefused("Нужен файл XLSX или CSV.")
    return _csv_rows(data, limits)
