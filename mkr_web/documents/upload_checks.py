"""What an uploaded document (PDF, JPEG, PNG) must be before it is stored.

Checked by content, never by the name the client sent: the size, the signature (magic
bytes), and then what a viewer would have to do with it:

- PDF: complete (``%%EOF`` at the end), readable by pypdf, not password-protected, at most
  :data:`MAX_PDF_PAGES` pages; every page's content stream is inflated under pypdf's output
  limits (:data:`MAX_STREAM_BYTES`), and no image on a page declares more than
  :data:`MAX_PIXELS` pixels. A PDF whose streams inflate past the limit (a decompression
  bomb) is refused, never inflated whole;
- JPEG/PNG: Pillow reads the header only; the format must match the signature and the
  image may not exceed :data:`MAX_PIXELS` pixels or :data:`MAX_SIDE` on a side (a small
  PNG can declare gigapixels); ``verify()`` checks the file's structure without decoding it.

All of it has a time budget (:data:`SECONDS`).
"""

from __future__ import annotations

import io
import time

from .formats import counted

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PDF_PAGES = 300
MAX_STREAM_BYTES = 20 * 1024 * 1024  # one inflated stream
MAX_PIXELS = 60_000_000  # a 48-megapixel phone photo passes
MAX_SIDE = 20_000
_MEGAPIXELS = counted(MAX_PIXELS // 1_000_000, "мегапикселя", "мегапикселей", "мегапикселей")
SECONDS = 10.0

KINDS = {
    "pdf": (PDF_MAGIC, "application/pdf", ".pdf"),
    "jpeg": (JPEG_MAGIC, "image/jpeg", ".jpg"),
    "png": (PNG_MAGIC, "image/png", ".png"),
}


class DocumentRefused(ValueError):
    """The file is not an acceptable document; ``str(exc)`` says why."""


def kind_of(data: bytes) -> str | None:
    for kind, (magic, _ct, _suffix) in KINDS.items():
        if data.startswith(magic):
            return kind
    return None


def check_document(data: bytes, allowed: tuple[str, ...]) -> tuple[str, str]:
    """``(content_type, suffix)`` of an acceptable document of one of the ``allowed`` kinds;
    else :class:`DocumentRefused`. The size is checked by the caller (it reads at most
    limit + 1 bytes)."""
    kind = kind_of(data)
    if kind not in allowed:
        raise DocumentRefused(_wanted(allowed))
    if kind == "pdf":
        check_pdf(data)
    else:
        check_image(data, kind)
    _magic, content_type, suffix = KINDS[kind]
    return content_type, suffix


def _wanted(allowed: tuple[str, ...]) -> str:
    names = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
    listed = [names[k] for k in allowed]
    if len(listed) == 1:
        return f"Нужен файл {listed[0]}."
    return f"Нужен файл {', '.join(listed[:-1])} или {listed[-1]}."


def check_pdf(data: bytes) -> None:
    import pypdf
    from pypdf.errors import PdfReadError, PyPdfError

    broken = DocumentRefused("Файл PDF повреждён или обрезан: сохраните его заново.")
    if b"%%EOF" not in data[-2048:]:
        raise broken
    deadline = time.monotonic() + SECONDS
    limits = {
        "maximum_declared_stream_length": MAX_STREAM_BYTES,
        "zlib_maximum_output_length": MAX_STREAM_BYTES,
        "lzw_maximum_output_length": MAX_STREAM_BYTES,
        "run_length_maximum_output_length": MAX_STREAM_BYTES,
        "jbig2_maximum_output_length": MAX_STREAM_BYTES,
        "brotli_maximum_output_length": MAX_STREAM_BYTES,
        "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
        "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES,
        "image_maximum_buffer_size": MAX_STREAM_BYTES,
        "page_tree_maximum_entries": 10 * MAX_PDF_PAGES,
        "page_tree_maximum_page_entries": 100 * MAX_PDF_PAGES,
    }
    too_big = DocumentRefused(
        "Файл PDF содержит слишком большие сжатые данные (больше "
        f"{MAX_STREAM_BYTES // (1024 * 1024)} МБ в одном потоке): такой файл не принимается."
    )
    too_complex = DocumentRefused(
        "Структура файла PDF слишком сложна (циклы или слишком много объектов): "
        "сохраните его заново."
    )
    try:
        with pypdf.apply_configuration(**limits):
            try:
                reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
                if reader.is_encrypted and not reader.decrypt(""):
                    raise DocumentRefused("Файл PDF защищён паролем: загрузите его без пароля.")
                pages = len(reader.pages)
            except pypdf.errors.LimitReachedError:
                raise too_complex from None
            if pages == 0:
                raise broken
            if pages > MAX_PDF_PAGES:
                raise DocumentRefused(
                    f"В файле PDF {counted(pages, 'страница', 'страницы', 'страниц')}, "
                    f"допустимо не больше {MAX_PDF_PAGES}."
                )
            for number, page in enumerate(reader.pages, start=1):
                if time.monotonic() > deadline:
                    raise DocumentRefused(
                        "Файл PDF слишком долго проверяется: сохраните его заново или уменьшите."
                    )
                try:
                    _check_page(page, number)
                except pypdf.errors.LimitReachedError:
                    raise too_big from None
    except DocumentRefused:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        raise broken from None
    except (RecursionError, IndexError, OSError, EOFError):
        raise broken from None


def _check_page(page, number: int) -> None:
    contents = page.get_contents()
    if contents is not None:
        contents.get_data()  # inflated under the configured limits
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") != "/Image":
            continue
        width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
        if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
            raise DocumentRefused(
                f"На странице {number} файла PDF изображение {width}×{height} точек: "
                f"допустимо не больше {_MEGAPIXELS}."
            )


def check_image(data: bytes, kind: str) -> None:
    from PIL import Image, UnidentifiedImageError

    broken = DocumentRefused("Изображение повреждено: сохраните его заново.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != {"jpeg": "JPEG", "png": "PNG"}[kind]:
                raise broken
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise DocumentRefused(
                    f"Изображение {width}×{height} точек: допустимо не больше "
                    f"{_MEGAPIXELS} и "
                    f"{counted(MAX_SIDE, 'точки', 'точек', 'точек')} по стороне."
                )
            image.verify()  # structure and checksums, without decoding the pixels
    except DocumentRefused:
        raise
    except Image.DecompressionBombError:
        raise DocumentRefused(
            f"Изображение слишком большое: допустимо не больше {_MEGAPIXELS}."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise broken from None
