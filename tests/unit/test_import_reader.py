"""The import machinery's reader: encodings, delimiters, refused files (no app, no database)."""

from __future__ import annotations

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
