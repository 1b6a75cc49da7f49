"""The annual report's files: XLSX (one sheet per table), PDF (WeasyPrint) and JSON, each
rendered from the dict of :func:`mkr_web.queries.report.build_report` and nothing else."""

from __future__ import annotations

import json

from ..queries.reference import tenant_by_slug
from .branding import document_look
from .pdf import render_pdf
from .report_format import HELPERS
from .tables import add_sheet, new_workbook, workbook_bytes

CONTENT_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_filename(report: dict, fmt: str) -> str:
    scope = "" if report["scope"]["kind"] == "programme" else "-municipal"
    return f"mkr-report-{report['tenant']['slug']}-{report['year']}{scope}.{fmt}"


def report_json(report: dict) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")


def report_pdf(report: dict) -> bytes:
    """The PDF, in the tenant's look (operator, logo, signatory: :mod:`.branding`)."""
    tenant = tenant_by_slug(report["tenant"]["slug"])
    brand, files = document_look(tenant)
    return render_pdf("report.html", files=files, brand=brand, r=report, **HELPERS)


def _criteria_rows(report: dict) -> list[list]:
    rows = []
    for c in report["criteria"]:
        rows.append(
            [
                c["number"],
                c["title"],
                c["value"],
                c["threshold"],
                c["percent_of_plan"],
                "да" if c["met"] else "нет",
                c.get("local_value"),
            ]
        )
        if c["number"] == 4:
            rows.append(
                [
                    "4",
                    "Участники мероприятий-спутников",
                    c["participants"],
                    c["participants_threshold"],
                    c["participants_percent_of_plan"],
                    "да" if c["participants_met"] else "нет",
                    None,
                ]
            )
        if c["number"] == 2:
            for item in c["participants_by_year"]:
                rows.append(
                    [
                        "2",
                        f"Участники аккредитованных мероприятий, {item['year']}",
                        item["participants"],
                        None,
                        None,
                        None,
                        None,
                    ]
                )
            rows.append(
                [
                    "2",
                    "Охвачено муниципалитетов",
                    c["municipalities_reached"],
                    None,
                    None,
                    None,
                    None,
                ]
            )
            rows.append(
                ["2", "Впервые аккредитовано", c["newly_accredited"], None, None, None, None]
            )
            rows.append(["2", "Аккредитация истекла", c["expired"], None, None, None, None])
        if c["number"] == 3:
            rows.append(["3", "Действующие партнёры на дату", c["active"], None, None, None, None])
    return rows


def report_xlsx(report: dict) -> bytes:
    wb = new_workbook()
    res = report["residents"]
    add_sheet(
        wb,
        "Сводка",
        ["Показатель", "Значение"],
        [
            ["Проект", report["tenant"]["name"]],
            ["Год", report["year"]],
            ["По состоянию на", report["as_of"]],
            ["Муниципалитеты", ", ".join(report["scope"]["municipalities"]) or "весь проект"],
            ["Действующие Резиденты", res["active"]],
            ["из них школьники", res["school"]],
            ["из них студенты", res["student"]],
            ["Потенциальные Резиденты", res["potential"]],
            ["Партнёры (бывшие Резиденты)", res["alumni"]],
            *[[f"Порог «{k}»", v] for k, v in report["thresholds"].items()],
        ],
    )
    add_sheet(
        wb,
        "Критерии",
        ["№", "Критерий", "Значение", "Порог", "% плана", "Выполнен", "Мои муниципалитеты"],
        _criteria_rows(report),
    )
    total = report["table1_total"]
    add_sheet(
        wb,
        "Таблица 1",
        ["Муниципалитет", "Образовательных организаций", "Резидентов (школьники)"],
        [[r["municipality"], r["organizations"], r["residents"]] for r in report["table1"]]
        + [["Итого", total["organizations"], total["residents"]]]
        + [
            [f"в т. ч. {o['organization']} ({o['municipality']})", None, o["residents"]]
            for o in report["regional_organizations"]
        ]
        + [
            [f"Без Резидентов: {m}", None, None] for m in report["municipalities_without_residents"]
        ],
    )
    add_sheet(
        wb,
        "Таблица 2",
        [
            "Год",
            "Мероприятие",
            "Муниципалитеты",
            "Число муниципалитетов",
            "Другие регионы",
            "Участников",
            "Примечание",
        ],
        [
            [
                r["year"],
                r["event"],
                ", ".join(r["municipalities"]),
                r["count"],
                ", ".join(r["other_regions"]),
                r["participants"],
                r["note"] or r["footnote"],
            ]
            for r in report["table2"]
        ]
        + [
            [
                None,
                f"Нет участия за {report['years'][0]}–{report['years'][-1]}: {m}",
                None,
                None,
                None,
                None,
                None,
            ]
            for m in report["municipalities_without_participation"]
        ],
    )
    cov = report["coverage"]
    add_sheet(
        wb,
        "Охват",
        ["Муниципалитет"]
        + [f"Мероприятий {y}" for y in cov["years"]]
        + [f"Участников {y}" for y in cov["years"]],
        [[r["municipality"], *r["editions"], *r["participants"]] for r in cov["rows"]],
    )
    prev, cur = report["year"] - 1, report["year"]
    t3 = report["table3_total"]
    add_sheet(
        wb,
        "Таблица 3",
        [
            "Мероприятие",
            "Направление",
            f"Участников {prev}",
            f"Участников {cur}",
            "Изменение",
            "Изменение, %",
        ],
        [
            [
                r["event"],
                r["direction"],
                r["participants_previous"],
                r["participants"],
                r["change"],
                r["change_percent"],
            ]
            for r in report["table3"]
        ]
        + [
            [
                "Итого",
                None,
                t3["participants_previous"],
                t3["participants"],
                t3["change"],
                t3["change_percent"],
            ]
        ]
        + [
            [
                f"Итого: {d['direction']}",
                d["direction"],
                d["participants_previous"],
                d["participants"],
                d["change"],
                d["change_percent"],
            ]
            for d in report["table3_by_direction"]
        ],
    )
    return workbook_bytes(wb)


WRITERS = {"json": report_json, "pdf": report_pdf, "xlsx": report_xlsx}
