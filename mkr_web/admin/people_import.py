"""Admin: importing persons from XLSX/CSV (upload → preview → all-or-nothing commit), the
import template, and matching a social-network group's member list against the bank."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.engine import TransitionRefused
from workflows.roles import Role

from ..access import current_role, current_tenant, roles
from ..extensions import db
from ..imports import ImportRefused, commit_preview, error_count, load_preview, preview_upload
from ..imports.persons import PersonImporter
from ..imports.social import ACTIVE, KNOWN, UNKNOWN, SocialMatcher
from ..imports.template import template_xlsx
from ..models import Person
from ..operations.audit import record
from ..operations.tenancy import OperationError
from . import bp
from .people_forms import UploadForm, VersionForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 50
SHOWN_EXACT = 200


def _upload(importer, template: str, preview_endpoint: str):
    form = UploadForm()
    if form.validate_on_submit():
        try:
            stored = preview_upload(
                importer,
                current_tenant().id,
                current_user.id,
                form.file.data,
                max_bytes=current_app.config["MKR_IMPORT_MAX_BYTES"],
            )
            db.session.commit()
        except ImportRefused as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return render_template(template, form=form, refused=str(exc)), 400
        return redirect(url_for(preview_endpoint, preview_id=stored.id))
    return render_template(template, form=form)


def _preview_or_404(importer, preview_id: int):
    stored, payload = load_preview(importer, current_tenant().id, current_user.id, preview_id)
    if stored is None:
        abort(404)
    return stored, payload


def _persons_by_id(ids) -> dict[int, Person]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    found = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        found.update(
            {
                p.id: p
                for p in db.session.scalars(
                    sa.select(Person).where(
                        Person.tenant_id == current_tenant().id, Person.id.in_(ordered[i : i + 500])
                    )
                )
            }
        )
    return found


@bp.route("/people/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_import():
    return _upload(PersonImporter(), "admin/people_import.html", ".people_import_preview")


@bp.route("/people/import/template.xlsx")
@roles(Role.ADMIN)
def people_import_template():
    return Response(
        template_xlsx(PersonImporter.spec),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="persons-template.xlsx"'},
    )


@bp.route("/people/import/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_import_preview(preview_id: int):
    importer = PersonImporter()
    stored, payload = _preview_or_404(importer, preview_id)
    form = VersionForm()
    if request.method == "POST" and form.validate_on_submit():
        if "cancel" in request.form:
            from ..imports.preview import discard_preview

            discard_preview(stored)
            db.session.commit()
            flash(_("Загрузка отменена."), "info")
            return redirect(url_for(".people_import"))
        decisions = {}
        for key, value in request.form.items():
            if key.startswith("decision-") and key[9:].isdigit():
                decisions[int(key[9:])] = value
        try:
            result = commit_preview(
                importer,
                current_tenant().id,
                current_user,
                stored,
                payload,
                decisions,
                role=current_role(),
            )
            record(
                "person.import",
                None,
                created=result["created"],
                existing=result["existing"],
                skipped=result["skipped"],
            )
            db.session.commit()
        except (ImportRefused, OperationError, TransitionRefused) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
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
    rows = payload["rows"]
    # Every near match needs a decision, so all are shown; exact ones only up to a limit.
    near = [r for r in rows if r.get("match") and r["match"]["near"]]
    exact = [r for r in rows if r.get("match") and r["match"]["exact"]]
    matched = sorted(near + exact[:SHOWN_EXACT], key=lambda r: r["row"])
    ids = [r["match"]["exact"] for r in matched]
    ids += [n[0] for r in matched for n in r["match"]["near"]]
    return render_template(
        "admin/people_import_preview.html",
        payload=payload,
        form=form,
        errors=[(r["row"], col, reason) for r in rows for col, reason in r["errors"]],
        error_count=error_count(payload),
        matched=matched,
        persons=_persons_by_id(ids),
        exact_count=len(exact),
        shown_exact=min(len(exact), SHOWN_EXACT),
        shown=[r for r in rows if not r["errors"]][:SHOWN_ROWS],
        new_count=sum(1 for r in rows if not r["errors"] and not r.get("match", {}).get("exact")),
        total=len(rows),
    )


@bp.route("/people/social", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_social():
    return _upload(SocialMatcher(), "admin/people_social.html", ".people_social_preview")


@bp.route("/people/social/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def people_social_preview(preview_id: int):
    matcher = SocialMatcher()
    stored, payload = _preview_or_404(matcher, preview_id)
    form = VersionForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = [int(v) for v in request.form.getlist("row") if v.isdigit()]
        try:
            result = commit_preview(
                matcher,
                current_tenant().id,
                current_user,
                stored,
                payload,
                {"rows": chosen},
                role=current_role(),
            )
            db.session.commit()
        except (ImportRefused, OperationError, TransitionRefused) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(
                _(
                    "Отмечены как потенциальные резиденты: %(n)d (новых карточек: %(c)d).",
                    n=result["marked"],
                    c=result["created"],
                ),
                "success",
            )
            return redirect(url_for(".people", status="potential"))
    rows = payload["rows"]
    groups = {
        g: [r for r in rows if r.get("match", {}).get("group") == g]
        for g in (ACTIVE, KNOWN, UNKNOWN)
    }
    return render_template(
        "admin/people_social_preview.html",
        payload=payload,
        form=form,
        groups=groups,
        persons=_persons_by_id(r["match"]["person_id"] for r in rows if r.get("match")),
        errors=[(r["row"], col, reason) for r in rows for col, reason in r["errors"]],
    )
