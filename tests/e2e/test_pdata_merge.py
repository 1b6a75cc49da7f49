"""Merging two records of one person from the duplicates page, in a browser: search, open the
pair, keep the second record's phone, confirm in the dialog, land on the survivor's card."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from tests.factories import Factory, make_person
from tests.support import browser_login, confirm_in_dialog

pytestmark = pytest.mark.e2e


@pytest.fixture
def twins(data_app):
    with data_app.app_context():
        factory = Factory()
        t = factory.tenant()
        admin = factory.user(t, "admin", email="merge-admin@example.test")
        first = make_person(
            t,
            "Двойникова",
            "Ольга",
            "Ивановна",
            date(2007, 9, 1),
            history=[("admit_school", date(2019, 5, 20))],
        )
        second = make_person(
            t, "Двойникова", "Ольга", None, date(2007, 9, 1), phone="+7 900 123-45-67"
        )
        ids = (admin.email, first.id, second.id)
        db.session.remove()
    return ids


def test_admin_merges_two_persons_from_the_duplicates_page(page: Page, twins):
    email, first_id, second_id = twins
    browser_login(page, email)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    page.get_by_role("link", name="Дубликаты").click()
    page.get_by_test_id("duplicates-search").click()
    row = page.locator('[data-testid="duplicates"] tr[data-pair]')
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("score")).to_have_text("90")
    row.get_by_test_id("merge-link").click()

    expect(page.locator('tr[data-field="phone"]')).to_contain_text("+7 900 123-45-67")
    expect(page.locator("#phone-b")).to_be_checked()  # the first record has no phone
    page.locator("#patronymic-a").check()
    confirm_in_dialog(page, page.get_by_test_id("merge-submit"))

    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/people/{first_id}#merges")
    expect(page.get_by_test_id("person-name")).to_have_text("Двойникова Ольга Ивановна")
    expect(page.get_by_test_id("person-status")).to_have_text("Резидент (школьник)")
    expect(page.get_by_test_id("person-data")).to_contain_text("+7 900 123-45-67")
    expect(page.get_by_test_id("merges")).to_contain_text(
        f"присоединена запись № {second_id}; поля из неё: Телефон"
    )
    page.goto(f"/admin/people/{second_id}")
    expect(page.locator("h1")).to_contain_text("404")
