"""Accreditation certificates: idempotent numbering, the PDF rendered by a worker job, the
organiser's download with progress, the public /verify/<code> page."""

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind, Job, JobState
from mkr_web.operations import certificates
from tests.factories import accredited, application_reviewed as reviewed
from tests.support import login, pdf_text, post_form, wait_for_job

K = CertificateKind.ACCREDITATION


def test_verify_page_shows_only_non_personal_facts(app, w, factory):
    a = accredited(w, valid=(2020, date.today().year + 1))
    cert = certificates.issue(w.tenant.id, K, a.id, issued_on=date(2020, 3, 1))
    db.session.commit()
    client = app.test_client()  # anonymous
    resp = client.get(f"/verify/{cert.code}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-testid="cert-number">АКР-2020-001<' in html
    assert 'data-testid="cert-status">Действительно<' in html
    for fact in (
        a.title,
        w.org.name,
        "Проектная и исследовательская деятельность",
        f'<dd class="col-sm-8">2020–{date.today().year + 1}</dd>',
        a.number,
        "01.03.2020",
        w.tenant.name,
    ):
        assert fact in html, fact
    for user in (w.admin, w.organizer, w.expert1, w.expert2):
        assert user.full_name not in html and user.email not in html
    assert client.get("/verify/not-a-real-code").status_code == 404
    assert client.get("/verify/" + "x" * 65).status_code == 404


def test_verify_page_says_when_expired(app, w):
    a = accredited(w, valid=(2016, 2018))
    cert = certificates.issue(w.tenant.id, K, a.id)
    db.session.commit()
    html = app.test_client().get(f"/verify/{cert.code}").get_data(as_text=True)
    assert (
        'data-testid="cert-status">Срок действия истёк или свидетельство недействительно<' in html
    )


def _download_certificate(client, url: str) -> bytes:
    """The certificate link: the PDF, or the job page whose JSON status points at the file."""
    resp = client.get(url)
    if resp.status_code == 302:
        job_id = int(resp.headers["Location"].rsplit("/", 1)[1])
        assert client.get(f"/jobs/{job_id}").status_code == 200
        assert wait_for_job(job_id).state is JobState.DONE
        status = client.get(f"/jobs/{job_id}/status").get_json()
        assert (status["state"], status["progress"]) == ("done", 100)
        resp = client.get(status["download_url"])
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    return resp.data


def test_accrediting_renders_the_certificate_the_organizer_downloads_it(app, w):
    a = reviewed(w)
    admin = app.test_client()
    login(admin, w.admin.email)
    url = f"/admin/accreditation/{a.id}"
    post_form(
        admin,
        f"{url}/accredit",
        {
            "accredit-valid_from": "2020",
            "accredit-valid_to": "2022",
            "accredit-comment": "",
            "accredit-version": str(a.version),
        },
        form_url=url,
    )
    job = db.session.execute(sa.select(Job).where(Job.kind == "certificate")).scalar_one()
    assert (job.key, job.created_by_id, job.params["subject_id"]) == (
        f"accreditation:{a.id}",
        w.admin.id,
        a.id,
    )
    wait_for_job(job.id)

    organizer = app.test_client()
    login(organizer, w.organizer.email)
    page = organizer.get(f"/organizer/accreditation/{a.id}").get_data(as_text=True)
    assert 'data-testid="certificate-link"' in page
    data = _download_certificate(organizer, f"/organizer/accreditation/{a.id}/certificate")
    cert = db.session.execute(sa.select(Certificate)).scalar_one()
    assert cert.number in pdf_text(data)
    # the admin's job is not the organiser's: 404, not a leak
    assert organizer.get(f"/jobs/{job.id}").status_code == 404
    assert organizer.get(f"/jobs/{job.id}/status").status_code == 404


def test_certificate_rendered_on_first_download_when_missing(app, w):
    a = accredited(w)  # accredited without a job (e.g. by the demo): no file yet
    organizer = app.test_client()
    login(organizer, w.organizer.email)
    data = _download_certificate(organizer, f"/organizer/accreditation/{a.id}/certificate")
    assert data.startswith(b"%PDF-")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_no_certificate_before_accreditation(app, w):
    a = reviewed(w)
    organizer = app.test_client()
    login(organizer, w.organizer.email)
    assert organizer.get(f"/organizer/accreditation/{a.id}/certificate").status_code == 404
    admin = app.test_client()
    login(admin, w.admin.email)
    assert admin.get(f"/admin/accreditation/{a.id}/certificate").status_code == 404
