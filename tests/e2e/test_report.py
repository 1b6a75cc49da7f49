"""The admin opens the report dashboard in Chromium, starts the PDF, waits for it (the page
polls the job) and downloads it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from tests.factories import Factory, load_report_demo
from tests.support import browser_login, pdf_text

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_email(data_app):
    with data_app.app_context():
        tenant = load_report_demo()
        email = Factory().user(tenant, "admin", email="report-admin@example.test").email
        db.session.remove()
    return email


def test_dashboard_pdf_download(page: Page, admin_email, tmp_path):
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    browser_login(page, admin_email)
    page.get_by_role("link", name="Аналитическая справка").click()

    expect(page.get_by_test_id("report-title")).to_have_text("Аналитическая справка за 2019 год")
    expect(page.get_by_test_id("residents-active")).to_have_text("463")
    expect(page.get_by_test_id("table1").locator("tr", has_text="г. Томск")).to_contain_text("25")
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.get_by_test_id("coverage").locator("td.heat-4").first).to_be_visible()

    page.get_by_test_id("start-pdf").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    link = page.get_by_role("link", name="Скачать PDF")
    expect(link).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("job")).to_have_attribute("data-state", "done")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "mkr-report-tomsk-2019.pdf"
    path = tmp_path / "report.pdf"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(pdf_text(data).split())
    assert "число действующих Резидентов составило 463 человека" in text and "Итого 69 312" in text
    assert csp_errors == []
