"""The downloadable template of an importer: its headers, an example row, and a sheet that
explains every column (required or not, accepted titles)."""

from __future__ import annotations

from ..documents.tables import add_sheet, new_workbook, workbook_bytes
from .spec import Choice, DateValue, Email, Integer, Lookup, Phone, TableSpec, Url

FORMATS = {
    DateValue: "дата ДД.ММ.ГГГГ",
    Integer: "целое число",
    Email: "адрес электронной почты",
    Phone: "номер телефона",
    Url: "ссылка",
}


def _format(col) -> str:
    if isinstance(col.type, Lookup):
        return f"название из справочника ({col.type.what.lower()})"
    if isinstance(col.type, Choice):
        return "одно из: " + col.type.shown
    return next((text for kind, text in FORMATS.items() if isinstance(col.type, kind)), "текст")


def template_xlsx(spec: TableSpec) -> bytes:
    wb = new_workbook()
    add_sheet(wb, spec.title, [c.title for c in spec.columns], [[c.example for c in spec.columns]])
    add_sheet(
        wb,
        "Пояснения",
        ["Столбец", "Обязательный", "Формат", "Другие допустимые заголовки"],
        [
            [c.title, "да" if c.required else "нет", _format(c), ", ".join(c.aliases)]
            for c in spec.columns
        ],
    )
    return workbook_bytes(wb)
