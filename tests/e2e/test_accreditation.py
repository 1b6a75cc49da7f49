"""Accreditation in the browser: the organiser submits, the admin assigns two experts, both
score, the admin accredits, the organiser downloads the certificate."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from mkr_web.extensions import db
from mkr_web.models import Certificate, Job
from tests.factories import REGULATION_PDF as PDF, Factory
from tests.support import browser_login, confirm_in_dialog, wait_for_job

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(data_app):
    with data_app.app_context():
        f = Factory()
        tenant = f.tenant("e2e")
        org = f.organization(
            tenant, "Первый район", name="Дом научной молодёжи", kind="supplementary"
        )
        users = {
            "organizer": f.user(tenant, "organizer", email="org@e2e.test", organization=org),
            "admin": f.user(tenant, "admin", email="admin@e2e.test"),
            "expert1": f.user(tenant, "expert", email="e1@e2e.test"),
            "expert2": f.user(tenant, "expert", email="e2@e2e.test"),
        }
        out = {k: (u.email, u.full_name) for k, u in users.items()}
        db.session.remove()
    return out


def _page(browser: Browser, base_url: str, email: str):
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    page = context.new_page()
    browser_login(page, email)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    return page


def test_accreditation_from_submission_to_certificate(
    browser: Browser, live_server, people, data_app
):
    organizer = _page(browser, live_server, people["organizer"][0])
    organizer.get_by_role("link", name="Аккредитация").click()
    organizer.get_by_role("link", name="Новая заявка").click()
    organizer.get_by_label("Название мероприятия").fill("Конференция «Юные исследователи»")
    organizer.get_by_label("Тематическое направление").select_option(
        label="Проектная и исследовательская деятельность"
    )
    organizer.get_by_label("Ожидаемое число участников").fill("300")
    organizer.get_by_label("Как определяются победители").fill("Жюри по критериям положения")
    organizer.get_by_label("Положение о мероприятии (PDF, до 10 МБ)").set_input_files(
        {"name": "polozhenie.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    organizer.get_by_role("button", name="Сохранить черновик").click()
    expect(organizer.get_by_role("alert")).to_have_text("Черновик заявки сохранён.")
    expect(organizer.get_by_test_id("state")).to_have_text("Черновик")
    organizer.get_by_role("button", name="Подать заявку").click()
    expect(organizer.get_by_test_id("state")).to_have_text("Подана")
    number = organizer.locator("h1").inner_text().split()[1]

    admin = _page(browser, live_server, people["admin"][0])
    admin.get_by_role("link", name="Аккредитация").click()
    # the list must be there before its link is looked for: the dashboard may hold a link
    # whose name contains the number, and a click on the page being left is lost
    expect(admin).to_have_url(re.compile(r"/admin/accreditation$"))
    admin.get_by_role("link", name=number, exact=True).click()
    admin.get_by_label("Эксперты").select_option(label=[people["expert1"][1], people["expert2"][1]])
    admin.get_by_role("button", name="Назначить экспертов").click()
    expect(admin.get_by_test_id("state")).to_have_text("На экспертизе")

    for key, points in (("expert1", "8"), ("expert2", "9")):
        expert = _page(browser, live_server, people[key][0])
        expert.get_by_role("link", name="Экспертиза").click()
        expert.get_by_role("link", name=f"{number} · Конференция «Юные исследователи»").click()
        expect(expert.get_by_test_id("other-scores")).to_have_count(0)
        inputs = expert.locator("input.score-input")
        expect(inputs).to_have_count(5)
        for i in range(5):
            inputs.nth(i).fill("5" if i == 4 else points)
        expert.get_by_role("button", name="Отправить оценку").click()
        expect(expert.get_by_role("alert")).to_have_text("Оценка отправлена.")
        expect(expert.get_by_test_id("my-state")).to_have_text("Оценка отправлена")
        expert.context.close()

    admin.reload()
    expect(admin.get_by_test_id("state")).to_have_text("Экспертиза завершена")
    # 8+8+12+8+5 = 41 and 9+9+13.5+9+5 = 45.5
    expect(admin.get_by_test_id("mean")).to_have_text("43,25")
    expect(admin.get_by_test_id("spread")).to_have_text("4,50")
    admin.get_by_label("Аккредитовано с (год)").fill("2020")
    admin.get_by_label("по (год включительно)").fill("2022")
    # irreversible: the dialog names what happens, then it is confirmed
    confirm_in_dialog(admin, admin.get_by_role("button", name="Аккредитовать"))
    expect(admin.get_by_test_id("state")).to_have_text("Аккредитовано")
    expect(admin.get_by_test_id("history")).to_contain_text("Аккредитовать")

    with data_app.app_context():  # a real worker may still be rendering
        job_id = db.session.execute(sa.select(Job.id).where(Job.kind == "certificate")).scalar_one()
        assert wait_for_job(job_id).state.value == "done"
        cert_number = db.session.execute(sa.select(Certificate.number)).scalar_one()
        db.session.remove()

    organizer.reload()
    expect(organizer.get_by_test_id("state")).to_have_text("Аккредитовано")
    expect(organizer.get_by_test_id("validity")).to_have_text("2020–2022")
    with organizer.expect_download() as info:
        organizer.get_by_test_id("certificate-link").click()
    download = info.value
    assert download.suggested_filename == f"accreditation-{cert_number}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_certificate_progress_page(browser: Browser, live_server, people, data_app):
    """A certificate not rendered yet: the link opens the progress page, which polls the job
    and offers the file when it is done."""
    with data_app.app_context():
        from mkr_web.models import Organization, Tenant, User
        from tests.factories import World, accredited

        def user(key):
            return db.session.execute(
                sa.select(User).where(User.email == people[key][0])
            ).scalar_one()

        tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == "e2e")).scalar_one()
        org = db.session.execute(
            sa.select(Organization).where(Organization.tenant_id == tenant.id)
        ).scalar_one()
        w = World.of(
            tenant, user("admin"), user("organizer"), org, user("expert1"), user("expert2")
        )
        application = accredited(w)
        app_id = application.id
        db.session.remove()

    organizer = _page(browser, live_server, people["organizer"][0])
    organizer.goto(f"/organizer/accreditation/{app_id}")
    organizer.get_by_test_id("certificate-link").click()
    expect(organizer.get_by_role("heading", name="Подготовка документа")).to_be_visible()
    link = organizer.get_by_test_id("job-download")
    expect(link).to_be_visible(timeout=60_000)
    expect(organizer.get_by_test_id("job")).to_have_attribute("data-state", "done")
    with organizer.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.startswith("accreditation-")
