"""In Chromium: the organiser uploads a results file, the coordinator confirms, the admin
admits the batch, downloads the certificates (a ZIP and one PDF), and the certificate's
verification page opens."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Certificate, CertificateKind, Job
from mkr_web.operations.admission_rows import COLUMNS
from tests.factories import PROTOCOL_ANNA, World
from tests.support import browser_login, confirm_in_dialog, screenshot, settle_jobs, wait_for_job

pytestmark = pytest.mark.e2e


def _protocol_file(path: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title for _key, title in COLUMNS])
    ws.append(PROTOCOL_ANNA)
    ws.append(
        [
            "Петров",
            "Илья",
            None,
            date(2000, 1, 1),
            "Университет",
            "2 курс",
            "Первый район",
            "призёр",
            2,
            None,
            None,
        ]
    )
    wb.save(path)


def test_results_file_to_verified_certificate(page: Page, factory, tmp_path):
    world = World(factory)
    emails = (world.organizer.email, world.coord1.email, world.admin.email)
    upload = str(tmp_path / "протокол.xlsx")
    _protocol_file(upload)

    # the organiser uploads the file, sees the preview, sends the protocol
    browser_login(page, emails[0])
    page.get_by_role("link", name="Протоколы результатов").click()
    page.get_by_role("link", name="Загрузить протокол из файла").click()
    page.get_by_label("Файл XLSX или CSV").set_input_files(upload)
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("summary")).to_contain_text(
        "Файл «протокол.xlsx»: строк 2, ошибок 0. Новых людей: 2"
    )
    screenshot(page, "protocol-upload-preview.png")
    page.get_by_role("button", name="Отправить протокол").click()
    expect(page.locator("h1")).to_have_text("Протокол ПРОТ-2019-001")
    expect(page.locator('tr[data-state="submitted"]')).to_have_count(2)

    # the coordinator confirms both with the consent on file
    browser_login(page, emails[1])
    page.get_by_role("link", name="Кандидаты на включение").click()
    for _ in range(2):
        # on the list (not the page being left) before the click, on the candidate after it:
        # a click made while the previous navigation was landing was lost once in CI
        expect(page).to_have_url(re.compile(r"/coordinator/admission/$"))
        page.locator("[data-candidate] a").first.click()
        expect(page).to_have_url(re.compile(r"/coordinator/admission/candidates/\d+$"))
        page.get_by_label("Дата согласия на обработку персональных данных").fill(
            date.today().isoformat()
        )
        page.get_by_label("Оригинал согласия хранится у меня (скан не прикладываю)").check()
        page.get_by_role("button", name="Подтвердить", exact=True).click()
        expect(page.get_by_role("alert")).to_have_text("Данные и согласие подтверждены.")
        page.get_by_role("link", name="Ко всем кандидатам").click()
    expect(page.locator("[data-candidate]")).to_have_count(0)

    # the admin admits the batch: one job renders both certificates
    browser_login(page, emails[2])
    page.get_by_role("link", name="Включение в банк").click()
    page.get_by_role("link", name="ПРОТ-2019-001").click()
    # irreversible: the dialog names what happens, then it is confirmed
    confirm_in_dialog(page, page.get_by_role("button", name="Включить всех подтверждённых (2)"))
    expect(page.get_by_role("alert")).to_contain_text("Включено в банк: 2")
    job = db.session.execute(sa.select(Job).where(Job.kind == "resident_certificates")).scalar_one()
    assert wait_for_job(job.id).state.value == "done"
    page.reload()
    expect(page.get_by_test_id("certificates")).to_contain_text("свидетельств выдано: 2")
    screenshot(page, "admission-batch-certificates.png")
    with page.expect_download() as zipped:
        page.get_by_test_id("certificates-zip").click()
    with zipfile.ZipFile(io.BytesIO(open(zipped.value.path(), "rb").read())) as zf:
        assert len(zf.namelist()) == 2

    # one certificate as a PDF, and the page its QR code leads to
    with page.expect_download() as one:
        page.locator('tr[data-row="2"]').get_by_role("link", name="Свидетельство").click()
    text = subprocess.run(
        ["pdftotext", "-layout", one.value.path(), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    db.session.expire_all()
    person_id = db.session.execute(
        sa.select(AdmissionCandidate.person_id).where(AdmissionCandidate.row_no == 2)
    ).scalar_one()
    cert = db.session.execute(
        sa.select(Certificate).where(
            Certificate.kind == CertificateKind.RESIDENT, Certificate.subject_id == person_id
        )
    ).scalar_one()
    assert cert.number in text and "Соколова Анна Игоревна" in text
    assert f"/verify/{cert.code}" in "".join(text.split())
    page.context.clear_cookies()
    page.goto(f"/verify/{cert.code}")
    expect(page.get_by_test_id("cert-number")).to_have_text(cert.number)
    expect(page.get_by_test_id("cert-status")).to_have_text("Действительно")
    expect(page.get_by_test_id("cert-facts")).to_contain_text("С. А. И.")
    expect(page.locator("main")).not_to_contain_text("Соколова")
    screenshot(page, "resident-certificate-verify.png")
    settle_jobs()
