"""Admin: the persons registry, a person's card, creating and editing (optimistic locking),
lifecycle transitions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from workflows.engine import TransitionRefused
from workflows.lifecycle import LIFECYCLE
from workflows.roles import Role

from ..access import current_role, current_tenant, roles, tenant_query
from ..extensions import db
from ..models import Municipality, Organization, OrganizationKind
from ..operations.people import change_status, create_person, update_person
from ..operations.tenancy import OperationError
from ..operations.transitions import StaleItem
from ..queries.people import audit_trail
from ..registry import (
    card_context,
    export_job_file,
    export_job_page,
    export_response,
    person_or_404,
    registry_page,
)
from . import bp
from .people_forms import (
    AchievementForm,
    ConsentForm,
    PersonForm,
    ProjectForm,
    StatusForm,
    VersionForm,
)

STALE = StaleItem()


def _reference_choices(form: PersonForm) -> None:
    munis = db.session.scalars(tenant_query(Municipality).order_by(Municipality.sort_order))
    orgs = db.session.execute(
        tenant_query(Organization)
        .with_only_columns(Organization.id, Organization.name)
        .order_by(Organization.name)
    ).all()
    form.municipality_id.choices = [(0, "—")] + [(m.id, m.name) for m in munis]
    form.organization_id.choices = [(0, "—")] + [(i, n) for i, n in orgs]


def status_form(person) -> StatusForm:
    form = StatusForm(version=person.version)
    form.action.choices = [
        (a, LIFECYCLE.title(a)) for a in LIFECYCLE.available(person.status, current_role())
    ]
    unis = db.session.execute(
        tenant_query(Organization)
        .with_only_columns(Organization.id, Organization.name)
        .where(Organization.kind.in_([OrganizationKind.UNIVERSITY, OrganizationKind.COLLEGE]))
        .order_by(Organization.name)
    ).all()
    form.organization_id.choices = [(0, "—")] + [(i, n) for i, n in unis]
    return form


@bp.route("/people")
@roles(Role.ADMIN)
def people():
    return registry_page("people/registry.html", "admin")


@bp.route("/people/export.<fmt>")
@roles(Role.ADMIN)
def people_export(fmt: str):
    return export_response(fmt, ".people_export_job")


@bp.route("/people/exports/<int:job_id>")
@roles(Role.ADMIN)
def people_export_job(job_id: int):
    return export_job_page(job_id, ".people_export_file")


@bp.route("/people/exports/<int:job_id>/file")
@roles(Role.ADMIN)
def people_export_file(job_id: int):
    return export_job_file(job_id)


@bp.route("/people/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def person_new():
    form = PersonForm()
    _reference_choices(form)
    if form.validate_on_submit():
        try:
            person = create_person(current_tenant().id, form.person_data())
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(_("Карточка создана."), "success")
            return redirect(url_for(".person", person_id=person.id))
    return render_template("people/edit.html", form=form, person=None)


@bp.route("/people/<int:person_id>")
@roles(Role.ADMIN)
def person(person_id: int):
    p = person_or_404(person_id)
    return render_template(
        "people/card.html",
        prefix="admin",
        can_edit=True,
        trail=audit_trail(p),
        status_form=status_form(p),
        consent_form=ConsentForm(),
        achievement_form=AchievementForm(),
        project_form=ProjectForm(year=date.today().year),
        version_form=VersionForm(version=p.version),
        **card_context(p),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def person_edit(person_id: int):
    p = person_or_404(person_id)
    form = PersonForm(
        obj=p,
        municipality_id=p.municipality_id or 0,
        organization_id=p.organization_id or 0,
        version=p.version,
    )
    _reference_choices(form)
    if form.validate_on_submit():
        try:
            changed = update_person(p, form.person_data(), expected_version=form.loaded_version())
            db.session.commit()
        except (StaleItem, StaleDataError):
            db.session.rollback()
            flash(str(STALE), "danger")
            return render_template("people/edit.html", form=form, person=p, stale=True), 409
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(_("Сохранено.") if changed else _("Изменений нет."), "success")
            return redirect(url_for(".person", person_id=p.id))
    return render_template("people/edit.html", form=form, person=p)


@bp.route("/people/<int:person_id>/status", methods=["POST"])
@roles(Role.ADMIN)
def person_status(person_id: int):
    p = person_or_404(person_id)
    form = status_form(p)
    if not form.validate_on_submit():
        flash(
            _("Проверьте поля формы смены статуса: ")
            + "; ".join(f"{form[k].label.text}: {', '.join(v)}" for k, v in form.errors.items()),
            "danger",
        )
        return redirect(url_for(".person", person_id=p.id))
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = None
    try:
        change = change_status(
            p,
            form.action.data,
            on=form.on.data,
            role=current_role(),
            user_id=current_user.id,
            comment=form.comment.data or "",
            basis=form.basis.data or None,
            organization_id=form.organization_id.data or None,
            expected_version=version,
        )
        db.session.commit()
    except (StaleItem, StaleDataError):
        db.session.rollback()
        flash(str(STALE), "danger")
    except (TransitionRefused, OperationError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        if change is None:
            flash(_("Статус уже изменён."), "info")
        else:
            flash(_("Статус изменён: %(s)s.", s=change.to_status.title_ru), "success")
    return redirect(url_for(".person", person_id=p.id))


__all__ = ["sa"]
