"""A new region goes live in a browser (issue 11 item 7): the platform admin creates it, its
admin loads municipalities and schools from XLSX, sets the logo and the signatory, loads a
past year's persons with their history, opens the report (Table 1 shows the loaded
municipalities) and a Resident certificate in the region's look shows the logo."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from tests.factories import Factory
from tests.support import browser_login, last_link_path, png_bytes, xlsx_bytes

pytestmark = pytest.mark.e2e

PASSWORD = "Алтайский-кедр-2026"


@pytest.fixture
def platform_admin(data_app):
    with data_app.app_context():
        email = Factory().user(platform_admin=True, email="root-region@example.org").email
        db.session.remove()
    return email


def _upload(page: Page, tmp_path, name: str, data: bytes, commit: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.get_by_label("Файл XLSX или CSV").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("summary")).to_contain_text("ошибок 0")
    page.get_by_role("button", name=commit, exact=True).click()


def test_a_region_goes_live_through_its_pages(page: Page, data_app, platform_admin, tmp_path):
    browser_login(page, platform_admin)
    page.get_by_label("Код (латиница)").fill("altai-e2e")
    page.get_by_label("Название проекта").fill("Кадровый резерв Алтая")
    page.get_by_label("E-mail первого оператора").fill("altai-op@example.org")
    page.get_by_label("ФИО оператора").fill("Оператор Алтая")
    page.get_by_role("button", name="Создать").click()
    expect(page.get_by_text("Проект создан")).to_be_visible()

    with data_app.app_context():
        link = last_link_path("altai-op@example.org")
        db.session.remove()
    page.context.clear_cookies()
    page.goto(link)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.get_by_role("button", name="Принять приглашение").click()
    browser_login(page, "altai-op@example.org", PASSWORD)

    # municipalities and schools from XLSX
    page.get_by_role("link", name="Справочники").click()
    page.get_by_role("link", name="Импорт муниципалитетов").click()
    munis = xlsx_bytes(
        [["г. Барнаул", "городской округ", 1], ["Бийский район", "район", 2]],
        ["Название", "Тип", "Порядок"],
    )
    _upload(page, tmp_path, "munis.xlsx", munis, "Загрузить")
    expect(page.get_by_text("Загружено: новых 2, обновлено 0.")).to_be_visible()
    page.get_by_role("link", name="Импорт организаций").click()
    orgs = xlsx_bytes(
        [
            ["Лицей № 1 (г. Барнаул)", "школа", "г. Барнаул"],
            ["СОШ № 2 (Бийский район)", "школа", "Бийский район"],
        ],
        ["Название", "Тип", "Муниципалитет"],
    )
    _upload(page, tmp_path, "orgs.xlsx", orgs, "Загрузить")
    expect(page.get_by_test_id("municipalities")).to_contain_text("Бийский район")

    # the look: logo and signatory
    page.get_by_role("link", name="Настройки").click()
    page.get_by_test_id("branding-link").click()
    page.get_by_label("Полное название оператора").fill("КГБУ «Алтайский центр»")
    page.get_by_label("Подписант: ФИО").fill("Смирнов Иван Петрович")
    page.get_by_label("Подписант: должность").fill("Директор")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(80, 40))
    page.get_by_label("Логотип (PNG, JPEG или SVG, до 512 КБ)").set_input_files(str(logo))
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Оформление сохранено.")).to_be_visible()
    expect(page.get_by_test_id("has-logo")).to_be_visible()

    # a past year's persons with their history
    page.goto("/admin/people/import")
    header = ["Фамилия", "Имя", "Дата рождения", "Муниципалитет", "Образовательная организация",
              "Статус", "Дата статуса"]  # fmt: skip
    rows = [
        ["Алексеева", "Анна", date(2003, 1, 1), "Бийский район", "Лицей № 1", "потенциальный", date(2018, 10, 1)],
        ["Борисов", "Пётр", date(2003, 2, 2), "г. Барнаул", "Лицей № 1", "школьник", date(2019, 4, 1)],
        ["Алексеева", "Анна", date(2003, 1, 1), "Бийский район", "Лицей № 1", "школьник", date(2019, 5, 1)],
        ["Воронова", "Ольга", date(2003, 3, 3), "Бийский район", "СОШ № 2", "школьник", date(2019, 5, 2)],
    ]  # fmt: skip
    _upload(page, tmp_path, "people.xlsx", xlsx_bytes(rows, header), "Загрузить в банк")
    expect(page.get_by_text("Загружено: новых 3")).to_be_visible()

    # the report: Table 1 by the school's municipality
    page.goto("/admin/report?year=2019")
    table1 = page.get_by_test_id("table1")
    # (municipality, organisations, school Residents): Алексеева of Бийский район studies
    # at the lyceum of г. Барнаул, so she is counted there
    expect(table1.get_by_role("row", name="г. Барнаул 1 2", exact=True)).to_be_visible()
    expect(table1.get_by_role("row", name="Бийский район 1 1", exact=True)).to_be_visible()

    # a Resident certificate in the region's look carries the logo
    resp = page.request.get("/admin/settings/branding/preview/resident.pdf")
    assert resp.headers["content-type"] == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(resp.body()))
    assert "КГБУ «Алтайский центр»" in pdf.pages[0].extract_text()
    images = [name for name in pdf.pages[0]["/Resources"]["/XObject"]]
    assert len(images) == 2  # the logo and the QR code
