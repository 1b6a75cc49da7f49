"""A tenant's look on its documents (issue 11): the operator's full and short name, the
signatory (name, position), the logo, signature and stamp images, two colours.

Stored in ``Tenant.operator_name``, ``Tenant.signatory`` and ``Tenant.settings["branding"]``
(the images as :class:`StoredFile` ids). Images are PNG, JPEG or SVG, at most
:data:`MAX_IMAGE_BYTES`; a raster image is checked by its content (signature, structure,
pixel count), an SVG is parsed (no DOCTYPE, no entities) and rebuilt from a short list of
drawing elements and attributes, so no script, event handler, foreign object or outside
reference survives. The PDF renderer gets the images' bytes as named files and serves them
through its own URL fetcher (``mkr-file:logo``): nothing else is fetched.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..models import StoredFile, Tenant
from .storage import read_bytes
from .upload_checks import DocumentRefused, check_document

MAX_IMAGE_BYTES = 512 * 1024
IMAGES = ("logo", "signature", "stamp")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOURS = {"primary_colour": "#1f4e8c", "accent_colour": "#176d2c"}

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "clippath",
    "use", "symbol",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "id", "class", "viewbox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "opacity",
    "transform", "font-family", "font-size", "font-weight", "text-anchor", "offset",
    "stop-color", "stop-opacity", "gradientunits", "gradienttransform", "clip-path",
    "preserveaspectratio", "version", "href", "dx", "dy",
}  # fmt: skip
URL_IN_VALUE = re.compile(r"url\(\s*['\"]?(?!#)", re.I)


def sanitize_svg(data: bytes) -> bytes:
    """The SVG rebuilt from allowed elements and attributes; :class:`DocumentRefused` when
    it is not a well-formed SVG or declares a DOCTYPE or entities."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise DocumentRefused("SVG с объявлениями DOCTYPE или ENTITY не принимается.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise DocumentRefused("Файл не является корректным SVG.") from None
    if _local(root.tag) != "svg":
        raise DocumentRefused("Файл не является изображением SVG.")
    ET.register_namespace("", SVG_NS)
    return ET.tostring(_clean(root), encoding="utf-8")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _clean(element):
    out = ET.Element(f"{{{SVG_NS}}}{_local(element.tag)}")
    for name, value in element.attrib.items():
        local = _local(name)
        if local not in SVG_ATTRIBUTES or URL_IN_VALUE.search(value):
            continue
        if local == "href":
            if not value.startswith("#"):
                continue  # only references inside the drawing
            name = f"{{{XLINK_NS}}}href" if name.startswith(f"{{{XLINK_NS}}}") else "href"
        out.set(name if local == "href" else local, value)
    if _local(element.tag) in ("text", "tspan", "title", "desc"):
        out.text = element.text
    for child in element:
        if _local(child.tag) in SVG_ELEMENTS:
            cleaned = _clean(child)
            cleaned.tail = None
            out.append(cleaned)
    return out


def check_image(data: bytes) -> tuple[bytes, str, str]:
    """``(bytes to store, content type, suffix)`` of an uploaded image; refuses others."""
    if len(data) > MAX_IMAGE_BYTES:
        raise DocumentRefused(f"Изображение больше {MAX_IMAGE_BYTES // 1024} КБ.")
    stripped = data.lstrip()[:512].lower()
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<svg"):
        return sanitize_svg(data), "image/svg+xml", ".svg"
    content_type, suffix = check_document(data, ("png", "jpeg"))
    return data, content_type, suffix


def settings_of(tenant: Tenant) -> dict:
    stored = dict((tenant.settings or {}).get("branding") or {})
    for key, value in DEFAULT_COLOURS.items():
        if not COLOUR_RE.match(stored.get(key) or ""):
            stored[key] = value
    return stored


def document_look(tenant: Tenant) -> tuple[dict, dict]:
    """``(brand, files)``: the template's ``brand`` context and the images for the fetcher."""
    from ..extensions import db

    stored = settings_of(tenant)
    files = {}
    for name in IMAGES:
        file_id = stored.get(f"{name}_file_id")
        row = db.session.get(StoredFile, file_id) if file_id else None
        if row is not None and row.tenant_id == tenant.id and row.kind == "branding":
            files[name] = (read_bytes(row), row.content_type)
    brand = {
        "operator_name": tenant.operator_name or "",
        "operator_short_name": stored.get("operator_short_name") or "",
        "signatory": tenant.signatory or "",
        "signatory_position": stored.get("signatory_position") or "",
        "primary_colour": stored["primary_colour"],
        "accent_colour": stored["accent_colour"],
        **{f"has_{name}": name in files for name in IMAGES},
    }
    return brand, files
