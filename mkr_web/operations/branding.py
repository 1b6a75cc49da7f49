"""Saving a tenant's look on its documents (issue 11): names, signatory, colours and the
logo, signature and stamp images (checked and sanitised by :mod:`documents.branding`),
audited; and a sample certificate of each kind in that look (the settings page's preview)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from ..documents.branding import COLOUR_RE, IMAGES, check_image, document_look, settings_of
from ..documents.formats import counted, grammatical_gender
from ..documents.pdf import qr_data_uri, render_pdf
from ..documents.storage import save_bytes
from ..documents.upload_checks import DocumentRefused
from ..errors import OperationError, UploadError
from ..models import CertificateKind, Direction, Tenant
from .accreditation import NUMBER_PREFIX
from .audit import record
from .certificates import certificate_type, monogram

TEXT_LIMITS = {
    "operator_name": 300,
    "operator_short_name": 100,
    "signatory": 200,
    "signatory_position": 200,
}


def update_branding(
    tenant: Tenant,
    *,
    texts: dict[str, str],
    colours: dict[str, str],
    images: dict | None = None,
    remove: set[str] = frozenset(),
    user_id: int | None = None,
) -> Tenant:
    """``texts``: :data:`TEXT_LIMITS` keys; ``colours``: ``#rrggbb``; ``images``: name →
    uploaded file (werkzeug FileStorage) or None; ``remove``: image names to drop."""
    stored = settings_of(tenant)
    for key, limit in TEXT_LIMITS.items():
        value = " ".join((texts.get(key) or "").split())
        if len(value) > limit:
            raise OperationError(
                f"Поле длиннее {counted(limit, 'символа', 'символов', 'символов')}."
            )
        texts[key] = value
    for key, value in colours.items():
        if not COLOUR_RE.match(value or ""):
            raise OperationError("Цвет задаётся как #RRGGBB.")
        stored[key] = value.lower()
    changed_images = []
    for name in IMAGES:
        upload = (images or {}).get(name)
        if upload is not None and getattr(upload, "filename", ""):
            data = upload.read(2 * 1024 * 1024)
            try:
                data, content_type, suffix = check_image(data)
            except DocumentRefused as exc:
                raise UploadError(f"{IMAGE_TITLES[name]}: {exc}") from None
            file = save_bytes(tenant.id, "branding", f"{name}{suffix}", data, content_type, user_id)
            stored[f"{name}_file_id"] = file.id
            changed_images.append(name)
        elif name in remove and stored.pop(f"{name}_file_id", None):
            changed_images.append(name)
    tenant.operator_name = texts["operator_name"] or None
    tenant.signatory = texts["signatory"] or None
    stored["operator_short_name"] = texts["operator_short_name"]
    stored["signatory_position"] = texts["signatory_position"]
    tenant.settings = {**(tenant.settings or {}), "branding": stored}
    record(
        "tenant.branding",
        tenant,
        tenant_id=tenant.id,
        **texts,
        **colours,
        images=changed_images,
    )
    return tenant


IMAGE_TITLES = {"logo": "Логотип", "signature": "Подпись", "stamp": "Печать"}


def certificate_preview(tenant: Tenant, kind: CertificateKind) -> bytes:
    """A sample certificate of ``kind`` in the tenant's look (nothing numbered or stored)."""
    ctype = certificate_type(kind)
    brand, files = document_look(tenant)
    today = date.today()
    url = "https://example.org/verify/ОБРАЗЕЦ"
    context = {
        "cert": SimpleNamespace(number=f"{ctype.prefix}-{today.year}-000", issued_on=today),
        "tenant": tenant,
        "title": ctype.title,
        "verify_url": url,
        "qr": qr_data_uri(url),
        "brand": brand,
    }
    if kind is CertificateKind.RESIDENT:
        context.update(
            full_name="Образцова Мария Сергеевна",
            gender=grammatical_gender("Сергеевна"),
            basis="Образец: победитель регионального мероприятия",
            admitted_on=today,
            monogram=monogram(tenant.name),
            person=None,
        )
    else:
        context.update(
            application=SimpleNamespace(
                direction=next(iter(Direction)),
                number=f"{NUMBER_PREFIX}-{today.year}-000",
                valid_from_year=today.year,
                valid_to_year=today.year + 2,
            ),
            organizer=SimpleNamespace(name="Образец: организация-организатор"),
            event_title="Образец мероприятия",
        )
    return render_pdf(ctype.template, files=files, **context)
