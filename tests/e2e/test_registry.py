"""The registry in a browser: search, open a card, edit, save; then a concurrent edit is
refused with a message."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from tests.factories import Factory, make_person
from tests.support import browser_login

pytestmark = pytest.mark.e2e


@pytest.fixture
def registry(data_app):
    with data_app.app_context():
        factory = Factory()
        t = factory.tenant()
        admin = factory.user(t, "admin", email="registry-admin@example.test")
        school = factory.organization(t, "Первый район", name="Гимназия № 1")
        person = make_person(
            t,
            "Ёлкина",
            "Алёна",
            "Петровна",
            date(2008, 2, 3),
            organization=school,
            grade="9 класс",
            history=[("admit_school", date(2019, 5, 20))],
        )
        make_person(t, "Елкин", "Пётр", birth_on=date(2004, 1, 1))
        make_person(t, "Иванов", "Сергей", birth_on=date(2003, 1, 1))
        ids = (admin.email, person.id)
        db.session.remove()
    return ids


def _login(page: Page, email: str) -> None:
    browser_login(page, email)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


def test_search_open_edit_save(page: Page, registry):
    email, person_id = registry
    _login(page, email)
    page.get_by_role("link", name="Реестр").click()
    expect(page.get_by_test_id("registry-total")).to_have_text("Найдено: 3")

    page.get_by_label("ФИО").fill("ЁЛКИНА алена")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("registry-total")).to_have_text("Найдено: 1")
    page.get_by_role("link", name="Ёлкина Алёна Петровна").click()

    expect(page.get_by_test_id("person-name")).to_have_text("Ёлкина Алёна Петровна")
    expect(page.get_by_test_id("person-status")).to_have_text("Резидент (школьник)")
    expect(page.get_by_test_id("person-data")).to_contain_text("9 класс")
    expect(page.get_by_test_id("status-history")).to_contain_text("20.05.2019")

    page.get_by_role("link", name="Редактировать").click()
    page.get_by_label("Класс или курс").fill("10 класс")
    page.get_by_label("Телефон", exact=True).fill("+7 900 555-66-77")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_role("alert")).to_have_text("Сохранено.")
    assert page.url.endswith(f"/admin/people/{person_id}")
    expect(page.get_by_test_id("person-data")).to_contain_text("10 класс")
    expect(page.get_by_test_id("person-data")).to_contain_text("+7 900 555-66-77")
    expect(page.get_by_test_id("audit-trail")).to_contain_text("person.update")


def test_second_editor_is_told_the_card_changed(page: Page, registry, browser):
    email, person_id = registry
    _login(page, email)
    other = browser.new_page(base_url=page.url.split("/admin")[0])
    _login(other, email)
    page.goto(f"/admin/people/{person_id}/edit")
    other.goto(f"/admin/people/{person_id}/edit")
    page.get_by_label("Класс или курс").fill("10 класс")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert")).to_have_text("Сохранено.")

    other.get_by_label("Класс или курс").fill("11 класс")
    other.get_by_role("button", name="Сохранить").click()
    expect(other.get_by_test_id("stale")).to_contain_text("карточку изменил другой пользователь")
    other.get_by_role("link", name="Открыть актуальную версию").click()
    expect(other.get_by_label("Класс или курс")).to_have_value("10 класс")
    other.close()
