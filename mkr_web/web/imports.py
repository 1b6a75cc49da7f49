"""Page bodies of the upload → preview → commit flow for the importers used outside the
admin's person import: an edition's results protocol and its participant list. The role
blueprints declare the routes; the importer (bound to an edition loaded through the user's
scope) does the rest through :mod:`.imports`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import HiddenField

from ..access import current_role, current_tenant
from ..errors import RowsRefused
from ..imports import (
    Importer,
    commit_preview,
    error_count,
    load_preview,
    preview_upload,
    with_collector_paused,
)
from ..imports.preview import discard_preview
from ..imports.template import template_xlsx
from .commit import Outcome, commit_or_refuse
from .forms import Form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileUploadForm(Form):
    file = FileField(_l("Файл XLSX или CSV"))


class PreviewForm(Form):
    """CSRF only; the buttons say commit or cancel."""

    version = HiddenField()


@with_collector_paused  # the whole request: its table's rows are garbage only at its end
def upload(importer: Importer, template: str, on_preview: Callable[[int], Response], **context):
    """The upload form; a readable file becomes a preview (``on_preview(preview_id)``)."""
    form = FileUploadForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            preview_upload,
            importer,
            current_tenant().id,
            current_user.id,
            form.file.data,
            max_bytes=current_app.config["MKR_IMPORT_MAX_BYTES"],
            show_refusal=False,
        )
        if not outcome.ok:
            return render_template(template, form=form, refused=str(outcome.error), **context), 400
        return on_preview(outcome.result.id)
    return render_template(template, form=form, refused=None, **context)


def preview_or_404(importer: Importer, preview_id: int):
    """``(stored, payload)`` of the current user's preview for this importer, else 404."""
    stored, payload = load_preview(importer, current_tenant().id, current_user.id, preview_id)
    if stored is None:
        abort(404)
    return stored, payload


def commit(importer: Importer, stored, payload: dict, choices: dict) -> Outcome:
    """Commit a preview all or nothing (``choices``: the importer's decisions). A refusal is
    flashed, with its rows when it has them (the reference data changed since the preview)."""
    outcome = commit_or_refuse(
        commit_preview,
        importer,
        current_tenant().id,
        current_user,
        stored,
        payload,
        choices,
        role=current_role(),
        show_refusal=False,
    )
    if not outcome.ok:
        error = outcome.error
        flash(error.with_rows() if isinstance(error, RowsRefused) else str(error), "danger")
    return outcome


@with_collector_paused
def preview(
    importer: Importer,
    preview_id: int,
    *,
    render: Callable[[dict, PreviewForm], Response | str],
    done: Callable[[dict], Response],
    back: str | None = None,
    choices: Callable[[dict], dict] = lambda payload: {},
):
    """The preview page of an upload: shown by ``render(payload, form)``; posted, it cancels
    (the preview is deleted, back to the upload page ``back``; None: no cancel) or commits all
    or nothing with the importer's ``choices(payload)``, and ``done(result)`` answers (say what
    was loaded, go on). A refused commit shows the preview again with the refusal."""
    stored, payload = preview_or_404(importer, preview_id)
    form = PreviewForm()
    if request.method == "POST" and form.validate_on_submit():
        if back is not None and "cancel" in request.form:
            cancel(stored)
            return redirect(back)
        outcome = commit(importer, stored, payload, choices(payload))
        if outcome.ok:
            return done(outcome.result)
    return render(payload, form)


def preview_context(payload: dict, form: PreviewForm) -> dict:
    """What every preview template is given: the payload, the form, the per-row errors and
    their count, the number of rows."""
    return {
        "payload": payload,
        "form": form,
        "errors": row_errors(payload),
        "error_count": error_count(payload),
        "total": len(payload["rows"]),
    }


def cancel(stored) -> None:
    if commit_or_refuse(discard_preview, stored).ok:
        flash(_("Загрузка отменена."), "info")


def template_download(importer: Importer, filename: str) -> Response:
    return Response(
        template_xlsx(importer.spec, current_tenant().id),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def row_errors(payload: dict) -> list[tuple[int, str, str]]:
    return [(r["row"], col, reason) for r in payload["rows"] for col, reason in r["errors"]]
