"""Admin: importing persons from XLSX/CSV (upload → preview → all-or-nothing commit), the
import template, and matching a social-network group's member list against the bank."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, roles
from ..imports.persons import PersonImporter
from ..imports.social import ACTIVE, KNOWN, UNKNOWN, SocialMatcher
from ..queries.people import persons_by_id
from ..web import imports as pages
from ..web.params import parse_int
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 50
SHOWN_EXACT = 200


def _upload(importer, template: str, preview_endpoint: str):
    return pages.upload(
        importer,
        template,
        lambda preview_id: redirect(url_for(preview_endpoint, preview_id=preview_id)),
    )


@bp.route("/people/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_import():
    return _upload(PersonImporter(), "admin/people_import.html", ".people_import_preview")


@bp.route("/people/import/template.xlsx")
@roles(Role.ADMIN)
def people_import_template():
    return pages.template_download(PersonImporter(), "persons-template.xlsx")


@bp.route("/people/import/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_import_preview(preview_id: int):
    def loaded(result: dict):
        flash(
            _(
                "Загружено: новых %(c)d, уже были в банке %(e)d, пропущено %(s)d.",
                c=result["created"],
                e=result["existing"],
                s=result["skipped"],
            ),
            "success",
        )
        return redirect(url_for(".people"))

    return pages.preview(
        PersonImporter(),
        preview_id,
        render=_render_people_preview,
        done=loaded,
        back=url_for(".people_import"),
        choices=lambda payload: _decisions(),
    )


def _decisions() -> dict[int, str]:
    """The posted decision per near-matched row (``decision-<row>``: new or skip)."""
    decisions = {}
    for key, value in request.form.items():
        row = parse_int(key[9:], minimum=1) if key.startswith("decision-") else None
        if row is not None:
            decisions[row] = value
    return decisions


def _render_people_preview(payload: dict, form):
    rows = payload["rows"]
    # Every near match needs a decision, so all are shown; exact ones only up to a limit.
    near = [r for r in rows if r.get("match") and r["match"]["near"]]
    exact = [r for r in rows if r.get("match") and r["match"]["exact"]]
    matched = sorted(near + exact[:SHOWN_EXACT], key=lambda r: r["row"])
    ids = [r["match"]["exact"] for r in matched]
    ids += [n[0] for r in matched for n in r["match"]["near"]]
    return render_template(
        "admin/people_import_preview.html",
        matched=matched,
        persons=persons_by_id(current_tenant().id, ids),
        exact_count=len(exact),
        shown_exact=min(len(exact), SHOWN_EXACT),
        shown=[r for r in rows if not r["errors"]][:SHOWN_ROWS],
        new_count=sum(
            1
            for r in rows
            if not r["errors"]
            and not r.get("match", {}).get("exact")
            and not r.get("match", {}).get("part_of")
        ),
        **pages.preview_context(payload, form),
    )


@bp.route("/people/social", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_social():
    return _upload(SocialMatcher(), "admin/people_social.html", ".people_social_preview")


@bp.route("/people/social/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_social_preview(preview_id: int):
    def marked(result: dict):
        flash(
            _(
                "Отмечены как потенциальные резиденты: %(n)d (новых карточек: %(c)d).",
                n=result["marked"],
                c=result["created"],
            ),
            "success",
        )
        return redirect(url_for(".people", status="potential"))

    def render(payload: dict, form):
        rows = payload["rows"]
        return render_template(
            "admin/people_social_preview.html",
            groups={
                g: [r for r in rows if r.get("match", {}).get("group") == g]
                for g in (ACTIVE, KNOWN, UNKNOWN)
            },
            persons=persons_by_id(
                current_tenant().id, (r["match"]["person_id"] for r in rows if r.get("match"))
            ),
            **pages.preview_context(payload, form),
        )

    return pages.preview(
        SocialMatcher(),
        preview_id,
        render=render,
        done=marked,
        choices=lambda payload: {
            "rows": [
                n for v in request.form.getlist("row") if (n := parse_int(v, minimum=1)) is not None
            ]
        },
    )
