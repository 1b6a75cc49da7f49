"""Bombs and limits (issue 9, item 2): every tabular upload is checked before parsing and read
with row/column/cell/time limits on every row, empty ones included. The two XLSX bombs of the
issue are generated here (tests/upload_bombs.py) and must be refused through the organiser's
protocol upload in under 2 s, the process's resident memory growing by less than 100 MB."""

from __future__ import annotations

import io
import re
import time

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.imports.limits import ReadLimits
from mkr_web.imports.parse import parse_table
from mkr_web.imports.persons import PERSON_SPEC
from mkr_web.imports.reader import ImportRefused, read_rows
from mkr_web.models import AdmissionBatch, StoredFile
from mkr_web.operations.admission_rows import COLUMNS
from tests.bombs import (
    SHEET_HEAD,
    PeakRSS,
    dimension_bomb,
    empty_rows_bomb,
    far_cell_without_dimension,
    header_row,
    xlsx_with_sheet,
)
from tests.factories import World
from tests.support import csrf_token, login

TITLES = [title for _key, title in COLUMNS]
MB = 1024 * 1024


@pytest.fixture
def organiser(app, factory):
    world = World(factory)
    client = app.test_client()
    assert login(client, world.organizer.email).status_code == 302
    return client, f"/organizer/admission/editions/{world.edition.id}/protocol/upload"


def upload(client, url, data: bytes, filename: str):
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def refused(resp) -> str:
    assert resp.status_code == 400
    m = re.search(r'data-testid="refused">([^<]*)<', resp.get_data(as_text=True))
    assert m, resp.get_data(as_text=True)[-1500:]
    return m.group(1).replace("&#34;", '"').replace("&#39;", "'")


def nothing_stored():
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)),
        db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch)),
    ) == (0, 0)


@pytest.mark.parametrize(
    ("label", "make", "at_most", "message"),
    [
        (
            "dimension",
            lambda: dimension_bomb(TITLES),
            2500,  # the file was 1,971 bytes
            "В листе объявлен диапазон A1:XFD1048576: это больше 2200 строк или 256 столбцов. "
            "Удалите пустые строки и столбцы до конца листа (или скопируйте таблицу в новую "
            "книгу) либо разделите файл.",
        ),
        (
            "empty-rows",
            lambda: empty_rows_bomb(TITLES),  # 1.9 MB → 1.3 GB of <row/>
            2.1 * MB,
            "Файл XLSX распаковывается в слишком большой объём (часть "
            "xl/worksheets/sheet1.xml: 1296 МБ при допустимых 64 МБ). Сохраните в книге только "
            "нужную таблицу.",
        ),
    ],
    ids=["dimension", "empty-rows"],
)
def test_a_bomb_is_refused_fast_and_small(organiser, label, make, at_most, message):
    client, url = organiser
    bomb = make()
    assert len(bomb) < at_most
    upload(client, url, b"warm-up", "a.csv")  # imports and first-request work off the clock
    with PeakRSS() as m:
        resp = upload(client, url, bomb, "protocol.xlsx")
    assert refused(resp) == message
    print(f"{label} bomb: refused in {m.seconds:.3f} s, RSS +{m.growth / MB:.1f} MB")
    assert m.seconds < 2 and m.growth < 100 * MB
    assert nothing_stored()


def test_a_part_lying_about_its_size_is_broken_not_inflated(organiser):
    client, url = organiser
    bomb = empty_rows_bomb(TITLES, declared=60 * MB)  # claims 60 MB, holds 1.3 GB
    with PeakRSS() as m:
        resp = upload(client, url, bomb, "protocol.xlsx")
    # 60 MB passes the size and ratio checks; the streaming scan stops at the row limit
    assert refused(resp).startswith("В файле больше 2200 строк (считая пустые)")
    assert m.seconds < 2 and m.growth < 100 * MB
    # with every limit lifted, zipfile stops at the declared size and the CRC fails
    limits = ReadLimits(max_ratio=10**6, max_rows=10**9, max_cells=10**9)
    lying = empty_rows_bomb(["A"], declared=MB // 4)  # ~40,000 rows parsed, then the CRC
    started = time.monotonic()
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(lying, "a.xlsx", limits))
    assert str(exc.value).startswith("Файл XLSX повреждён")
    assert time.monotonic() - started < 2


def test_far_cell_without_a_dimension_is_refused(organiser):
    client, url = organiser
    with PeakRSS() as m:
        resp = upload(client, url, far_cell_without_dimension(TITLES), "protocol.xlsx")
    assert refused(resp) == (
        "В файле больше 2200 строк (считая пустые): удалите пустые строки в конце листа "
        "или разделите файл на части."
    )
    assert m.seconds < 2 and m.growth < 100 * MB


def test_empty_rows_count_against_the_row_limit():
    """Every row read counts, empty ones included, whatever let the file through the archive
    checks (here the ratio limit is lifted so that the scan itself must stop it)."""
    data = empty_rows_bomb(["Фамилия"], inflated=30 * MB)  # ~5 million <row/>
    limits = ReadLimits(max_rows=1000, max_ratio=10**6)
    started = time.monotonic()
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(data, "a.xlsx", limits))
    assert str(exc.value).startswith("В файле больше 1000 строк (считая пустые)")
    assert time.monotonic() - started < 2


def test_csv_of_empty_lines_is_refused(organiser):
    client, url = organiser
    data = (";".join(TITLES) + "\n").encode() + b"\n" * 1_000_000
    with PeakRSS() as m:
        resp = upload(client, url, data, "protocol.csv")
    assert refused(resp) == (
        "В файле больше 2200 строк (считая пустые): удалите пустые строки в конце листа "
        "или разделите файл на части."
    )
    assert m.seconds < 2 and m.growth < 100 * MB


def test_too_wide_rows_are_refused():
    wide = ";".join(["Фамилия", "Имя", "Дата рождения"] + [""] * 300 + ["x"]) + "\n"
    with pytest.raises(ImportRefused) as exc:
        parse_table(PERSON_SPEC, wide.encode(), "a.csv", max_bytes=10**6)
    assert str(exc.value) == (
        "В строке 1 заполнены ячейки до столбца KR, а допустимо не дальше IV (256-го): "
        "удалите лишние столбцы."
    )
    sheet = (
        SHEET_HEAD
        + b"<sheetData>"
        + header_row(["Фамилия", "Имя", "Дата рождения"])
        + b'<row r="2"><c r="ZZ2"><v>1</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(ImportRefused) as exc:
        parse_table(PERSON_SPEC, xlsx_with_sheet(sheet), "a.xlsx", max_bytes=10**6)
    assert str(exc.value).startswith("В строке 2 заполнены ячейки до столбца ZZ")


def test_too_many_cells_and_too_slow_are_refused():
    rows = "\n".join(["a;b;c"] * 500).encode()
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(rows, "a.csv", ReadLimits(max_cells=1000)))
    assert str(exc.value) == "В файле больше 1000 ячеек: разделите его на части."
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(rows, "a.csv", ReadLimits(seconds=-1)))
    assert str(exc.value) == "Файл читается слишком долго (больше -1 с): разделите его на части."


def test_entity_declarations_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(xlsx_with_sheet(laughs), "a.xlsx"))
    assert str(exc.value) == (
        "Файл XLSX содержит XML-объявления (DOCTYPE или ENTITY): такой файл не принимается."
    )


def test_archive_with_too_many_parts_is_refused():
    sheet = SHEET_HEAD + b"<sheetData>" + header_row(["Фамилия"]) + b"</sheetData></worksheet>"
    extra = {f"xl/media/p{i}.bin": b"x" for i in range(250)}
    with pytest.raises(ImportRefused) as exc:
        list(read_rows(xlsx_with_sheet(sheet, extra), "a.xlsx"))
    assert str(exc.value) == (
        "В архиве XLSX 255 частей (допустимо 200): это не обычная книга Excel."
    )


def test_declared_dimension_smaller_than_the_data_reads_every_row():
    """Dimensions are not trusted either way: a sheet declaring A1:C2 with 4 rows gives 4."""
    sheet = (
        SHEET_HEAD
        + b'<dimension ref="A1:C2"/><sheetData>'
        + header_row(["Фамилия", "Имя", "Дата рождения"])
        + b"".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Ф{r}</t></is></c></row>'.encode()
            for r in (2, 3, 4)
        )
        + b"</sheetData></worksheet>"
    )
    rows = list(read_rows(xlsx_with_sheet(sheet), "a.xlsx"))
    assert rows == [["Фамилия", "Имя", "Дата рождения"], ["Ф2"], ["Ф3"], ["Ф4"]]
