"""``flask mkr report SLUG YEAR --format json|xlsx|pdf --out FILE`` writes the same report."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook

from mkr_web.queries.report import build_report
from tests.factories import load_report_demo
from tests.support import pdf_text


def run(app, *args):
    return app.test_cli_runner().invoke(args=["mkr", "report", *args])


def test_json_is_the_report_dict(app, app_ctx, tmp_path):
    tenant = load_report_demo()
    out = tmp_path / "r.json"
    result = run(app, "tomsk", "2019", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Записано: {out}")
    assert json.loads(out.read_text("utf-8")) == build_report(tenant.id, 2019)
    result = run(app, "tomsk", "2019", "--out", "-", "--municipality", "ЗАТО Северск")
    data = json.loads(result.output)
    assert data["scope"]["municipalities"] == ["ЗАТО Северск"]
    assert data["table1"] == [
        {"municipality": "ЗАТО Северск", "organizations": 15, "residents": 100}
    ]
    data = json.loads(run(app, "tomsk", "2019", "--out", "-", "--as-of", "2019-06-30").output)
    assert data == build_report(tenant.id, 2019, as_of=date(2019, 6, 30))


def test_xlsx_and_pdf(app, app_ctx, tmp_path):
    load_report_demo()
    result = run(app, "tomsk", "2019", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "r.xlsx")
    assert list(wb["Таблица 1"].values)[21] == ("Итого", 69, 312)
    result = run(app, "tomsk", "2019", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "r.pdf").read_bytes())
    assert "Аналитическая справка" in text and "2 584" in text and "2 457" in text


def test_errors(app, app_ctx, tmp_path):
    load_report_demo()
    out = str(tmp_path / "x")
    result = run(app, "nowhere", "2019", "--out", out)
    assert result.exit_code != 0 and "Нет проекта с кодом «nowhere»" in result.output
    result = run(app, "tomsk", "2019", "--out", out, "--municipality", "Нет такого")
    assert result.exit_code != 0 and "Нет муниципалитета: Нет такого" in result.output
    result = run(app, "tomsk", "2019", "--format", "pdf", "--out", "-")
    assert result.exit_code != 0 and "только json" in result.output
    result = run(app, "tomsk", "1800", "--out", out)
    assert result.exit_code != 0
    assert not (tmp_path / "x").exists()
