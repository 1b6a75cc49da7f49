"""Every demo user logs in through the real form in Chromium and lands on their dashboard."""

from __future__ import annotations

import os
import tempfile

import pytest
from playwright.sync_api import Page, expect

from mkr_web.demo import DEMO_USERS, TENANT_NAME, load_demo
from mkr_web.extensions import db
from workflows.roles import Role

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-demo-password"
SCREENSHOT_DIR = os.path.join(tempfile.gettempdir(), "mkr-e2e")

DASHBOARD_TITLES = {
    Role.PLATFORM_ADMIN: "Региональные проекты на платформе",
    Role.ADMIN: f"Кабинет оператора: {TENANT_NAME}",
    Role.COORDINATOR: "Кабинет муниципального координатора",
    Role.ORGANIZER: "Кабинет организатора мероприятий",
    Role.EXPERT: "Кабинет эксперта",
}

# the navbar's blue: .bg-primary of Bootstrap darkened by mkr.css for contrast (issue 17), so
# it proves both stylesheets loaded
BOOTSTRAP_PRIMARY = "rgb(10, 88, 202)"


@pytest.fixture
def demo_tenant(data_app):
    with data_app.app_context():
        load_demo(PASSWORD)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize(
    ("email", "role"),
    [(u[0], u[1]) for u in DEMO_USERS],
    ids=[u[0].split("@")[0] for u in DEMO_USERS],
)
def test_demo_user_sees_own_dashboard(page: Page, demo_tenant, email, role):
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Вход в систему")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_test_id("dashboard-title")).to_have_text(DASHBOARD_TITLES[role])
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    # Retrying assertion: the stylesheet may still be loading when the heading is there.
    expect(page.locator("nav.navbar")).to_have_css("background-color", BOOTSTRAP_PRIMARY)
    if role is Role.ADMIN:
        page.wait_for_load_state("load")
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "admin-dashboard.png"), full_page=True)


def test_wrong_password_stays_on_login_page(page: Page, demo_tenant):
    page.goto("/login")
    page.get_by_label("Электронная почта").fill(DEMO_USERS[1][0])
    page.get_by_label("Пароль").fill("not-the-password")
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("alert")).to_have_text("Неверная электронная почта или пароль.")
    expect(page.get_by_test_id("dashboard-title")).to_have_count(0)
