"""Small valid documents for upload tests (an upload must be a readable PDF or image)."""

from __future__ import annotations

import io

import pypdf
from PIL import Image


def one_page_pdf(title: str = "test document") -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png(width: int = 20, height: int = 10) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, format="PNG")
    return buf.getvalue()
