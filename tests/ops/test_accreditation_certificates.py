"""Accreditation certificates: numbering once per subject, the rendering task, the PDF's facts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mkr_web.documents.storage import read_bytes
from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind, Job, JobState
from mkr_web.operations import certificates
from tests.factories import accredited, certificate_task_twice, world
from tests.support import pdf_text

K = CertificateKind.ACCREDITATION


def test_numbers_are_issued_once_per_subject(w, factory):
    a1 = accredited(w)
    a2 = accredited(w, title="Второе мероприятие")
    c1 = certificates.issue(w.tenant.id, K, a1.id, issued_on=date(2020, 3, 1))
    again = certificates.issue(w.tenant.id, K, a1.id, issued_on=date(2021, 1, 1))
    c2 = certificates.issue(w.tenant.id, K, a2.id, issued_on=date(2020, 4, 1))
    db.session.commit()
    assert again.id == c1.id
    assert (c1.number, c1.issued_on, c2.number) == (
        "АКР-2020-001",
        date(2020, 3, 1),
        "АКР-2020-002",
    )
    assert len(c1.code) >= 32 and c1.code != c2.code
    other = world(factory)
    b = accredited(other)
    assert (
        certificates.issue(other.tenant.id, K, b.id, issued_on=date(2020, 5, 1)).number
        == "АКР-2020-001"
    )


def test_task_twice_does_not_take_a_second_number(w):
    a = accredited(w)
    jobs = certificate_task_twice(w.tenant.id, "accreditation", a.id)
    db.session.expire_all()
    certs = db.session.scalars(sa.select(Certificate)).all()
    assert [(c.kind, c.subject_id, c.number) for c in certs] == [
        (K, a.id, f"АКР-{date.today().year}-001")
    ]
    done = [db.session.get(Job, j) for j in jobs]
    assert [(j.state, j.progress, j.result_file_id) for j in done] == [
        (JobState.DONE, 100, certs[0].file_id)
    ] * 2


def test_pdf_shows_the_facts_and_escapes_markup(w):
    a = accredited(w, title='Форум <img src="file:///etc/passwd"> «Юность»', valid=(2019, 2023))
    cert = certificates.issue(w.tenant.id, K, a.id, issued_on=date(2019, 12, 2))
    stored = certificates.render(cert, certificates.verify_url(cert.code))
    db.session.commit()
    data = read_bytes(stored)
    assert data.startswith(b"%PDF-") and stored.kind == "certificate"
    text = pdf_text(data)
    assert "СВИДЕТЕЛЬСТВО об аккредитации мероприятия" in text
    assert "№ АКР-2019-001 от 02.12.2019" in text
    assert '«Форум <img src="file:///etc/passwd"> „Юность“»' in text
    assert "на срок с 2019 по 2023 год включительно" in text
    assert f"Организатор {w.org.name}" in text
    assert f"http://127.0.0.1:5000/verify/{cert.code}" in text
