"""The tenant's reference data as one XLSX: a sheet of municipalities and one of
organisations, with the titles the reference imports read (so the file loads back)."""

from __future__ import annotations

from ..queries.reference import municipalities_of, organizations_of
from .tables import add_sheet, new_workbook, workbook_bytes

MUNICIPALITY_KINDS = {
    "district": "район",
    "city": "город",
    "city_okrug": "городской округ",
    "zato": "ЗАТО",
    "other_region": "другой регион",
}


def reference_xlsx(tenant_id: int) -> bytes:
    wb = new_workbook()
    add_sheet(
        wb,
        "Муниципалитеты",
        ["Название", "Тип", "Порядок", "Другие названия", "Выведен из употребления"],
        [
            [
                m.name,
                MUNICIPALITY_KINDS[m.kind.value],
                m.sort_order,
                "; ".join(m.aliases or []),
                "да" if m.is_retired else "нет",
            ]
            for m in municipalities_of(tenant_id)
        ],
    )
    add_sheet(
        wb,
        "Организации",
        ["Название", "Тип", "Муниципалитет", "Региональное подчинение", "Другие названия"],
        [
            [
                o.name,
                o.kind.title_ru,
                o.municipality.name if o.municipality else "",
                "да" if o.is_regional_subordination else "нет",
                "; ".join(o.aliases or []),
            ]
            for o in organizations_of(tenant_id)
        ],
    )
    return workbook_bytes(wb)
