"""The import machinery's reader: encodings, delimiters, refused files (no app, no database)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta

import pytest

from mkr_web.errors import ImportRefused
from mkr_web.imports.parse import parse_table
from mkr_web.imports.persons import PERSON_SPEC
from mkr_web.imports.reader import decode_text, detect_delimiter, read_rows
from tests.support import xlsx_bytes

HEADER = (
    "Фамилия;Имя;Отчество;Дата рождения;Муниципалитет;Образовательная организация;Класс или курс"
)


def test_windows_1251_csv_with_semicolons():
    data = (HEADER + "\r\nЁжикова;Алёна;;05.03.2006;Первый район;;9 класс\r\n").encode("cp1251")
    rows = list(read_rows(data, "люди.csv"))
    assert rows[0][0] == "Фамилия" and rows[1][:4] == ["Ёжикова", "Алёна", None, "05.03.2006"]


def test_utf8_bom_comma_and_tab_separators():
    assert detect_delimiter('"Фамилия; с точкой",Имя,Дата рождения\n') == ","
    assert detect_delimiter("Фамилия\tИмя\n") == "\t"
    assert detect_delimiter("Фамилия;Имя,второе\n") == ";"
    assert decode_text("\ufeffФамилия".encode()) == "Фамилия"
    rows = list(read_rows('\ufeffФамилия,Имя\n"Петров, младший",Иван\n'.encode(), "a.csv"))
    assert rows == [["Фамилия", "Имя"], ["Петров, младший", "Иван"]]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 100, "a.xlsx", "Файл XLSX повреждён"),
        (b"just text", "a.xlsx", "Файл XLSX повреждён"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "a.xls", "Старый формат .xls не поддерживается"),
        (b"", "a.csv", "Файл пустой."),
        (b"%PDF-1.4", "a.pdf", "Нужен файл XLSX или CSV."),
        (
            "Имя;Отчество\nИван;Иванович\n".encode(),
            "a.csv",
            "Не найдены обязательные столбцы: «Фамилия», «Дата рождения»",
        ),
        (
            "Фамилия;Фамилия;Имя;Дата рождения\n".encode(),
            "a.csv",
            "Столбец «Фамилия» встречается дважды",
        ),
        ("Фамилия;Имя;Дата рождения\n;;\n".encode(), "a.csv", "В файле нет строк с данными."),
    ],
)
def test_bad_files_are_refused(data, name, message):
    with pytest.raises(ImportRefused) as exc:
        parse_table(PERSON_SPEC, data, name, max_bytes=10_000)
    assert message in str(exc.value)


def test_truncated_xlsx_is_refused():
    good = xlsx_bytes(
        [["Фамилия", "Имя", "Дата рождения"]] + [["Петров", "Иван", "01.02.2005"]] * 50
    )
    for cut in (len(good) // 2, len(good) - 30):
        with pytest.raises(ImportRefused) as exc:
            parse_table(PERSON_SPEC, good[:cut], "a.xlsx", max_bytes=1_000_000)
        assert "Файл XLSX повреждён или не является книгой Excel" in str(exc.value)


def test_too_big_is_refused():
    with pytest.raises(ImportRefused) as exc:
        parse_table(PERSON_SPEC, b"x" * 2049, "a.csv", max_bytes=2048)
    assert str(exc.value) == "Файл больше допустимого размера (2 КБ): разделите его на части."


def _workbook_of_every_kind() -> bytes:
    """A workbook as Excel writes it (shared strings, styles), with cells of every kind."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["текст", 7, 2.5, True, date(2020, 1, 2), datetime(2020, 1, 2, 3, 4, 5)])
    ws.append([])
    ws.append([None, None, "  с пробелами  ", time(12, 30)])
    ws["A5"] = timedelta(hours=30)
    ws["A5"].number_format = "[h]:mm:ss"
    ws["B5"] = 0.25
    ws["B5"].number_format = "0.00%"
    ws["C5"] = "=1+2"  # no cached result: empty
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _hand_written_sheet() -> bytes:
    from tests.bombs import SHEET_HEAD, xlsx_with_sheet

    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>один</t></si><si><r><t>д</t></r><r><rPr/><t>ва</t></r></si>"
        '<si><t>три</t><rPh sb="0" eb="1"><t>фонетика</t></rPh></si></sst>'
    ).encode()
    body = (
        '<sheetData><row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'
        '<row><c t="s"><v>2</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c></row>'
        '<row r="2"><c r="A2"><v>99</v></c></row>'  # numbered below one read: skipped
        '<row r="5"/>'
        '<row r="6"><c r="B6" t="inlineStr"><is><r><t>бо</t></r><r><t xml:space="preserve">'
        'гатый </t></r><rPh sb="0" eb="1"><t>нет</t></rPh></is></c>'
        '<c r="C6" t="str"><f>A1</f><v>формула</v></c><c r="D6" t="d"><v>2019-05-01</v></c>'
        '<c r="E6"><v>1E3</v></c><c r="F6"><v></v></c></row></sheetData></worksheet>'
    )
    sheet = SHEET_HEAD + body.encode()
    content_types = (
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        b"</Types>"
    )
    data = xlsx_with_sheet(sheet, {"xl/sharedStrings.xml": sst})
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            zf.writestr(name, content_types if name == "[Content_Types].xml" else src.read(name))
    return out.getvalue()


def _openpyxl_rows(data: bytes) -> list[list]:
    """What the reader gave when openpyxl's read-only worksheet read the cells."""
    import openpyxl

    from mkr_web.imports.reader import _cell

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def test_xlsx_cells_of_every_kind_read_as_openpyxl_reads_them():
    every_kind = list(read_rows(_workbook_of_every_kind(), "a.xlsx"))
    assert every_kind == [
        ["текст", 7, 2.5, True, datetime(2020, 1, 2), datetime(2020, 1, 2, 3, 4, 5)],
        [],
        [None, None, "с пробелами", time(12, 30)],
        [],
        [timedelta(hours=30), 0.25, None],
    ]
    assert [type(v) for v in every_kind[0][1:4]] == [int, float, bool]
    hand_written = list(read_rows(_hand_written_sheet(), "a.xlsx"))
    assert hand_written == [
        [],
        ["один", None, "два"],
        ["три", False, "#N/A"],
        [],
        [],
        [None, "богатый", "формула", date(2019, 5, 1), 1000.0, None],
    ]
    for data in (_workbook_of_every_kind(), _hand_written_sheet()):
        assert list(read_rows(data, "a.xlsx")) == _openpyxl_rows(data)


def test_a_row_numbered_far_away_is_refused_at_once():
    from tests.bombs import SHEET_HEAD, header_row, xlsx_with_sheet

    far = SHEET_HEAD + b"<sheetData>" + header_row(["Фамилия"]) + b'<row r="1e9"/>'
    data = xlsx_with_sheet(far + b"</sheetData></worksheet>")
    with pytest.raises(ImportRefused) as refused:
        list(read_rows(data, "a.xlsx"))
    assert str(refused.value).startswith("В файле больше 55000 строк (считая пустые)")
