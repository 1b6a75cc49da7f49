"""No Host header trust (issue 9, item 7): a certificate first requested with a forged
``Host`` carries the configured ``MKR_BASE_URL`` in its text and in its QR code, and nothing
of the forged host."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind, JobState
from mkr_web.operations import certificates
from tests.factories import World, accredited, admitted_batch, row, world as events_world
from tests.support import login, settle_jobs, wait_for_job

# The configured address the tests run with (MKR_BASE_URL unset: the documented default; the
# CI worker is started without it too).
BASE = os.environ.get("MKR_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
FORGED = {"Host": "evil.example.com", "X-Forwarded-Host": "evil.example.com"}


def pdf_text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def qr_payloads(pdf: bytes) -> list[str]:
    """Render the PDF's first page and decode every QR code on it (zxing-cpp)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(src), str(Path(tmp) / "p")],
            check=True,
        )
        (page,) = sorted(Path(tmp).glob("p*.png"))
        image = Image.open(io.BytesIO(page.read_bytes())).convert("L")
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


class ForgedClient:
    """A test client every request of which (the login too) carries the forged host."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, url, **kw):
        return self.client.get(url, headers=FORGED, **kw)

    def post(self, url, **kw):
        return self.client.post(url, headers=FORGED, **kw)


def forged_client(app, email: str) -> ForgedClient:
    client = ForgedClient(app)
    assert login(client, email).status_code == 302
    return client


def fetch_pdf(client, url: str) -> bytes:
    """The first request starts the rendering job."""
    resp = client.get(url)
    if resp.status_code == 302:
        assert "/jobs/" in resp.headers["Location"], resp.headers["Location"]
        job_id = int(resp.headers["Location"].rsplit("/", 1)[1])
        assert wait_for_job(job_id).state is JobState.DONE
        resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    return resp.data


@pytest.fixture
def admission_world(factory):
    yield World(factory)
    settle_jobs()


def test_resident_certificate_ignores_a_forged_host(app, admission_world):
    w = admission_world
    batch = admitted_batch(w, [row()])
    person_id = batch.candidates[0].person_id

    admin = forged_client(app, w.admin.email)
    data = fetch_pdf(admin, f"/admin/people/{person_id}/certificate")
    db.session.expire_all()
    cert = db.session.query(Certificate).one()
    expected = f"{BASE}/verify/{cert.code}"
    text = pdf_text(data)
    assert expected in text.replace(" ", "")
    assert "evil.example.com" not in text
    assert qr_payloads(data) == [expected]


@pytest.fixture
def events(factory):
    yield events_world(factory)
    settle_jobs()


def test_accreditation_certificate_ignores_a_forged_host(app, events):
    a = accredited(events)  # no file yet: rendered on the first (forged) download
    organizer = forged_client(app, events.organizer.email)
    data = fetch_pdf(organizer, f"/organizer/accreditation/{a.id}/certificate")
    cert = certificates.find(CertificateKind.ACCREDITATION, a.id)
    expected = f"{BASE}/verify/{cert.code}"
    assert expected in pdf_text(data).replace(" ", "")
    assert "evil.example.com" not in pdf_text(data)
    assert qr_payloads(data) == [expected]
