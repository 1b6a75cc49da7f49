"""Page bodies of an edition's participant list uploaded as XLSX/CSV (shared by the admin's
and the organiser's blueprints, like :mod:`.events`): the template, the upload, the
preview (errors per row, who is in the bank, who is listed already), the commit."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..imports.participants import ParticipantImporter
from ..models import ParticipationRole
from . import imports as pages
from .events import TITLES, edition_or_404

SHOWN_ROWS = 500


def template(ep: str, edition_id: int):
    return pages.template_download(
        ParticipantImporter(edition_or_404(edition_id)), "participants-template.xlsx"
    )


def upload(ep: str, edition_id: int):
    edition = edition_or_404(edition_id)
    return pages.upload(
        ParticipantImporter(edition),
        "events/participants_upload.html",
        lambda preview_id: redirect(
            url_for(f"{ep}.participants_preview", edition_id=edition.id, preview_id=preview_id)
        ),
        ep=ep,
        edition=edition,
        event=edition.event,
        titles=TITLES,
    )


def preview(ep: str, edition_id: int, preview_id: int):
    edition = edition_or_404(edition_id)

    def loaded(result: dict):
        flash(
            _(
                "Список загружен: добавлено участий %(a)d (новых людей в банке %(c)d); уже были в списке %(d)d.",
                a=result["added"],
                c=result["created"],
                d=result["duplicates"],
            ),
            "success",
        )
        return redirect(url_for(f"{ep}.edition_participants", edition_id=edition.id))

    def render(payload: dict, form):
        rows = payload["rows"]
        matched = [r["match"] for r in rows if r.get("match")]
        return render_template(
            "events/participants_preview.html",
            ep=ep,
            edition=edition,
            event=edition.event,
            shown=rows[:SHOWN_ROWS],
            in_bank=sum(1 for m in matched if m["person_id"]),
            listed=sum(1 for m in matched if m["listed"]),
            roles={r.value: r.title_ru for r in ParticipationRole},
            **pages.preview_context(payload, form),
        )

    return pages.preview(
        ParticipantImporter(edition),
        preview_id,
        render=render,
        done=loaded,
        back=url_for(f"{ep}.participants_upload", edition_id=edition.id),
    )
