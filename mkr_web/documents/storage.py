"""Stored files: bytes under MKR_UPLOAD_DIR with a random name, metadata in StoredFile.

Uploads are checked for size and type (by content, not by the name the client sent)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app

from ..errors import UploadError
from ..extensions import db
from ..models import StoredFile

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


def save_pdf_upload(
    tenant_id: int, kind: str, upload, user_id: int | None = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> StoredFile:
    """Save an uploaded PDF (werkzeug FileStorage) after checking its size and signature."""
    if upload is None or not upload.filename:
        raise UploadError("Файл не выбран.")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"Файл больше {max_bytes // (1024 * 1024)} МБ.")
    if not data.startswith(PDF_MAGIC):
        raise UploadError("Нужен файл PDF.")
    return save_bytes(tenant_id, kind, upload.filename, data, "application/pdf", user_id)


def read_bytes(stored: StoredFile) -> bytes:
    return (_root() / stored.path).read_bytes()


def absolute_path(stored: StoredFile) -> Path:
    return _root() / stored.path
