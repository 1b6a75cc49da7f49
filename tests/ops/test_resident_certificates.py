"""Resident certificates without the web: initials, one number per task run, escaping."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.documents.storage import read_bytes
from mkr_web.extensions import db
from mkr_web.models import (
    Certificate,
    CertificateKind,
    Job,
    JobState,
)
from mkr_web.operations import certificates
from tests.factories import admitted_batch, certificate_task_twice, row
from tests.support import issued_certificates, pdf_text
from workflows.lifecycle import PersonStatus

K = CertificateKind.RESIDENT


YEAR = date.today().year


def test_monogram_and_initials(world):
    assert certificates.monogram("Молодёжный кадровый ресурс Томской области") == "МКР"
    p = world.person("Соколова", "анна", "Игоревна", date(2004, 4, 12))
    assert certificates.initials(p) == "С. А. И."


def test_task_run_twice_issues_one_number(world):
    batch = admitted_batch(world, [row()])
    person_id = batch.candidates[0].person_id
    jobs = certificate_task_twice(world.tenant.id, "resident", person_id)
    assert issued_certificates() == [(K, person_id, f"РЕЗ-{YEAR}-001")]
    cert = db.session.execute(sa.select(Certificate)).scalar_one()
    done = [db.session.get(Job, j) for j in jobs]
    assert [(j.state, j.progress, j.result_file_id) for j in done] == [
        (JobState.DONE, 100, cert.file_id)
    ] * 2
    assert read_bytes(cert.file).startswith(b"%PDF-")


def test_pdf_text_escapes_the_name(world):
    p = world.person(
        'Иванова <img src="file:///etc/passwd">',
        "Мария",
        None,
        date(2004, 1, 2),
        status=PersonStatus.RESIDENT_SCHOOL,
    )
    p.admission_on, p.admission_basis = (
        date(2019, 5, 20),
        "Победитель (1 место): Конференция «Шаг в науку» 2019",
    )
    db.session.commit()
    cert = certificates.issue(world.tenant.id, K, p.id, issued_on=date(2019, 5, 21))
    stored = certificates.render(cert, certificates.verify_url(cert.code))
    db.session.commit()
    text = pdf_text(read_bytes(stored))
    assert "СВИДЕТЕЛЬСТВО резидента регионального банка данных" in text
    assert "№ РЕЗ-2019-001 от 21.05.2019" in text
    # printed as text (a long name may wrap), nothing fetched
    assert 'Иванова<imgsrc="file:///etc/passwd">Мария' in text.replace(" ", "")
    assert "Дата включения 20.05.2019" in text
    assert "Основание Победитель (1 место): Конференция «Шаг в науку» 2019" in text
    assert world.tenant.name in text and f"http://127.0.0.1:5000/verify/{cert.code}" in text
    assert "02.01.2004" not in text  # no birth date on the certificate
