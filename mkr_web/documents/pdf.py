"""PDF rendering with WeasyPrint from sandboxed, autoescaped Jinja templates.

The renderer cannot reach files or the network: its URL fetcher serves only
``mkr-static:<path>`` from the app's static folder (fonts, styles), ``mkr-file:<name>`` from
the files the caller handed over for this one document (a tenant's logo, signature and stamp,
already checked: :mod:`.branding`) and ``data:`` URLs (QR codes); every other URL (``file://``, ``http://`` …) is refused, so a person's name
holding ``<img src="file:///etc/passwd">`` is printed as text and fetches nothing. The
DejaVu fonts ship with the app, so a PDF looks the same on every machine.
"""

from __future__ import annotations

import base64
import io
import os
import threading
from pathlib import Path

import weasyprint
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .formats import nest_quotes, plural

STATIC = Path(__file__).resolve().parent.parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"
SCHEME = "mkr-static:"
FILE_SCHEME = "mkr-file:"

_env = SandboxedEnvironment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
#: a count's noun (1 год, 2 года, 5 лет) in every document
_env.globals["plural"] = plural


class RefusedURL(ValueError):
    """A resource outside the sandbox was asked for."""


class SandboxFetcher(URLFetcher):
    """Serves only the app's static files, the document's own named files and data: URLs;
    refuses everything else."""

    refused: list[str]

    def __init__(self, files: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols=("data",))
        self.refused = []
        self.files = dict(files or {})

    def fetch(self, url, headers=None):
        if url.startswith(FILE_SCHEME):
            name = url[len(FILE_SCHEME) :]
            if name not in self.files:
                self.refused.append(url[:200])
                raise RefusedURL(f"not a file of this document: {name[:60]}")
            data, content_type = self.files[name]
            return URLFetcherResponse(url, data, {"Content-Type": content_type})
        if url.startswith(SCHEME):
            rel = url[len(SCHEME) :].lstrip("/")
            path = (STATIC / rel).resolve()
            if STATIC not in path.parents or not path.is_file():
                self.refused.append(url)
                raise RefusedURL(f"not a static file: {rel}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        self.refused.append(url[:200])
        raise RefusedURL("external resources are not allowed in documents")


def _mime(path: Path) -> str:
    return {
        ".ttf": "font/ttf",
        ".css": "text/css",
        ".png": "image/png",
        ".svg": "image/svg+xml",
    }.get(path.suffix.lower(), "application/octet-stream")


def render_html(template: str, **context) -> str:
    return nest_quotes(_env.get_template(template).render(**context))


def render_pdf(
    template: str, *, files: dict[str, tuple[bytes, str]] | None = None, **context
) -> bytes:
    """Render ``documents/templates/<template>`` with ``context`` to PDF bytes; ``files``
    (name → (bytes, content type)) are what ``mkr-file:<name>`` may fetch."""
    html = render_html(template, **context)
    return html_to_pdf(html, files=files)


_local = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, kept between documents: the app's
    ``@font-face`` fonts (the DejaVu files of ``static/fonts``, the same for every document)
    are loaded into Fontconfig once per thread, not once per PDF (a certificate renders in
    about half the time). Fonts come only through the sandboxed fetcher either way."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str, *, files: dict[str, tuple[bytes, str]] | None = None) -> bytes:
    fetcher = SandboxFetcher(files)
    document = weasyprint.HTML(string=html, base_url=SCHEME + "/", url_fetcher=fetcher)
    return document.write_pdf(font_config=_font_config())


def qr_data_uri(text: str) -> str:
    """A QR code as a PNG data: URL (no file, no network)."""
    import qrcode

    image = qrcode.make(text, box_size=6, border=2)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


__all__ = ["SandboxFetcher", "html_to_pdf", "os", "qr_data_uri", "render_html", "render_pdf"]
