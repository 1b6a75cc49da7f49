"""Resident certificates: queued on admission, numbered once (a task run twice takes no second
number), a batch as one ZIP rendered by a job with progress, the PDF's text, /verify/<code>."""

import io
import zipfile
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionCandidate,
    CertificateKind,
    Job,
    JobState,
    StoredFile,
)
from mkr_web.operations import admission as ops, certificates, resident_certificates
from tests.factories import World, admitted_batch, row
from tests.support import (
    issued_certificates,
    logged_in,
    pdf_text,
    post_form,
    wait_for_job,
)
from workflows.lifecycle import PersonStatus

K = CertificateKind.RESIDENT
YEAR = date.today().year


def test_admitting_one_queues_its_certificate(app, world):
    batch = ops.create_batch(world.edition, [row()], world.organizer)
    db.session.commit()
    candidate = batch.candidates[0]
    ops.confirm_candidate(
        candidate, world.membership(world.admin), consent_on=date.today(), on_file=True
    )
    db.session.commit()
    admin = logged_in(app, world.admin)
    url = f"/admin/admission/candidates/{candidate.id}"
    post_form(admin, f"{url}/admit", {"version": str(candidate.version)}, form_url=url)
    job = db.session.execute(sa.select(Job)).scalar_one()
    person_id = db.session.get(AdmissionCandidate, candidate.id).person_id
    assert (job.kind, job.key, job.created_by_id) == (
        "certificate",
        f"resident:{person_id}",
        world.admin.id,
    )
    assert wait_for_job(job.id).state is JobState.DONE
    assert issued_certificates() == [(K, person_id, f"РЕЗ-{YEAR}-001")]
    # the person card links the certificate; the download is the PDF
    card = admin.get(f"/admin/people/{person_id}").get_data(as_text=True)
    assert 'data-testid="resident-certificate"' in card
    resp = admin.get(f"/admin/people/{person_id}/certificate")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f"РЕЗ-{YEAR}-001" in pdf_text(resp.data)


def test_batch_zip_with_progress_and_twice(app, world):
    resident = world.person(
        "Белова", "Мария", None, date(2003, 2, 3), status=PersonStatus.RESIDENT_SCHOOL
    )
    rows = [
        row(),
        row(surname="Второв", name="Олег"),
        row(surname="Третьякова", name="Вера"),
        row(surname="Белова", name="Мария", patronymic="", birth_date="03.02.2003"),
    ]
    batch = ops.create_batch(world.edition, rows, world.organizer)
    db.session.commit()
    for c in batch.candidates:
        ops.confirm_candidate(
            c, world.membership(world.admin), consent_on=date.today(), on_file=True
        )
    db.session.commit()
    admin = logged_in(app, world.admin)
    url = f"/admin/admission/batches/{batch.id}"
    post_form(admin, f"{url}/admit-all", {}, form_url=url)
    # the three new Residents' certificates: one batch job (the Resident got an achievement)
    job = db.session.execute(sa.select(Job)).scalar_one()
    assert (job.kind, job.key, job.params["batch_id"]) == (
        "resident_certificates",
        f"batch:{batch.id}",
        batch.id,
    )
    assert wait_for_job(job.id).state is JobState.DONE
    person_ids = resident_certificates.batch_person_ids(batch)
    assert len(person_ids) == 3 and resident.id not in person_ids
    numbers = {pid: f"РЕЗ-{YEAR}-00{i}" for i, pid in enumerate(person_ids, start=1)}
    assert issued_certificates() == [(K, pid, n) for pid, n in numbers.items()]

    page = admin.get(url).get_data(as_text=True)
    assert "Включены в банк этим протоколом: 3; свидетельств выдано: 3." in page
    assert 'data-testid="certificates-zip"' in page
    # admitted: the match badges («Новый», …) described the file, no longer the state
    assert ">Новый</span>" not in page and page.count('data-state="admitted"') == 4
    zipped = admin.get(f"/jobs/{job.id}/file")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as zf:
        names = zf.namelist()
        # each entry names its holder, for the person who prints and hands them out
        assert names == [
            f"РЕЗ-{YEAR}-001 Соколова А.И.pdf",
            f"РЕЗ-{YEAR}-002 Второв О.И.pdf",
            f"РЕЗ-{YEAR}-003 Третьякова В.И.pdf",
        ]
        assert all(zf.read(n).startswith(b"%PDF-") for n in names)
        assert "Второв Олег" in pdf_text(zf.read(names[1]))

    # again, by the button: the same numbers, no new certificate, a new ZIP; the job page shows progress
    resp = post_form(admin, f"{url}/certificates", {}, form_url=url)
    second = db.session.execute(sa.select(Job).order_by(Job.id.desc()).limit(1)).scalar_one()
    assert resp.headers["Location"] == f"/jobs/{second.id}"
    assert admin.get(f"/jobs/{second.id}").status_code == 200
    assert wait_for_job(second.id).state is JobState.DONE
    assert issued_certificates() == [(K, pid, n) for pid, n in numbers.items()]
    status = admin.get(f"/jobs/{second.id}/status").get_json()
    assert (status["state"], status["progress"], status["download_url"]) == (
        "done",
        100,
        f"/jobs/{second.id}/file",
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StoredFile)
            .where(StoredFile.kind == "certificates_zip")
        )
        == 2
    )


def test_batch_page_shows_progress_while_rendering(app, world):
    batch = admitted_batch(world, [row()])
    # a job a worker has started and not finished
    job = Job(
        tenant_id=world.tenant.id,
        kind="resident_certificates",
        key=f"batch:{batch.id}",
        params={"batch_id": batch.id},
        state=JobState.RUNNING,
        progress=40,
        message="Готово свидетельств: 2 из 5",
        created_by_id=world.admin.id,
    )
    db.session.add(job)
    db.session.commit()
    admin = logged_in(app, world.admin)
    page = admin.get(f"/admin/admission/batches/{batch.id}").get_data(as_text=True)
    progress = page.split('data-testid="certificates-progress">')[1].split("</p>")[0]
    assert " ".join(progress.split()) == (
        f"Свидетельства готовятся: 40% — Готово свидетельств: 2 из 5. "
        f'<a href="/jobs/{job.id}">Ход подготовки и архив</a>'
    )
    assert admin.get(f"/jobs/{job.id}").status_code == 200  # the progress page polls the status
    status = admin.get(f"/jobs/{job.id}/status").get_json()
    assert (status["state"], status["progress"], status["message"]) == (
        "running",
        40,
        "Готово свидетельств: 2 из 5",
    )
    job.state = (
        JobState.FAILED
    )  # no worker runs this one: let the fixture's settle_jobs() return at once
    db.session.commit()


def test_verify_page_shows_no_personal_data(app, world):
    batch = admitted_batch(world, [row()])
    person = batch.candidates[0].person
    cert = certificates.issue(world.tenant.id, K, person.id, issued_on=date(2019, 5, 21))
    db.session.commit()
    client = app.test_client()  # anonymous
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert 'data-testid="cert-number">РЕЗ-2019-001<' in html
    assert "Свидетельство резидента регионального банка данных" in html
    assert 'data-testid="cert-status">Действительно<' in html
    for fact in ("21.05.2019", "Действующий резидент", "С. А. И.", world.tenant.name):
        assert fact in html, fact
    for personal in ("Соколова", "Анна", "Игоревна", "12.04.2004", "2004", "Экология", "555-01-02"):
        assert personal not in html, personal
    # excluded: the same page says the certificate is no longer valid
    from mkr_web.operations.people import change_status

    change_status(
        person,
        "exclude",
        on=date.today(),
        role="admin",
        user_id=world.admin.id,
        comment="по заявлению",
    )
    db.session.commit()
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert (
        'data-testid="cert-status">Срок действия истёк или свидетельство недействительно<' in html
    )
    assert "Не является действующим резидентом" in html


def test_access(app, world, factory):
    batch = admitted_batch(world, [row()])
    person_id = batch.candidates[0].person_id
    never = world.person("Новикова", "Ирина", None, date(2005, 1, 1))
    admin = logged_in(app, world.admin)
    assert admin.get(f"/admin/people/{never.id}/certificate").status_code == 404
    other = World(factory, slug="other")
    other_admin = logged_in(app, other.admin)
    assert other_admin.get(f"/admin/people/{person_id}/certificate").status_code == 404
    assert (
        post_form(
            other_admin, f"/admin/admission/batches/{batch.id}/certificates", {}, form_url="/admin/"
        ).status_code
        == 404
    )
    for user in (world.coord1, world.organizer, world.expert):
        assert logged_in(app, user).get(f"/admin/people/{person_id}/certificate").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
