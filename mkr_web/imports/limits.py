"""What an uploaded table may cost to read, checked before parsing and on every row read.

An XLSX file is a zip archive of XML parts, so a tiny upload can claim to be huge: a
2 KB file declaring ``<dimension ref="A1:XFD1048576"/>`` (openpyxl would pad a million rows
of 16,384 cells), or a 2 MB file that inflates to gigabytes of empty ``<row/>`` elements.
Before openpyxl sees the file, :func:`check_xlsx` refuses:

- an archive with too many parts, a part whose uncompressed size is over its limit (zipfile
  never inflates past the declared size: a part that lies fails its CRC), a total over the
  limit, or a part compressed more than :attr:`ReadLimits.max_ratio` times;
- any XML part with a DOCTYPE or entity declaration (entity expansion);
- a worksheet whose declared dimension, row numbers, column letters or cell count exceed
  the limits, found by a streaming scan (expat, constant memory) of every worksheet openpyxl
  would open; the first one, the one read, gets the same checks while it is read
  (:mod:`.sheet`, one pass instead of two).

Then the rows are read in streaming mode (declared dimensions ignored, so nothing is padded)
and :class:`RowGuard` applies the row, column, cell and time limits to every row read, empty
ones included, in XLSX and CSV alike.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from ..documents.formats import counted
from ..errors import ImportRefused

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    max_rows: int = 55_000  # rows read, the header and empty rows included
    max_columns: int = 256  # the last column any row may reach
    max_cells: int = 2_000_000  # cells read in the file
    seconds: float = 20.0  # reading the whole file
    max_parts: int = 200  # zip members
    max_sheet_bytes: int = 64 * MB  # uncompressed worksheet XML
    max_part_bytes: int = 16 * MB  # any other part (shared strings, styles …)
    max_total_bytes: int = 128 * MB  # all parts together
    max_ratio: int = 100  # uncompressed / compressed size of a part
    ratio_from_bytes: int = 1 * MB  # parts smaller than this are not judged by ratio

    @classmethod
    def for_rows(cls, data_rows: int) -> ReadLimits:
        """Limits for a table of at most ``data_rows`` rows (with room for the header and
        some empty rows)."""
        rows = data_rows + max(100, data_rows // 10)
        return cls(max_rows=rows, max_cells=min(rows * 60, 5_000_000))


def column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch.upper()) - 64)
    return n


def _split_ref(ref: str) -> tuple[int, int]:
    """``"XFD1048576"`` → (1048576, 16384); (0, 0) for what is not a cell reference."""
    ref = ref.strip().replace("$", "")
    i = 0
    while i < len(ref) and ref[i].isascii() and ref[i].isalpha():
        i += 1
    letters, digits = ref[:i], ref[i:]
    if not 1 <= len(letters) <= 3 or not (digits.isascii() and digits.isdigit()):
        return 0, 0
    return int(digits[:12]), column_index(letters)


class RowGuard:
    """Counts every row and cell read and refuses the file at the first limit passed."""

    def __init__(self, limits: ReadLimits, deadline: float | None = None):
        self.limits = limits
        self.deadline = deadline if deadline is not None else time.monotonic() + limits.seconds
        self.rows = 0
        self.cells = 0

    def too_many_rows(self) -> ImportRefused:
        return ImportRefused(
            f"В файле больше {counted(self.limits.max_rows, 'строки', 'строк', 'строк')} "
            "(считая пустые): "
            "удалите пустые строки в конце листа или разделите файл на части."
        )

    def too_wide(self, row: int, columns: int) -> ImportRefused:
        return ImportRefused(
            f"В строке {row} заполнены ячейки до столбца {column_letter(min(columns, 16384))}, "
            f"а допустимо не дальше {column_letter(self.limits.max_columns)} "
            f"({self.limits.max_columns}-го): удалите лишние столбцы."
        )

    def too_many_cells(self) -> ImportRefused:
        return ImportRefused(
            f"В файле больше {counted(self.limits.max_cells, 'ячейки', 'ячеек', 'ячеек')}: "
            "разделите его на части."
        )

    def too_slow(self) -> ImportRefused:
        return ImportRefused(
            f"Файл читается слишком долго (больше {self.limits.seconds:g} с): "
            "разделите его на части."
        )

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.too_slow()

    def row(self, width: int, cells: int | None = None) -> None:
        """One row read (``width``: its last column; ``cells``: how many it holds)."""
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise self.too_many_rows()
        if width > self.limits.max_columns:
            raise self.too_wide(self.rows, width)
        self.cells += width if cells is None else cells
        if self.cells > self.limits.max_cells:
            raise self.too_many_cells()
        self.check_time()


# ---- XLSX: the archive, then a streaming scan of each worksheet --------------------------------

BROKEN = (
    "Файл XLSX повреждён или не является книгой Excel: откройте его в Excel и сохраните заново."
)


def check_archive(zf: zipfile.ZipFile, limits: ReadLimits, sheets: set[str] | None) -> None:
    """Part count, each part's declared uncompressed size (a worksheet's limit for the parts in
    ``sheets``, the smaller one for the others; ``None``: the worksheets are not known yet,
    every part gets the larger limit), the total, and the compression ratio."""
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise ImportRefused(
            f"В архиве XLSX {counted(len(infos), 'часть', 'части', 'частей')} "
            f"(допустимо {limits.max_parts}): "
            "это не обычная книга Excel."
        )
    total = 0
    for info in infos:
        if sheets is None or info.filename in sheets:
            limit = max(limits.max_sheet_bytes, limits.max_part_bytes)
        else:
            limit = limits.max_part_bytes
        if info.file_size > limit:
            raise ImportRefused(
                f"Файл XLSX распаковывается в слишком большой объём (часть {info.filename[:80]}: "
                f"{info.file_size // MB} МБ при допустимых {limit // MB} МБ). Сохраните в книге "
                "только нужную таблицу."
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ImportRefused(
                f"Файл XLSX распаковывается больше чем в {limits.max_total_bytes // MB} МБ: "
                "сохраните в книге только нужную таблицу."
            )
        if info.file_size >= limits.ratio_from_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ImportRefused(
                f"Файл XLSX сжат подозрительно сильно (часть {info.filename[:80]} — в "
                f"{counted(info.file_size // max(info.compress_size, 1), 'раз', 'раза', 'раз')}): "
                "такой файл не принимается."
            )


def _no_declarations(parser) -> None:
    def refuse(*_args):
        raise ImportRefused(
            "Файл XLSX содержит XML-объявления (DOCTYPE или ENTITY): такой файл не принимается."
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse


def _feed(parser, zf: zipfile.ZipFile, name: str, guard: RowGuard | None = None) -> None:
    with zf.open(name) as src:
        while True:
            chunk = src.read(256 * 1024)
            if guard is not None:
                guard.check_time()
            if not chunk:
                break
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def check_xml_declarations(zf: zipfile.ZipFile, names: list[str]) -> None:
    """No DOCTYPE/ENTITY in the parts openpyxl parses (they are never needed in XLSX); only the
    prologue is read (the declaration, if any, comes before the root element)."""
    for name in names:
        if not name.endswith((".xml", ".rels")):
            continue
        with zf.open(name) as src:
            head = src.read(4096)
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
            raise ImportRefused(
                "Файл XLSX содержит XML-объявления (DOCTYPE или ENTITY): такой файл не принимается."
            )


def scan_sheet(zf: zipfile.ZipFile, name: str, guard: RowGuard) -> None:
    """Stream one worksheet's XML and apply the limits to its declared dimension and to every
    row and cell, as openpyxl would number them (a row or cell without ``r`` follows the
    previous one). Memory stays constant whatever the part holds."""
    limits = guard.limits
    state = {"row": 0, "col": 0, "seen": 0, "elements": 0}

    def start(tag, attrs):
        local = tag.rsplit(" ", 1)[-1]
        state["elements"] += 1
        if state["elements"] % 4096 == 0:
            guard.check_time()
        if local == "c":
            ref = attrs.get("r")
            col = _split_ref(ref)[1] if ref else state["col"] + 1
            state["col"] = col
            if col > limits.max_columns:
                raise guard.too_wide(state["row"], col)
            state["seen"] += 1
            if state["seen"] > limits.max_cells:
                raise guard.too_many_cells()
        elif local == "row":
            r = attrs.get("r", "")
            row = int(r[:12]) if r.isascii() and r.isdigit() else state["row"] + 1
            state["row"], state["col"] = row, 0
            if row > limits.max_rows:
                raise guard.too_many_rows()
        elif local == "dimension":
            ref = attrs.get("ref", "")
            last = ref.split(":")[-1]
            rows, cols = _split_ref(last)
            if rows > limits.max_rows or cols > limits.max_columns:
                raise ImportRefused(
                    f"В листе объявлен диапазон {ref[:40]}: это больше "
                    f"{counted(limits.max_rows, 'строки', 'строк', 'строк')} или "
                    f"{counted(limits.max_columns, 'столбца', 'столбцов', 'столбцов')}. "
                    "Удалите пустые строки и столбцы до "
                    "конца листа (или скопируйте таблицу в новую книгу) либо разделите файл."
                )

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    _no_declarations(parser)
    try:
        _feed(parser, zf, name, guard)
    except expat.ExpatError:
        raise ImportRefused(BROKEN) from None


def worksheet_parts(data: bytes) -> list[str]:
    """The members openpyxl opens as worksheets (the targets of the workbook's relations):
    reads only the content types, the workbook part and its relations."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    finally:
        reader.archive.close()


def check_xlsx(
    data: bytes, limits: ReadLimits, guard: RowGuard, *, scan_first: bool = True
) -> str | None:
    """Everything above, before openpyxl reads anything but the workbook's table of
    contents (which :func:`check_archive` has bounded first). ``scan_first=False``: the
    first worksheet (the one read) is left to :func:`.sheet.sheet_rows`, which applies the
    same limits while reading it; its name is returned."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(BROKEN) from None
    try:
        with zf:
            return _check_open_archive(zf, data, limits, guard, scan_first)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError):
        # a damaged part, or one inflating past its declared size (zipfile stops there and
        # the CRC check fails)
        raise ImportRefused(BROKEN) from None


def _check_open_archive(
    zf: zipfile.ZipFile, data: bytes, limits: ReadLimits, guard: RowGuard, scan_first: bool
) -> str | None:
    check_archive(zf, limits, sheets=None)
    check_xml_declarations(zf, zf.namelist())
    try:
        sheets = worksheet_parts(data)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - a damaged table of contents
        raise ImportRefused(BROKEN) from None
    if not sheets:
        raise ImportRefused("В книге нет листов.")
    check_archive(zf, limits, sheets=set(sheets))
    for name in sheets if scan_first else sheets[1:]:
        scan_sheet(zf, name, RowGuard(limits, guard.deadline))
    return None if scan_first else sheets[0]
