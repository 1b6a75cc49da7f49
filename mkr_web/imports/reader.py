"""Reading a table from an uploaded file: XLSX (openpyxl, read-only) or CSV (UTF-8 or
Windows-1251, ``;`` or ``,`` or tab separated, detected). Anything else is refused with a
clear message (:class:`ImportRefused`)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

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


def _csv_rows(data: bytes) -> Iterator[list]:
    text = decode_text(data)
    if "\x00" in text:
        raise ImportRefused("Файл не похож на CSV: в нём есть двоичные данные.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        for row in reader:
            yield [_cell(v) for v in row]
    except csv.Error as exc:
        raise ImportRefused(f"CSV повреждён (строка {reader.line_num}): {exc}") from None


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    broken = ImportRefused(
        "Файл XLSX повреждён или не является книгой Excel: откройте его в Excel и сохраните заново."
    )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        raise broken from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged archive
        raise broken from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ImportRefused("В книге нет листов.")
        for row in ws.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - a truncated member fails while reading
        raise broken from None
    finally:
        wb.close()


def read_rows(data: bytes, filename: str) -> Iterator[list]:
    """The file's rows as lists of cell values (strings stripped, empty cells None)."""
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
        return _xlsx_rows(data)
    if name and not name.endswith((".csv", ".txt")):
        raise ImportRefused("Нужен файл XLSX или CSV.")
    return _csv_rows(data)
