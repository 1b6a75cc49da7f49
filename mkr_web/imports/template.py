"""The downloadable template of an importer: its headers, an example row, a sheet that
explains every column (required or not, accepted titles) and, for a tenant, a sheet of its
valid municipality and organisation names with a dropdown (data validation) on those columns.

The example row names the tenant's own municipality and organisation, so an unchanged
template passes its own check."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..documents.tables import add_sheet, new_workbook, workbook_bytes
from ..queries.reference import municipalities_of, organizations_of
from ..queries.reference_names import valid_names
from .spec import Choice, DateValue, Email, Integer, Lookup, Phone, TableSpec, Url

FORMATS = {
    DateValue: "дата ДД.ММ.ГГГГ",
    Integer: "целое число",
    Email: "адрес электронной почты",
    Phone: "номер телефона",
    Url: "ссылка",
}
NAMES_SHEET = "Справочник"
#: column key → the column of the names sheet its dropdown offers
REFERENCE_COLUMNS = {"municipality": "A", "organization": "B"}


def _format(col) -> str:
    if col.key in REFERENCE_COLUMNS or isinstance(col.type, Lookup):
        what = "муниципалитет" if col.key == "municipality" else "организация"
        return f"название из справочника ({what}; список — на листе «{NAMES_SHEET}»)"
    if isinstance(col.type, Choice):
        return "одно из: " + col.type.shown
    return next((text for kind, text in FORMATS.items() if isinstance(col.type, kind)), "текст")


def example_names(tenant_id: int) -> dict[str, str]:
    """A municipality and one of its organisations (an educational one when there is one),
    for the example row."""
    munis, _orgs = valid_names(tenant_id)
    if not munis:
        return {}
    for muni in municipalities_of(tenant_id):
        if muni.is_retired or muni.is_other_region:
            continue
        orgs = organizations_of(tenant_id, municipality_id=muni.id)
        if orgs:
            school = next((o for o in orgs if o.kind.value == "school"), orgs[0])
            return {"municipality": muni.name, "organization": school.name}
    return {"municipality": munis[0]}


def template_xlsx(spec: TableSpec, tenant_id: int | None = None) -> bytes:
    wb = new_workbook()
    examples = example_names(tenant_id) if tenant_id else {}
    example = [examples.get(c.key, c.example) for c in spec.columns]
    sheet = add_sheet(wb, spec.title, [c.title for c in spec.columns], [example])
    add_sheet(
        wb,
        "Пояснения",
        ["Столбец", "Обязательный", "Формат", "Другие допустимые заголовки"],
        [
            [c.title, "да" if c.required else "нет", _format(c), ", ".join(c.aliases)]
            for c in spec.columns
        ],
    )
    if tenant_id:
        munis, orgs = valid_names(tenant_id)
        rows = [
            [munis[i] if i < len(munis) else None, orgs[i] if i < len(orgs) else None]
            for i in range(max(len(munis), len(orgs)))
        ]
        add_sheet(wb, NAMES_SHEET, ["Муниципалитеты", "Организации"], rows)
        counts = {"A": len(munis), "B": len(orgs)}
        for index, col in enumerate(spec.columns, start=1):
            names_col = REFERENCE_COLUMNS.get(col.key)
            if names_col is None or not counts[names_col]:
                continue
            rule = DataValidation(
                type="list",
                formula1=f"'{NAMES_SHEET}'!${names_col}$2:${names_col}${counts[names_col] + 1}",
                allow_blank=True,
                showErrorMessage=True,
                # a warning, not a stop: a spelling variant is still matched on upload
                errorStyle="warning",
                errorTitle="Нет в справочнике",
                error="Такого названия нет в справочнике. Выберите из списка.",
            )
            letter = get_column_letter(index)
            rule.add(f"{letter}2:{letter}{spec.max_rows + 1}")
            sheet.add_data_validation(rule)
    return workbook_bytes(wb)
