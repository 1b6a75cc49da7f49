"""Previews kept server-side: the parsed rows as a JSON file in the tenant's storage (never
in the cookie), readable only by the user who uploaded them, deleted on commit or cancel.
A user keeps at most one preview per importer; previews older than a day are purged.

A preview is committed once: :func:`claim_preview` deletes its row first thing in the
commit's transaction, so a second commit of the same preview (a double click, two identical
requests at once) finds nothing to claim and is refused; its file is removed after commit."""

from __future__ import annotations

from datetime import timedelta

import orjson
import sqlalchemy as sa

from ..documents.storage import absolute_path, read_bytes, save_bytes
from ..errors import ImportRefused
from ..extensions import db
from ..models import StoredFile
from ..models.base import utcnow

PREVIEW_KIND = "import_preview"
UNLINK_KEY = "mkr_unlink_after_commit"
MAX_AGE = timedelta(days=1)


def _delete(files) -> None:
    for f in files:
        absolute_path(f).unlink(missing_ok=True)
        db.session.delete(f)
    db.session.flush()


def save_preview(tenant_id: int, user_id: int, importer: str, payload: dict) -> StoredFile:
    old = db.session.scalars(
        sa.select(StoredFile).where(
            StoredFile.tenant_id == tenant_id,
            StoredFile.kind == PREVIEW_KIND,
            sa.or_(
                sa.and_(
                    StoredFile.created_by_id == user_id, StoredFile.filename == f"{importer}.json"
                ),
                StoredFile.created_at < utcnow() - MAX_AGE,
            ),
        )
    ).all()
    _delete(old)
    data = orjson.dumps(payload)  # UTF-8 JSON; 10,000 rows: ~5 ms (the json module: ~70)
    return save_bytes(
        tenant_id, PREVIEW_KIND, f"{importer}.json", data, "application/json", user_id
    )


def find_preview(tenant_id: int, user_id: int, preview_id: int, importer: str) -> StoredFile | None:
    return db.session.execute(
        sa.select(StoredFile).where(
            StoredFile.id == preview_id,
            StoredFile.tenant_id == tenant_id,
            StoredFile.kind == PREVIEW_KIND,
            StoredFile.created_by_id == user_id,
            StoredFile.filename == f"{importer}.json",
        )
    ).scalar_one_or_none()


def read_preview(stored: StoredFile) -> dict | None:
    try:
        return orjson.loads(read_bytes(stored))
    except (OSError, ValueError):
        return None


def discard_preview(stored: StoredFile) -> None:
    _delete([stored])


def claim_preview(stored: StoredFile) -> None:
    """Take the preview for this commit (see the module's docstring); refuses when another
    commit took it."""
    path = absolute_path(stored)
    db.session.expunge(stored)
    taken = db.session.execute(
        sa.delete(StoredFile).where(StoredFile.id == stored.id, StoredFile.kind == PREVIEW_KIND)
    ).rowcount
    if taken != 1:
        raise ImportRefused(
            "Этот файл уже загружен (или загрузка отменена): повторная отправка ничего не "
            "изменила. Обновите страницу."
        )
    db.session.info.setdefault(UNLINK_KEY, []).append(path)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _unlink_after_commit(session) -> None:
    for path in session.info.pop(UNLINK_KEY, []):
        path.unlink(missing_ok=True)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _keep_after_rollback(session) -> None:
    session.info.pop(UNLINK_KEY, None)
