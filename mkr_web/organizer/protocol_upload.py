"""Organiser: an edition's results protocol uploaded as XLSX/CSV (the typed form is in
:mod:`.admission`): the template, the upload, the preview with per-row errors and matches,
and the batch created all-or-nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import roles
from ..imports.protocol import ProtocolImporter
from ..operations.admission_rows import COLUMNS
from ..queries.admission import edition_protocols
from ..web import imports as pages
from . import bp
from .admission import _edition_or_404

SHOWN_ROWS = 500


@bp.route("/admission/editions/<int:edition_id>/protocol/template.xlsx")
@roles(Role.ORGANIZER)
def protocol_template(edition_id: int):
    edition = _edition_or_404(edition_id)
    return pages.template_download(ProtocolImporter(edition), "protocol-template.xlsx")


@bp.route("/admission/editions/<int:edition_id>/protocol/upload", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def protocol_upload(edition_id: int):
    edition = _edition_or_404(edition_id)
    return pages.upload(
        ProtocolImporter(edition),
        "organizer/protocol_upload.html",
        lambda preview_id: redirect(
            url_for(".protocol_preview", edition_id=edition.id, preview_id=preview_id)
        ),
        edition=edition,
        columns=COLUMNS,
        protocols=edition_protocols(edition.id),
    )


@bp.route(
    "/admission/editions/<int:edition_id>/protocol/upload/<int:preview_id>", methods=["GET", "POST"]
)
@roles(Role.ORGANIZER)
def protocol_preview(edition_id: int, preview_id: int):
    edition = _edition_or_404(edition_id)

    def accepted(result: dict):
        flash(
            _(
                "Протокол %(number)s принят: строк — %(n)s. Кандидаты переданы координаторам.",
                number=result["number"],
                n=result["rows"],
            ),
            "success",
        )
        if result["skipped"]:
            flash(
                _(
                    "Пропущено строк, повторяющих уже принятые протоколы: %(n)s.",
                    n=result["skipped"],
                ),
                "info",
            )
        return redirect(url_for(".admission_batch", batch_id=result["batch_id"]))

    def render(payload: dict, form):
        rows = payload["rows"]
        kinds = [r["match"]["kind"] for r in rows if r.get("match")]
        return render_template(
            "organizer/protocol_preview.html",
            edition=edition,
            shown=rows[:SHOWN_ROWS],
            kinds={k: kinds.count(k) for k in set(kinds)},
            repeats=sum(1 for r in rows if r.get("repeats") and not r["errors"]),
            protocols=edition_protocols(edition.id),
            **pages.preview_context(payload, form),
        )

    return pages.preview(
        ProtocolImporter(edition),
        preview_id,
        render=render,
        done=accepted,
        back=url_for(".protocol_upload", edition_id=edition.id),
        choices=lambda payload: {"filename": payload["filename"]},
    )
