"""Admin: the persons registry, a person's card, creating and editing (optimistic locking),
lifecycle transitions."""

from __future__ import annotations

import functools
from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from markupsafe import Markup

from workflows.lifecycle import LIFECYCLE
from workflows.roles import Role

from ..access import current_membership, current_role, current_tenant, roles
from ..errors import StaleItem
from ..operations.people import change_status, create_person, update_person
from ..queries.people import audit_trail, higher_education_choices
from ..queries.reference import municipalities_of, organization_choices
from ..web.commit import commit_or_refuse
from ..web.forms import VersionForm, form_field, version_of
from ..web.people import (
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
    WithdrawConsentForm,
)

STALE = StaleItem()


def _reference_choices(form: PersonForm) -> None:
    tenant_id = current_tenant().id
    # a retired municipality is offered only as the value the person already has
    munis = [
        m
        for m in municipalities_of(tenant_id)
        if not m.is_retired or m.id == form.municipality_id.data
    ]
    orgs = organization_choices(tenant_id)
    form.municipality_id.choices = [(0, "—")] + [(m.id, m.name) for m in munis]
    form.organization_id.choices = [(0, "—")] + [(i, n) for i, n in orgs]


def _status_choices(form: StatusForm, status, role, organizations) -> StatusForm:
    form.action.choices = [(a, LIFECYCLE.title(a)) for a in LIFECYCLE.available(status, role)]
    form.organization_id.choices = [(0, "—"), *organizations]
    return form


def status_form(person) -> StatusForm:
    """The form a status change is read with."""
    return _status_choices(
        StatusForm(version=person.version),
        person.status,
        current_role(),
        higher_education_choices(current_membership()),
    )


STATUS_FIELDS = ("action", "on", "comment", "basis", "organization_id")


def status_fields(person) -> Markup:
    """The card's status form, its fields only (the template writes its tokens and the
    person's version), empty: a failed change flashes and returns to the card. Its HTML
    depends on the person's status, the role, the tenant's universities and colleges (the
    kept tuple: a new one when they change), the language and the day only, so it is
    rendered once per each (as :func:`~mkr_web.web.forms.blank_fields` does). Empty when no
    change is open to the role."""
    return _status_fields(
        person.status,
        current_role(),
        higher_education_choices(current_membership()),
        str(get_locale()),
        date.today(),
    )


@functools.lru_cache(maxsize=256)
def _status_fields(status, role, organizations, locale: str, today: date) -> Markup:
    form = _status_choices(
        StatusForm(formdata=None, meta={"csrf": False}), status, role, organizations
    )
    if not form.action.choices:
        return Markup("")
    return Markup("").join(form_field(form[name]) for name in STATUS_FIELDS)


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
        outcome = commit_or_refuse(
            create_person, current_tenant().id, form.person_data(), success=_("Карточка создана.")
        )
        if outcome.ok:
            return redirect(url_for(".person", person_id=outcome.result.id))
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
        status_fields=status_fields(p),
        version=p.version,
        withdraw_form=WithdrawConsentForm(),
        # the forms the card shows empty, as classes: rendered by ``blank_fields``
        consent_form=ConsentForm,
        achievement_form=AchievementForm,
        project_form=ProjectForm,
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
        outcome = commit_or_refuse(
            update_person, p, form.person_data(), expected_version=version_of(form)
        )
        if outcome.ok:
            flash(_("Сохранено.") if outcome.result else _("Изменений нет."), "success")
            return redirect(url_for(".person", person_id=p.id))
        if isinstance(outcome.error, StaleItem):
            return render_template("people/edit.html", form=form, person=p, stale=True), 409
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
    outcome = commit_or_refuse(
        change_status,
        p,
        form.action.data,
        on=form.on.data,
        role=current_role(),
        user_id=current_user.id,
        comment=form.comment.data or "",
        basis=form.basis.data or None,
        organization_id=form.organization_id.data or None,
        expected_version=version_of(form),
    )
    if outcome.ok:
        change = outcome.result
        if change is None:
            flash(_("Статус уже изменён."), "info")
        else:
            flash(_("Статус изменён: %(s)s.", s=change.to_status.title_ru), "success")
    return redirect(url_for(".person", person_id=p.id))
