"""Stored files: bytes under MKR_UPLOAD_DIR with a random name, metadata in StoredFile.

Uploads are checked for size and content (never by the name the client sent): see
:mod:`.upload_checks` (signature, completeness, page/pixel limits, decompression bombs)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app

from ..errors import UploadError
from ..extensions import db
from ..models import StoredFile
from .upload_checks import DocumentRefused, check_document

PDF_MAGIC = b"%PDF-"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _root() -> Path:
    return Path(current_app.config["MKR_UPLOAD_DIR"])


def save_bytes(
    tenant_id: int,
    kind: str,
    filename: str,
    data: bytes,
    content_type: str,
    user_id: int | None = None,
) -> StoredFile:
    rel = f"{tenant_id}/{kind}/{secrets.token_hex(16)}{Path(filename).suffix.lower()[:10]}"
    path = _root() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    stored = StoredFile(
        tenant_id=tenant_id,
        kind=kind,
        filename=Path(filename).name[:255] or "file",
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        path=rel,
        created_by_id=user_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def read_document(
    upload, allowed: tuple[str, ...], max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[bytes, str, str]:
    """``(data, content_type, suffix)`` of an uploaded document (werkzeug FileStorage) of one
    of the ``allowed`` kinds (``"pdf"``, ``"jpeg"``, ``"png"``), after checking its size and
    content; else :class:`UploadError`. Reads at most ``max_bytes + 1`` bytes."""
    if upload is None or not upload.filename:
        raise UploadError("Файл не выбран.")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"Файл больше {max_bytes // (1024 * 1024)} МБ.")
    try:
        content_type, suffix = check_document(data, allowed)
    except DocumentRefused as exc:
        raise UploadError(str(exc)) from None
    return data, content_type, suffix


def save_pdf_upload(
    tenant_id: int, kind: str, upload, user_id: int | None = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> StoredFile:
    """Save an uploaded PDF after checking it (:func:`read_document`)."""
    data, content_type, _suffix = read_document(upload, ("pdf",), max_bytes)
    return save_bytes(tenant_id, kind, upload.filename, data, content_type, user_id)


def read_bytes(stored: StoredFile) -> bytes:
    return (_root() / stored.path).read_bytes()


def absolute_path(stored: StoredFile) -> Path:
    return _root() / stored.path
