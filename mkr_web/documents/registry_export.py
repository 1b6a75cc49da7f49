"""The persons registry as an XLSX or CSV file (formula injection neutralised by tables.py)."""

from __future__ import annotations

from .tables import csv_bytes, xlsx_stream_bytes

EXPORT_HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Муниципалитет",
    "Организация",
    "Класс или курс",
    "Статус",
    "Статус с",
    "Дата включения",
    "Основание включения",
    "Электронная почта",
    "Телефон",
    "ФИО родителя",
    "Телефон родителя",
    "Почта родителя",
    "Профиль в соцсети",
]
EXPORT_WIDTHS = [16, 14, 16, 13, 22, 36, 12, 24, 11, 13, 40, 24, 18, 24, 18, 24, 30]
EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _rows(result):
    for row in result:
        row = list(row)
        row[7] = row[7].title_ru  # the status
        yield row


def registry_file(fmt: str, rows) -> bytes:
    """The rows of :func:`mkr_web.queries.people.export_select` as ``fmt`` (xlsx or csv)."""
    if fmt == "xlsx":
        return xlsx_stream_bytes("Реестр", EXPORT_HEADERS, _rows(rows), EXPORT_WIDTHS)
    return csv_bytes(EXPORT_HEADERS, _rows(rows))
