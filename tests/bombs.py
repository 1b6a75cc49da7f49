"""Hostile upload files, generated (never stored in the repository), and a peak-RSS meter.

- :func:`dimension_bomb`: a ~2 KB XLSX declaring ``<dimension ref="A1:XFD1048576"/>`` with a
  header row and one cell in row 1,048,576 (openpyxl pads a million rows of 16,384 cells);
- :func:`empty_rows_bomb`: a ~2 MB XLSX whose worksheet inflates to 1.3 GB of ``<row/>``;
  the deflate stream is built from one independently compressed block repeated, so making it
  takes about a second instead of compressing 1.3 GB;
- :class:`PeakRSS`: how much the process's resident memory grew at its peak inside a block.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import zipfile
import zlib
from io import BytesIO

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET = "xl/worksheets/sheet1.xml"


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row(titles: list[str]) -> bytes:
    cells = b"".join(_inline(f"{chr(65 + i)}1", t) for i, t in enumerate(titles))
    return b'<row r="1">' + cells + b"</row>"


def xlsx_with_sheet(sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr(SHEET, sheet_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def dimension_bomb(titles: list[str]) -> bytes:
    sheet = (
        SHEET_HEAD
        + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        + header_row(titles)
        + b'<row r="1048576">'
        + _inline("A1048576", "x")
        + b"</row></sheetData></worksheet>"
    )
    return xlsx_with_sheet(sheet)


def far_cell_without_dimension(titles: list[str]) -> bytes:
    """The same trap without a ``<dimension>``: one cell at XFD1048576."""
    sheet = (
        SHEET_HEAD
        + b"<sheetData>"
        + header_row(titles)
        + b'<row r="1048576">'
        + _inline("XFD1048576", "x")
        + b"</row></sheetData></worksheet>"
    )
    return xlsx_with_sheet(sheet)


# ---- a zip written by hand: one member whose deflate data is given --------------------------


def _dos_time() -> tuple[int, int]:
    return (0 << 11) | (0 << 5), ((2024 - 1980) << 9) | (1 << 5) | 1


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """``members``: (name, raw deflate data, crc32, uncompressed size, method)."""
    out = BytesIO()
    central = []
    t, d = _dos_time()
    for name, raw, crc, usize, method in members:
        offset = out.tell()
        n = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, t, d, crc, len(raw), usize, len(n), 0
            )
        )
        out.write(n)
        out.write(raw)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                t,
                d,
                crc,
                len(raw),
                usize,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    start = out.tell()
    for c in central:
        out.write(c)
    size = out.tell() - start
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def _deflated(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data), 8


def empty_rows_bomb(titles: list[str], inflated: int = 1300 * 1024 * 1024, declared=None) -> bytes:
    """A worksheet of ``inflated`` bytes: the header, then ``<row/>`` … (no ``r``: each one is
    the next row). ``declared``: the uncompressed size the zip claims (default: the truth)."""
    head = SHEET_HEAD + b"<sheetData>" + header_row(titles)
    tail = b"</sheetData></worksheet>"
    block = b"<row/>" * (1 << 20)  # 6 MiB
    blocks = max(1, (inflated - len(head) - len(tail)) // len(block))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    # after a full flush the compressor's state is reset, so the same block compresses to the
    # same bytes every time: compress it once, repeat the bytes
    one = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert one == again
    last = comp.compress(tail) + comp.flush(zlib.Z_FINISH)
    raw = first + one * blocks + last
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + blocks * len(block) + len(tail)
    members = [
        ("[Content_Types].xml", *_deflated(CONTENT_TYPES)),
        ("_rels/.rels", *_deflated(ROOT_RELS)),
        ("xl/workbook.xml", *_deflated(WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", *_deflated(WORKBOOK_RELS)),
        (SHEET, raw, crc, size if declared is None else declared, 8),
    ]
    return _zip(members)


# ---- memory ------------------------------------------------------------------------------------


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm_bytes() -> int | None:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


class PeakRSS:
    """``with PeakRSS() as m: ...`` then ``m.growth`` (bytes) and ``m.seconds``.

    The peak comes from the kernel's high-water mark, reset on entry (``/proc/self/clear_refs``),
    and from a thread sampling the resident size every 2 ms (in case the reset is refused)."""

    def __enter__(self):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self._hwm = True
        except OSError:
            self._hwm = False
        self.before = _rss_bytes()
        self._peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._started = time.monotonic()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, _rss_bytes())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self._started
        self._stop.set()
        self._thread.join()
        peak = max(self._peak, _rss_bytes())
        if self._hwm:
            peak = max(peak, _hwm_bytes() or 0)
        self.growth = peak - self.before
        return False


# ---- documents ---------------------------------------------------------------------------------


def pdf_stream_bomb(inflated: int = 256 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream (FlateDecode) inflates to ``inflated`` bytes of
    spaces; about 250 KB on disk. The zlib stream is one fully flushed block repeated."""
    import pypdf
    from pypdf.generic import EncodedStreamObject, NameObject, NumberObject

    block = b" " * (8 << 20)
    blocks = max(1, inflated // len(block))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(blocks):
        adler = zlib.adler32(block, adler)
    raw = b"\x78\xda" + one * blocks + comp.flush(zlib.Z_FINISH) + struct.pack(">I", adler)
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = EncodedStreamObject()
    stream._data = raw
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(raw))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header declares ``width`` × ``height`` RGB pixels (its pixel data
    is one compressed row: a viewer decoding it would allocate gigabytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 1000), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
