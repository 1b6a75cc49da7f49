"""In Chromium: the admin records an opportunity and places a Resident found by name."""

from __future__ import annotations

import os
import tempfile
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.factories import World
from tests.support import browser_login
from workflows.lifecycle import PersonStatus

pytestmark = pytest.mark.e2e
SCREENSHOT_DIR = os.path.join(tempfile.gettempdir(), "mkr-e2e")


def test_admin_places_a_resident(page: Page, factory):
    world = World(factory)
    world.person(
        "Ёлкина", "Алёна", "Петровна", date(2004, 1, 1), status=PersonStatus.RESIDENT_SCHOOL
    )
    browser_login(page, world.admin.email)
    page.get_by_role("link", name="Возможности и партнёры").click()
    page.get_by_label("Вид", exact=True).select_option(label="Профильная смена")
    page.get_by_label("Название", exact=True).fill("Смена «Робототехника»")
    page.get_by_label("Год", exact=True).fill("2019")
    page.get_by_label("Начало", exact=True).fill("2019-07-01")
    page.get_by_role("button", name="Добавить").click()
    expect(page.locator("h1")).to_have_text("Смена «Робототехника»")
    page.get_by_label("Поиск человека по ФИО").fill("елкина алена")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("results").locator("tbody tr")).to_have_count(1)
    page.get_by_test_id("results").get_by_role("button", name="Добавить").click()
    expect(page.get_by_role("alert")).to_have_text("Участник добавлен.")
    expect(page.get_by_test_id("placements")).to_contain_text("Ёлкина Алёна Петровна")
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "programme-opportunity.png"), full_page=True)
    page.get_by_role("link", name="Все возможности").click()
    expect(page.get_by_test_id("opportunities")).to_contain_text("Смена «Робототехника»")
