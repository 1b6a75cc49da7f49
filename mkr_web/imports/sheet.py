"""One worksheet's cell values in one streaming pass (expat), with the limits applied as it goes.

openpyxl's read-only worksheet turns every cell into an element tree and a dict before it gives
the value; for a 10,000-row import that was most of the preview's time, and the limits' scan
(:func:`.limits.scan_sheet`) read the same XML once more beforehand. :func:`sheet_rows` reads
the part once and gives what ``ws.iter_rows(values_only=True)`` gives after
``ws.reset_dimensions()``, row for row and value for value: shared and inline strings (rich
text runs joined, phonetic runs left out), numbers (``int`` unless written with a point or an
exponent), dates, times and durations by the cell's number format, booleans, error codes,
ISO dates (``t="d"``), cached formula results; a missing row is an empty list, a row without
cells an empty tuple, a row numbered below one already read is skipped. The workbook's parts
(shared strings, styles, the 1904 calendar) are still read by openpyxl (:func:`open_workbook`).

The limits are the scan's, on the same numbers: the declared dimension, every row number and
every cell's column and count, the time. The other worksheets are still scanned first.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from string import digits
from xml.parsers import expat

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601

from ..documents.formats import counted
from ..errors import ImportRefused
from .limits import RowGuard, _no_declarations, _split_ref

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
ROW, CELL, VALUE = MAIN + "row", MAIN + "c", MAIN + "v"
INLINE, RUN, TEXT = MAIN + "is", MAIN + "r", MAIN + "t"
DIMENSION = MAIN + "dimension"
CHUNK = 256 * 1024


@dataclass
class Workbook:
    """What the first worksheet's values need of its workbook."""

    archive: object  # the open zipfile.ZipFile
    part: str | None  # the first worksheet's member; None: the workbook has none
    strings: list
    date_formats: object  # style ids of date (and duration) number formats
    timedelta_formats: object
    epoch: object  # 1900 or 1904 calendar


def open_workbook(data: bytes) -> Workbook:
    """The workbook's content types, shared strings, workbook part and styles, read by
    openpyxl as ``load_workbook(read_only=True, data_only=True)`` reads them, but no
    worksheet (openpyxl's read-only worksheet would parse a sheet without a declared
    dimension to its end on opening). The caller closes ``archive``."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        part = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ),
            None,
        )
    except BaseException:
        reader.archive.close()
        raise
    wb = reader.wb
    return Workbook(
        reader.archive,
        part,
        reader.shared_strings,
        wb._date_formats,
        wb._timedelta_formats,
        wb.epoch,
    )


class SheetReader:
    """The handlers of one pass; completed rows collect in :attr:`ready`."""

    def __init__(self, workbook: Workbook, guard: RowGuard):
        self.strings = workbook.strings
        self.date_formats = workbook.date_formats
        self.timedelta_formats = workbook.timedelta_formats
        self.epoch = workbook.epoch
        self.guard = guard
        self.limits = guard.limits
        self.ready: list = []
        self.counter = 1  # the next row number to give (openpyxl's ``counter``)
        self.row_no = 0  # openpyxl's numbering: ``r``, else the previous one + 1
        self.scan_row = 0  # the scan's numbering (limits)
        self.scan_col = 0
        self.cells_seen = 0
        self.elements = 0
        self.in_row = False
        self.depth = 0  # element depth below the current <row>
        self.cells: list = []  # (column, value) of the current row
        self.col = 0
        self.kind = "n"
        self.style = 0
        self.text: list[str] | None = None  # the characters being collected
        self.value: str | None = None  # the cell's first <v>
        self.plain: str | None | bool = False  # the cell's <is> text; False: no <is>
        self.runs: list[str] = []  # the texts of the <is>'s rich text runs
        self.run_text: str | None = None
        self.in_inline = self.in_run = False
        self.columns: dict[str, int] = {}  # column letters → number

    # -- expat handlers -------------------------------------------------------------------

    def start(self, tag: str, attrs: dict) -> None:
        self.elements += 1
        if self.elements % 4096 == 0:
            self.guard.check_time()
        if self.in_row:
            self.depth += 1
            if self.depth == 1:
                self._start_cell(tag, attrs)
                return
            if self.depth == 2:
                if tag == VALUE and self.value is None:
                    self.text = []
                elif tag == INLINE and self.kind == "inlineStr" and self.plain is False:
                    self.plain, self.runs = None, []  # the first <is> only
                    self.in_inline = True
            elif self.in_inline:
                if self.depth == 3 and tag == TEXT:
                    self.text = []
                elif self.depth == 3 and tag == RUN:
                    self.run_text = None
                    self.in_run = True
                elif self.depth == 4 and tag == TEXT and self.in_run:
                    self.text = []
            return
        if tag == ROW:
            self._start_row(attrs)
        elif tag == DIMENSION:
            self._dimension(attrs.get("ref", ""))
        else:
            local = tag.rsplit(" ", 1)[-1]
            if local == "row":
                self._scan_row(attrs)
            elif local == "c":
                self._scan_cell(attrs.get("r"))
            elif local == "dimension":
                self._dimension(attrs.get("ref", ""))

    def end(self, tag: str) -> None:
        if not self.in_row:
            return
        if self.depth == 0:  # </row>
            self.in_row = False
            self._end_row()
            return
        if self.text is not None and (tag == VALUE or tag == TEXT):
            text = "".join(self.text) or None  # an empty element has no text (ElementTree)
            self.text = None
            if tag == VALUE:
                self.value = text or ""
            elif self.depth == 3:
                self.plain = text  # the last <t> of <is> (openpyxl's Text.t)
            else:
                self.run_text = text  # the last <t> of the run
        elif self.in_inline and self.depth == 3 and tag == RUN:
            if self.run_text is not None:
                self.runs.append(self.run_text)
            self.in_run = False
        elif self.in_inline and self.depth == 2 and tag == INLINE:
            self.in_inline = False
        if self.depth == 1:
            self._end_cell()
        self.depth -= 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    # -- rows and cells -------------------------------------------------------------------

    def _scan_row(self, attrs: dict) -> None:
        r = attrs.get("r", "")
        row = int(r[:12]) if r.isascii() and r.isdigit() else self.scan_row + 1
        self.scan_row, self.scan_col = row, 0
        if row > self.limits.max_rows:
            raise self.guard.too_many_rows()

    def _scan_cell(self, ref: str | None) -> int:
        col = _split_ref(ref)[1] if ref else self.scan_col + 1
        self.scan_col = col
        if col > self.limits.max_columns:
            raise self.guard.too_wide(self.scan_row, col)
        self.cells_seen += 1
        if self.cells_seen > self.limits.max_cells:
            raise self.guard.too_many_cells()
        return col

    def _dimension(self, ref: str) -> None:
        rows, cols = _split_ref(ref.split(":")[-1])
        if rows > self.limits.max_rows or cols > self.limits.max_columns:
            raise ImportRefused(
                f"В листе объявлен диапазон {ref[:40]}: это больше "
                f"{counted(self.limits.max_rows, 'строки', 'строк', 'строк')} или "
                f"{counted(self.limits.max_columns, 'столбца', 'столбцов', 'столбцов')}. "
                "Удалите пустые строки и столбцы до "
                "конца листа (или скопируйте таблицу в новую книгу) либо разделите файл."
            )

    def _start_row(self, attrs: dict) -> None:
        self._scan_row(attrs)
        r = attrs.get("r")
        if r is not None:
            try:
                self.row_no = int(r)
            except ValueError:
                number = float(r)
                if not number.is_integer():
                    raise ValueError(f"{r} is not a valid row number") from None
                self.row_no = int(number)
        else:
            self.row_no += 1
        self.in_row, self.depth, self.cells, self.col = True, 0, [], 0

    def _start_cell(self, tag: str, attrs: dict) -> None:
        # every element right under <row> is a cell to openpyxl; the limits count <c> only
        ref = attrs.get("r")
        if ref:
            letters = ref.rstrip(digits)
            int(ref[len(letters) :])  # openpyxl's coordinate_to_tuple refuses what this does
            col = self.columns.get(letters)
            if col is None:
                col = self.columns[letters] = column_index_from_string(letters)
            self.col = col
        else:
            self.col += 1
        if tag == CELL or tag.rsplit(" ", 1)[-1] == "c":
            # the scan's numbering (the same column for every reference openpyxl takes)
            self.scan_col = col = self.col if ref else self.scan_col + 1
            if col > self.limits.max_columns:
                raise self.guard.too_wide(self.scan_row, col)
            self.cells_seen += 1
            if self.cells_seen > self.limits.max_cells:
                raise self.guard.too_many_cells()
        self.kind = attrs.get("t", "n")
        style = attrs.get("s", 0)
        self.style = int(style) if style else style
        self.value = self.text = None
        self.plain = False  # no <is> yet
        self.runs = []
        self.in_inline = self.in_run = False

    def _end_cell(self) -> None:
        kind, value = self.kind, self.value or None
        if kind == "inlineStr":
            # openpyxl's Text.content: the plain text, then the runs' texts
            value = None if self.plain is False else (self.plain or "") + "".join(self.runs)
        elif value is not None:
            if kind == "n":
                value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                if self.style in self.date_formats:
                    try:
                        value = from_excel(
                            value, self.epoch, timedelta=self.style in self.timedelta_formats
                        )
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif kind == "s":
                value = self.strings[int(value)]
            elif kind == "b":
                value = bool(int(value))
            elif kind == "d":
                value = from_ISO8601(value)
        self.cells.append((self.col, value))

    def _end_row(self) -> None:
        idx = self.row_no
        if idx > self.limits.max_rows:
            # the rows up to it would be read (and refused) one by one: "1e9" passes the
            # scan's numbering but is row 1,000,000,000 to openpyxl's
            raise self.guard.too_many_rows()
        while self.counter < idx:
            self.counter += 1
            self.ready.append([])
        if self.counter <= idx:
            self.counter += 1
            cells = self.cells
            if not cells:
                self.ready.append(())
                return
            width = cells[-1][0]
            row = [None] * width
            for col, value in cells:
                if 1 <= col <= width:
                    row[col - 1] = value
            self.ready.append(tuple(row))


def sheet_rows(workbook: Workbook, guard: RowGuard) -> Iterator:
    """The rows of the workbook's first worksheet, as described in the module's docstring;
    the caller maps a failure to "the file is broken"."""
    reader = SheetReader(workbook, guard)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    _no_declarations(parser)
    with workbook.archive.open(workbook.part) as src:
        while True:
            chunk = src.read(CHUNK)
            guard.check_time()
            parser.Parse(chunk, not chunk)
            if reader.ready:
                yield from reader.ready
                reader.ready = []
            if not chunk:
                break
