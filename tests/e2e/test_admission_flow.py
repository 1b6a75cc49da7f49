"""In Chromium: the organiser types a protocol, the coordinator confirms with the consent on
file, the admin admits the batch; each page is screenshotted for review."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Person
from tests.factories import World
from tests.support import browser_login, confirm_in_dialog, screenshot, settle_jobs
from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

pytestmark = pytest.mark.e2e


def _fill_row(page: Page, i: int, values: dict) -> None:
    for label, value in values.items():
        field = page.get_by_label(f"Строка {i}: {label}", exact=True)
        if label in ("Муниципалитет", "Результат"):
            field.select_option(label=value)
        else:
            field.fill(value)


def test_protocol_to_admission(page: Page, factory):
    world = World(factory)
    emails = (world.organizer.email, world.coord1.email, world.admin.email)
    edition_id = world.edition.id

    browser_login(page, emails[0])
    page.get_by_role("link", name="Протоколы результатов").click()
    page.get_by_role("link", name="Ввести протокол победителей").click()
    _fill_row(
        page,
        1,
        {
            "Фамилия": "Соколова",
            "Имя": "Анна",
            "Отчество": "Игоревна",
            "Дата рождения": "12.04.2004",
            "Образовательная организация": "МБОУ «СОШ № 1»",
            "Класс/курс": "9 класс",
            "Муниципалитет": "Первый район",
            "Результат": "победитель",
            "Место": "1",
            "Контакт родителя": "Соколова Ирина, +7 913 555-01-02",
        },
    )
    _fill_row(
        page,
        2,
        {
            "Фамилия": "Петров",
            "Имя": "Илья",
            "Дата рождения": "01.01.2004",
            "Образовательная организация": "МБОУ «СОШ № 1»",
            "Класс/курс": "10",
            "Муниципалитет": "Первый район",
            "Результат": "призёр",
            "Место": "2",
        },
    )
    page.get_by_role("button", name="Отправить протокол").click()
    expect(page.get_by_test_id("row-errors")).to_contain_text(
        "Строка 2, «Контакт родителя»: обязателен для несовершеннолетних"
    )
    expect(page.get_by_label("Строка 2: Контакт родителя", exact=True)).to_have_class(
        "form-control form-control-sm is-invalid"
    )
    screenshot(page, "admission-protocol-errors.png")
    page.get_by_label("Строка 2: Контакт родителя", exact=True).fill("+7 913 555-03-04")
    page.get_by_role("button", name="Отправить протокол").click()
    expect(page.locator("h1")).to_have_text("Протокол ПРОТ-2019-001")
    expect(page.locator('tr[data-state="submitted"]')).to_have_count(2)

    browser_login(page, emails[1])
    page.get_by_role("link", name="Кандидаты на включение").click()
    for _ in range(2):
        page.locator("[data-candidate] a").first.click()
        page.get_by_label("Дата согласия на обработку персональных данных").fill("2019-04-01")
        page.get_by_label("Оригинал согласия хранится у меня (скан не прикладываю)").check()
        page.get_by_role("button", name="Подтвердить", exact=True).click()
        expect(page.get_by_role("alert")).to_have_text("Данные и согласие подтверждены.")
        screenshot(page, "admission-coordinator-candidate.png")
        page.get_by_role("link", name="Ко всем кандидатам").click()
    expect(page.locator("[data-candidate]")).to_have_count(0)

    browser_login(page, emails[2])
    page.get_by_role("link", name="Включение в банк").click()
    page.get_by_role("link", name="ПРОТ-2019-001").click()
    screenshot(page, "admission-admin-batch.png")
    # irreversible: the dialog names what happens, then it is confirmed
    confirm_in_dialog(page, page.get_by_role("button", name="Включить всех подтверждённых (2)"))
    expect(page.get_by_role("alert")).to_contain_text("Включено в банк: 2")
    expect(page.locator('tr[data-state="admitted"]')).to_have_count(2)

    db.session.expire_all()
    states = db.session.scalars(sa.select(AdmissionCandidate.state)).all()
    assert states == [CandidateState.ADMITTED] * 2
    persons = db.session.execute(
        sa.select(Person.search_name, Person.status).order_by(Person.id)
    ).all()
    assert persons == [
        ("соколова анна игоревна", PersonStatus.RESIDENT_SCHOOL),
        ("петров илья", PersonStatus.RESIDENT_SCHOOL),
    ]
    assert edition_id
    settle_jobs()  # admitting queued the certificates
