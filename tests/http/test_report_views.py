"""The report's pages over real HTTP: access matrix, dashboard, XLSX, the PDF job (its text
checked with pdftotext), the coordinator's scope, parameters."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from mkr_web.demo.seed import SATELLITES
from mkr_web.documents.report_format import num
from mkr_web.extensions import db
from mkr_web.models import Job
from mkr_web.queries.report import CRITERIA_TITLES
from tests.factories import TABLE1_SEED, load_report_demo
from tests.support import csrf_token, job_status, logged_in, pdf_text, post_form

ADMIN_URLS = [
    "/admin/report?year=2019",
    "/admin/report.json?year=2019",
    "/admin/report.xlsx?year=2019",
    "/admin/settings",
]
COORD_URLS = [
    "/coordinator/report?year=2019",
    "/coordinator/report.json?year=2019",
    "/coordinator/report.xlsx?year=2019",
]
DASHBOARDS = {
    "admin": "/admin/",
    "seversk": "/coordinator/",
    "organizer": "/organizer/",
    "expert": "/expert/",
    "platform": "/platform/",
}


@pytest.fixture
def demo(app_ctx, factory):
    tenant = load_report_demo()
    return {
        "tenant": tenant,
        "admin": factory.user(tenant, "admin"),
        "seversk": factory.user(tenant, "coordinator", municipalities=["ЗАТО Северск"]),
        "organizer": factory.user(tenant, "organizer"),
        "expert": factory.user(tenant, "expert"),
        "platform": factory.user(platform_admin=True),
    }


@pytest.mark.parametrize("who", ["admin", "seversk", "organizer", "expert", "platform"])
def test_access_matrix(app, demo, who):
    client = logged_in(app, demo[who])
    for url in ADMIN_URLS:
        assert client.get(url).status_code == (200 if who == "admin" else 403), url
    for url in COORD_URLS:
        assert client.get(url).status_code == (200 if who == "seversk" else 403), url
    home = DASHBOARDS[who]
    for url, owner in (("/admin/report/pdf", "admin"), ("/coordinator/report/pdf", "seversk")):
        resp = post_form(client, url, {"year": "2019"}, form_url=home)
        assert resp.status_code == (302 if who == owner else 403), url
        if resp.status_code == 302:  # let a real worker finish before the tables are emptied
            assert job_status(client, resp.headers["Location"] + ".json")["state"] == "done"
    assert (
        client.post("/admin/report/pdf", data={"year": "2019"}).status_code == 400
    )  # no CSRF token


def test_anonymous_goes_to_login(client):
    for url in (
        ADMIN_URLS + COORD_URLS + ["/admin/report/jobs/1", "/coordinator/report/jobs/1.json"]
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), url


def test_admin_dashboard(app, demo):
    html = logged_in(app, demo["admin"]).get("/admin/report?year=2019").get_data(as_text=True)
    assert "Аналитическая справка за 2019 год" in html
    assert re.search(r'data-testid="residents-active">463<', html)
    assert re.search(r'data-testid="residents-school">312<', html)
    assert '<td>Александровский район</td><td class="num">–</td><td class="num">–</td>' in html
    assert '<td>г. Томск</td><td class="num">25</td><td class="num">115</td>' in html
    assert html.count("<svg") == 2 and "<rect" in html
    assert 'class="num heat-4"' in html and 'class="num heat-0"' in html
    assert "Перенесено" not in html and "* Указаны данные за январь 2019 года" in html
    assert "1 — 75, 3 — 2, 4 — 10 / 650, 5 — 50, 6 — 5" in html
    assert "style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    assert (
        'href="/admin/report.xlsx?year=2019"' in html
        and 'href="/admin/report.json?year=2019"' in html
    )
    assert 'href="/admin/report"' in html  # in the navigation


CRITERIA_EN = [
    "Annual growth of the regional talent data bank",
    "Renewal and growth of the network of accredited events",
    "Growth of the network of partner organisations",
    "Satellite events for Residents",
    "Residents who completed work placements, internships, specialised camp sessions, etc.",
    "Publications in the media and on partner organisations' websites",
]
BARS_EN = [
    "Criterion 1",
    "Criterion 3",
    "Criterion 4 (events)",
    "Criterion 4 (participants)",
    "Criterion 5",
    "Criterion 6",
]


def _criteria_rows(html: str) -> list[tuple[str, ...]]:
    """(number, title, value, threshold) of each row of the criteria table."""
    return re.findall(
        r'<tr><td>(\d)</td><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)<',
        html,
    )


def test_dashboard_in_english_keeps_the_figures(app, demo):
    client = logged_in(app, demo["admin"])
    russian = client.get("/admin/report?year=2019").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/admin/")})
    english = client.get("/admin/report?year=2019").get_data(as_text=True)
    ru_rows, en_rows = _criteria_rows(russian), _criteria_rows(english)
    assert [r[1] for r in ru_rows] == [CRITERIA_TITLES[n] for n in range(1, 7)]
    assert [r[1] for r in en_rows] == CRITERIA_EN
    assert [(r[0], r[2], r[3]) for r in en_rows] == [(r[0], r[2], r[3]) for r in ru_rows]
    assert [(r[0], r[2]) for r in en_rows] == [
        ("1", "124"),
        ("2", "5"),
        ("3", "3"),
        ("4", "11"),
        ("5", "33"),
        ("6", "21"),
    ]
    assert re.findall(r'<text x="0" y="\d+" font-size="12">([^<]*)<', english)[:6] == BARS_EN
    assert re.findall(r'<text x="0" y="\d+" font-size="12">([^<]*)<', russian)[:6] == [
        "Критерий 1",
        "Критерий 3",
        "Критерий 4 (мероприятия)",
        "Критерий 4 (участники)",
        "Критерий 5",
        "Критерий 6",
    ]
    assert "Criterion 6: founder&#39;s or partner&#39;s website — 13 (6); news agency — 8 (4)" in (
        english
    )
    assert (
        "Критерий 6: сайт учредителя или партнёра — 13 (6); информационное агентство — 8 (4)"
        in (russian)
    )
    assert re.search(r'data-testid="residents-active">463<', english)


def test_xlsx_has_one_sheet_per_table(app, demo):
    resp = logged_in(app, demo["admin"]).get("/admin/report.xlsx?year=2019")
    assert resp.headers["Content-Disposition"] == "attachment; filename=mkr-report-tomsk-2019.xlsx"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Сводка", "Критерии", "Таблица 1", "Таблица 2", "Охват", "Таблица 3"]
    t1 = list(wb["Таблица 1"].values)
    assert t1[0] == ("Муниципалитет", "Образовательных организаций", "Резидентов (школьники)")
    assert t1[1] == ("Александровский район", 0, 0) and t1[20] == ("г. Томск", 25, 115)
    assert t1[21] == ("Итого", 69, 312)
    t3 = list(wb["Таблица 3"].values)
    assert t3[12][:4] == ("Итого", None, 2501, 2457)
    t2 = list(wb["Таблица 2"].values)
    assert len(t2) == 1 + 15 + 4 and t2[6][6].startswith("В 2018 году Ассамблея не проводилась")
    summary = dict(list(wb["Сводка"].values)[1:])
    assert summary["Действующие Резиденты"] == 463 and summary["Потенциальные Резиденты"] == 77


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_job_renders_the_report(app, demo):
    client = logged_in(app, demo["admin"])
    resp = post_form(
        client, "/admin/report/pdf", {"year": "2019"}, form_url="/admin/report?year=2019"
    )
    assert resp.status_code == 302
    job_url = resp.headers["Location"]
    assert re.fullmatch(r"/admin/report/jobs/\d+", job_url)
    page = client.get(job_url).get_data(as_text=True)
    assert "data-job-progress" in page and "job_progress.js" in page
    status = job_status(client, job_url + ".json")
    assert status["state"] == "done" and status["progress"] == 100
    assert status["download_url"] == job_url + "/download"
    pdf = client.get(status["download_url"])
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert "mkr-report-tomsk-2019.pdf" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data, squash=False)
    flat = _squash(text)
    assert "число действующих Резидентов составило 463 человека" in flat
    assert "обучающиеся общеобразовательных организаций – 312, студенты – 151" in flat
    assert "Потенциальные Резиденты – 77" in flat
    assert "пополнено на 124 человека: 165,3 % порогового значения (+65,3 % к плану)" in flat
    lines = [_squash(line).strip() for line in text.splitlines()]
    for name, orgs, residents in TABLE1_SEED:  # Table 1 row by row, zeros as dashes
        assert f"{name} {num(orgs)} {num(residents)}" in lines, name
    assert "Итого 69 312" in lines
    for title, _d, previous, current in SATELLITES:  # Table 3: numbers of each row, in order
        assert f" {previous} {current} " in flat, title
    assert "Итого 2 501 2 457 −44 −1,8 %" in lines
    assert (
        "2 584 обучающихся, педагогов и экспертов (+3,6 % по сравнению с 2018 г., +10,2 % по сравнению с 2017 г.) из 15 муниципальных образований"
        in flat
    )
    assert (
        "не принимали участие представители: Александровский район, Молчановский район, Тегульдетский район, г. Кедровый"
        in flat
    )
    assert "* Указаны данные за январь 2019 года" in flat
    assert "В 2018 году Ассамблея не проводилась" in flat
    headers = re.findall(r"^\s*Название\s+Муниципалитеты и другие", text, re.M)
    assert len(headers) >= 2  # Table 2 breaks across pages and its header repeats
    assert (
        "критерий 1 – 75; критерий 3 – 2; критерий 4 – 10 мероприятий и 650 участников; критерий 5 – 50; критерий 6 – 5"
        in flat
    )
    assert "Директор ОГБУ «РЦРО»" in flat


def test_coordinator_sees_own_municipalities(app, demo):
    client = logged_in(app, demo["seversk"])
    r = client.get("/coordinator/report.json?year=2019").get_json()
    assert r["scope"] == {"kind": "municipalities", "municipalities": ["ЗАТО Северск"]}
    assert r["table1"] == [{"municipality": "ЗАТО Северск", "organizations": 15, "residents": 100}]
    assert r["residents"]["school"] == 100
    assert (
        r["municipalities_without_residents"] == []
        and r["municipalities_without_participation"] == []
    )
    assert {row["municipality"] for row in r["coverage"]["rows"]} == {"ЗАТО Северск"}
    assert all(
        set(row["municipalities"]) <= {"ЗАТО Северск"} and row["other_regions"] == []
        for row in r["table2"]
    )
    assert [row["count"] for row in r["table2"] if row["year"] == 2019] == [1, 1, 0, 1, 1]
    assert next(c for c in r["criteria"] if c["number"] == 1)["value"] == 124  # programme-wide
    html = client.get("/coordinator/report?year=2019").get_data(as_text=True)
    assert "Ваши муниципалитеты" in html and "г. Томск</td>" not in html
    assert "admin/settings" not in html


def test_jobs_are_scoped(app, demo, factory):
    coord = logged_in(app, demo["seversk"])
    resp = post_form(
        coord, "/coordinator/report/pdf", {"year": "2019"}, form_url="/coordinator/report?year=2019"
    )
    job_url = resp.headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    status = job_status(coord, job_url + ".json")
    assert status["state"] == "done"
    text = pdf_text(coord.get(status["download_url"]).data)
    assert "Справка по муниципалитетам: ЗАТО Северск." in text
    assert "mkr-report-tomsk-2019-municipal.pdf" in db.session.get(Job, job_id).result_file.filename
    # the admin of the tenant may open it; another coordinator, another tenant may not
    assert (
        logged_in(app, demo["admin"]).get(job_url + ".json").status_code == 403
    )  # a coordinator URL
    assert logged_in(app, demo["admin"]).get(f"/admin/report/jobs/{job_id}.json").status_code == 200
    other_coord = factory.user(demo["tenant"], "coordinator", municipalities=["г. Томск"])
    assert logged_in(app, other_coord).get(job_url + ".json").status_code == 404
    other = factory.tenant("elsewhere")
    assert (
        logged_in(app, factory.user(other, "admin")).get(f"/admin/report/jobs/{job_id}").status_code
        == 404
    )
    assert (
        logged_in(app, factory.user(other, "admin"))
        .get(f"/admin/report/jobs/{job_id}/download")
        .status_code
        == 404
    )


def test_parameters(app, demo):
    client = logged_in(app, demo["admin"])
    for bad in ("year=abc", "year=1900", "year=2019&as_of=2019-13-01"):
        assert client.get(f"/admin/report.json?{bad}").status_code == 400, bad
    r = client.get("/admin/report.json?year=2019&as_of=2019-06-30").get_json()
    assert (r["as_of"], r["period"]["end"]) == ("2019-06-30", "2019-06-30")
    assert (
        client.get("/admin/report.json").get_json()["year"] == 2019
    )  # the latest year with editions
    html = client.get("/admin/report?year=2018").get_data(as_text=True)
    assert (
        'name="as_of" value=""' in html
        and "Пусто — на 1 января следующего года (01.01.2019)." in html
    )
    html = client.get("/admin/report?year=2018&as_of=2019-01-01").get_data(as_text=True)
    assert "Аналитическая справка за 2018 год" in html and 'value="2019-01-01"' in html
    assert 'href="/admin/report.json?year=2018&amp;as_of=2019-01-01"' in html


SECTIONS = re.compile(r'<section aria-labelledby="residents-h".*</section>', re.S)


def test_the_sections_are_rendered_once_per_content(app, demo):
    """The report's sections are kept per content (web/report.py, report_body): the same report
    twice renders them at most once; a changed threshold is a new report, rendered anew."""
    from flask import template_rendered

    rendered = []

    def seen(sender, template, context, **extra):
        if template.name == "report/_body.html":
            rendered.append(context["thresholds"]["1"])

    admin = logged_in(app, demo["admin"])
    with template_rendered.connected_to(seen, app):
        first = admin.get("/admin/report?year=2019").get_data(as_text=True)
        again = admin.get("/admin/report?year=2019").get_data(as_text=True)
        assert len(rendered) <= 1  # none when an earlier test showed the same report
        assert SECTIONS.search(again).group(0) == SECTIONS.search(first).group(0)
        assert "1 — 75, 3 — 2" in again and 'data-testid="residents-active">463<' in again

        form = {"t1": "80", "t3": "2", "t4_events": "10", "t4_participants": "650"}
        post_form(admin, "/admin/settings", {**form, "t5": "50", "t6": "5"})
        changed = admin.get("/admin/report?year=2019").get_data(as_text=True)
        assert rendered[-1] == 80
        assert "1 — 80, 3 — 2" in changed and "1 — 75" not in changed
        assert 'data-testid="residents-active">463<' in changed
