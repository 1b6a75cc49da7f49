"""Export cells (issue 9, item 9): what a spreadsheet would evaluate is quoted, ordinary phone
numbers and dashes stay readable, in XLSX and CSV alike."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from mkr_web.documents.tables import csv_bytes, safe_cell, xlsx_bytes, xlsx_stream_bytes


@pytest.mark.parametrize(
    "text",
    [
        "+7 (913) 123-45-67",
        "+7 913 123 45 67",
        "8-913-123-45-67",
        "+7(3822)12-34-56, +7 913 000-00-00",
        "-",
        "-5",
        "- 12.5",
        "  +7 913 123-45-67",
        "Иванова",
        "a=b",
        "",
    ],
)
def test_readable_text_is_left_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "=1+2",
        "@SUM(A1)",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        '+7 HYPERLINK("http://x")',
        "-2+3",
        "+7 913+A1",
        "-SUM(A1:A2)",
        "+A1",
        "\t=1",
        "\r=1",
        "\n=1",
        " =1+2",
        "\u00a0@SUM(A1)",
        "\uff1d1+2",
        "\uff0b7 913",
    ],
)
def test_what_a_spreadsheet_evaluates_is_quoted(text):
    assert safe_cell(text) == "'" + text


def test_typed_values_stay_typed():
    assert [safe_cell(v) for v in (None, True, False, 5, -2.5, date(2020, 1, 2))] == [
        "",
        "да",
        "нет",
        5,
        -2.5,
        date(2020, 1, 2),
    ]


def test_every_writer_applies_the_rule():
    rows = [["+7 (913) 123-45-67", "=1+2"], ["-", "+cmd|' /C calc'!A0"]]
    expected = [
        ("Телефон", "Заметка"),
        ("+7 (913) 123-45-67", "'=1+2"),
        ("-", "'+cmd|' /C calc'!A0"),
    ]
    for data in (
        xlsx_bytes("Лист", ["Телефон", "Заметка"], rows),
        xlsx_stream_bytes("Лист", ["Телефон", "Заметка"], rows),
    ):
        ws = load_workbook(io.BytesIO(data)).active
        assert list(ws.iter_rows(values_only=True)) == expected
    text = csv_bytes(["Телефон", "Заметка"], rows).decode("utf-8-sig")
    assert [tuple(r) for r in csv.reader(io.StringIO(text), delimiter=";")] == expected
