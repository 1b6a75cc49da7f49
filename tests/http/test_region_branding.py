"""The tenant's look and signatures (issue 11 item 3): the settings page, images checked and
SVG sanitised, both certificate kinds and the report PDF in that look, a preview of each
certificate; images reach WeasyPrint only through the app's own fetcher."""

import io
import re

import pypdf
import pytest
import sqlalchemy as sa

from mkr_web.documents.branding import sanitize_svg
from mkr_web.documents.pdf import RefusedURL, SandboxFetcher
from mkr_web.documents.report_outputs import report_pdf
from mkr_web.documents.storage import read_bytes
from mkr_web.extensions import db
from mkr_web.models import AuditEntry, StoredFile, Tenant
from mkr_web.queries.report import build_report
from tests.support import logged_in as client_for, pdf_text, png_bytes, upload_file

EVIL_SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" onload="alert(1)">'
    b"<script>alert(2)</script>"
    b'<rect width="40" height="20" fill="#123456" onclick="x()"/>'
    b'<image xlink:href="file:///etc/passwd" width="10" height="10"/>'
    b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
    b'<path d="M0 0 L10 10" stroke="url(http://evil.example/x)" style="fill:url(http://e/x)"/>'
    b'<use href="#a"/><use href="http://evil.example/#a"/>'
    b"</svg>"
)


SIGNATURE_FILL = "0.070588 0.203922 0.337255 rg"  # #123456, the sanitised SVG's rect


@pytest.fixture
def admin(factory):
    t = factory.tenant(slug="kuzbass")
    user = factory.user(t, "admin")
    return t, user


def fields(**over):
    data = {
        "operator_name": "ГАУ ДПО «Кузбасский региональный институт развития»",
        "operator_short_name": "КРИРПО",
        "signatory": "Петрова Анна Ивановна",
        "signatory_position": "Директор",
        "primary_colour": "#8c1f1f",
        "accent_colour": "#224466",
    }
    data.update(over)
    return data


def test_sanitised_svg_keeps_the_drawing_only():
    clean = sanitize_svg(EVIL_SVG).decode()
    assert clean == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#123456" /><path d="M0 0 L10 10" />'
        '<use href="#a" /><use /></svg>'
    )
    for bad in (b"<!DOCTYPE svg [<!ENTITY x 'y'>]><svg/>", b"<svg><unclosed></svg>", b"<html/>"):
        with pytest.raises(ValueError):
            sanitize_svg(bad)


def test_fetcher_serves_only_the_documents_own_files():
    fetcher = SandboxFetcher({"logo": (b"PNG", "image/png")})
    assert fetcher.fetch("mkr-file:logo").read() == b"PNG"
    for url in ("mkr-file:stamp", "file:///etc/passwd", "http://example.org/logo.png"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.refused == [
        "mkr-file:stamp",
        "file:///etc/passwd",
        "http://example.org/logo.png",
    ]


def test_settings_page_images_and_previews(app, admin):
    t, user = admin
    client = client_for(app, user)
    url = "/admin/settings/branding"
    resp = upload_file(
        client,
        url,
        png_bytes(60, 30),
        "logo.png",
        field="logo",
        fields=fields(),
    )
    assert resp.status_code == 302
    resp = upload_file(client, url, EVIL_SVG, "sign.svg", field="signature", fields=fields())
    assert resp.status_code == 302
    db.session.expire_all()
    tenant = db.session.get(Tenant, t.id)
    brand = tenant.settings["branding"]
    assert (tenant.operator_name, tenant.signatory) == (
        "ГАУ ДПО «Кузбасский региональный институт развития»",
        "Петрова Анна Ивановна",
    )
    assert {k: v for k, v in brand.items() if not k.endswith("_file_id")} == {
        "operator_short_name": "КРИРПО",
        "signatory_position": "Директор",
        "primary_colour": "#8c1f1f",
        "accent_colour": "#224466",
    }
    signature = db.session.get(StoredFile, brand["signature_file_id"])
    assert signature.content_type == "image/svg+xml"
    stored_svg = read_bytes(signature)
    assert (
        b"script" not in stored_svg and b"onload" not in stored_svg and b"passwd" not in stored_svg
    )
    assert db.session.get(StoredFile, brand["logo_file_id"]).content_type == "image/png"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "tenant.branding")
        )
        == 2
    )

    # each certificate kind previewed in that look: names, position, logo and signature images
    for kind, heading in (("resident", "резидента"), ("accreditation", "об аккредитации")):
        resp = client.get(f"{url}/preview/{kind}.pdf")
        assert resp.mimetype == "application/pdf"
        text = pdf_text(resp.data)
        assert "ГАУ ДПО «Кузбасский региональный институт развития»" in text
        assert heading in text
        assert "Директор" in text and "Петрова Анна Ивановна" in text
        page = pypdf.PdfReader(io.BytesIO(resp.data)).pages[0]
        # the QR code and the PNG logo as images; the SVG signature drawn in its colour
        assert len(page["/Resources"]["/XObject"]) == 2
        drawn = page.get_contents().get_data().decode("latin-1")
        assert SIGNATURE_FILL in drawn, re.findall(r"[\d.]+ [\d.]+ [\d.]+ rg", drawn)

    # wrong files and colours are refused, nothing changes
    html = upload_file(
        client, url, b"%PDF-1.4 not an image", "logo.png", field="logo", fields=fields()
    ).get_data(as_text=True)
    assert "Логотип: " in html
    html = upload_file(
        client, url, b"x" * (600 * 1024), "logo.png", field="logo", fields=fields()
    ).get_data(as_text=True)
    assert "Логотип: Изображение больше 512 КБ." in html
    html = upload_file(
        client, url, None, "", fields=fields(primary_colour="red; } body { x")
    ).get_data(as_text=True)
    assert "Цвет задаётся как #RRGGBB." in html
    db.session.expire_all()
    assert db.session.get(Tenant, t.id).settings["branding"]["primary_colour"] == "#8c1f1f"

    # the report PDF has the operator and the signature line
    report = build_report(t.id, 2019)
    text = pdf_text(report_pdf(report))
    assert text.startswith(
        "ГАУ ДПО «Кузбасский региональный институт развития» Аналитическая справка"
    )
    assert text.endswith(
        "Все цифры рассчитаны по данным регионального банка. "
        "Директор Петрова Анна Ивановна стр. 3 из 3"
    )


def test_a_new_tenant_prints_the_monogram_and_the_default_signature_line(app, factory):
    t = factory.tenant(slug="fresh")
    user = factory.user(t, "admin")
    client = client_for(app, user)
    text = pdf_text(client.get("/admin/settings/branding/preview/resident.pdf").data)
    assert text.startswith("П Проект 1 СВИДЕТЕЛЬСТВО")  # the monogram, no logo
    assert "Руководитель оператора ____________________" in text
    assert "____" not in pdf_text(report_pdf(build_report(t.id, 2019)))
