"""Document uploads (issue 9, item 2): PDF and images are checked by content before they are
stored — signature, completeness, page and pixel limits, decompression bombs — in under 2 s
and with the process's resident memory growing by less than 100 MB."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from mkr_web.documents.upload_checks import DocumentRefused, check_document
from mkr_web.extensions import db
from mkr_web.models import AccreditationApplication, StoredFile
from tests.bombs import PeakRSS, many_pages_pdf, pdf_stream_bomb, png_claiming
from tests.factories import make_person, world
from tests.support import csrf_token, login, one_page_pdf, png_bytes as png

MB = 1024 * 1024
ANY = ("pdf", "jpeg", "png")


def test_honest_documents_pass():
    assert check_document(one_page_pdf(), ("pdf",)) == ("application/pdf", ".pdf")
    assert check_document(many_pages_pdf(300), ("pdf",)) == ("application/pdf", ".pdf")
    assert check_document(png(4000, 3000), ANY) == ("image/png", ".png")


@pytest.mark.parametrize(
    "data,allowed,message",
    [
        (b"GIF89a", ("pdf",), "Нужен файл PDF."),
        (png(), ("pdf",), "Нужен файл PDF."),
        (b"MZ\x90", ANY, "Нужен файл PDF, JPEG или PNG."),
        (one_page_pdf()[:-40], ("pdf",), "Файл PDF повреждён или обрезан: сохраните его заново."),
        (b"%PDF-1.4\n%%EOF\n", ("pdf",), "Файл PDF повреждён или обрезан: сохраните его заново."),
        (png()[:30], ANY, "Изображение повреждено: сохраните его заново."),
        (b"\xff\xd8\xff\xe0garbage", ANY, "Изображение повреждено: сохраните его заново."),
    ],
)
def test_bad_documents_are_refused(data, allowed, message):
    with pytest.raises(DocumentRefused) as exc:
        check_document(data, allowed)
    assert str(exc.value) == message


def test_page_and_pixel_limits():
    with pytest.raises(DocumentRefused) as exc:
        check_document(many_pages_pdf(301), ("pdf",))
    assert str(exc.value) == "В файле PDF 301 страница, допустимо не больше 300."
    with pytest.raises(DocumentRefused) as exc:
        check_document(png_claiming(9000, 9000), ANY)
    assert str(exc.value) == (
        "Изображение 9000×9000 точек: допустимо не больше 60 мегапикселей и 20000 точек по стороне."
    )
    with pytest.raises(DocumentRefused) as exc:
        check_document(png_claiming(30000, 100), ANY)
    assert str(exc.value).startswith("Изображение 30000×100 точек")


@pytest.mark.parametrize(
    "make,allowed,message",
    [
        (
            lambda: pdf_stream_bomb(),
            ("pdf",),
            "Файл PDF содержит слишком большие сжатые данные (больше 20 МБ в одном потоке): "
            "такой файл не принимается.",
        ),
        (
            lambda: png_claiming(100_000, 100_000),
            ANY,
            "Изображение слишком большое: допустимо не больше 60 мегапикселей.",
        ),
    ],
)
def test_decompression_bombs_are_refused_fast_and_small(make, allowed, message):
    data = make()
    assert len(data) < 300 * 1024
    with PeakRSS() as m:
        with pytest.raises(DocumentRefused) as exc:
            check_document(data, allowed)
    assert str(exc.value) == message
    print(f"{message[:30]}…: refused in {m.seconds:.3f} s, RSS +{m.growth / MB:.1f} MB")
    assert m.seconds < 2 and m.growth < 100 * MB


def _post_files(client, url, data, **files):
    payload = {"csrf_token": csrf_token(client, url), **data}
    payload.update({k: (io.BytesIO(v), n) for k, (v, n) in files.items()})
    return client.post(url, data=payload, content_type="multipart/form-data")


def test_regulation_bomb_is_refused_through_the_web(app, factory):
    w = world(factory)
    client = app.test_client()
    login(client, w.organizer.email)
    page = client.get("/organizer/accreditation/new").get_data(as_text=True)
    assert "Положение о мероприятии" in page
    bomb = pdf_stream_bomb()
    with PeakRSS() as m:
        resp = _post_files(
            client,
            "/organizer/accreditation/new",
            {"title": "Форум", "direction": "project_research"},
            regulation=(bomb, "polozhenie.pdf"),
        )
    assert m.seconds < 2 and m.growth < 100 * MB
    assert "Файл PDF содержит слишком большие сжатые данные" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccreditationApplication)) == 0


def test_consent_scan_bomb_is_refused_through_the_web(app, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Сканов", name="Пётр")
    client = app.test_client()
    login(client, admin.email)
    url = f"/admin/people/{p.id}/consents"
    resp = _post_files(
        client,
        url,
        {"given_on": "2019-05-10", "given_by": "self", "covers_processing": "y"},
        scan=(png_claiming(100_000, 100_000), "scan.png"),
    )
    html = (
        client.get(resp.headers["Location"]).get_data(as_text=True)
        if resp.status_code == 302
        else resp.get_data(as_text=True)
    )
    assert "Изображение слишком большое: допустимо не больше 60 мегапикселей." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
