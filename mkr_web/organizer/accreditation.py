"""The organiser's accreditation applications: draft, submit, revise and resubmit, follow the
history, download the certificate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import ACCREDITATION, ReviewState
from workflows.roles import Role

from ..access import current_membership, current_role, roles
from ..actions import run_operation
from ..documents.storage import save_pdf_upload
from ..downloads import certificate_response, send_stored
from ..event_forms import LEVEL_TITLES, ApplicationForm, VersionForm, version_of
from ..extensions import db
from ..models import (
    AccreditationApplication,
    CertificateKind,
    Direction,
    Event,
    EventLevel,
    Municipality,
    Organization,
    OrganizationKind,
    SubjectType,
)
from ..operations import accreditation as ops
from ..operations.certificates import find as find_certificate
from ..queries.events import applications_for, grid_municipalities
from ..queries.reviews import history_rows
from . import bp

CERTIFIED = (ReviewState.ACCREDITED, ReviewState.EXPIRED)


def application_or_404(application_id: int) -> AccreditationApplication:
    application = db.session.execute(
        applications_for(current_membership()).where(AccreditationApplication.id == application_id)
    ).scalar_one_or_none()
    if application is None:
        abort(404)
    return application


def _form(application: AccreditationApplication | None) -> ApplicationForm:
    membership = current_membership()
    tenant_id = membership.tenant_id
    data = {}
    if application is not None:
        data = {
            "direction": application.direction.value,
            "level": application.level.value,
            "municipality_ids": [m.id for m in application.municipalities],
            "partner_ids": [o.id for o in application.partners],
            "event_id": application.event_id or 0,
        }
    form = ApplicationForm(obj=application, **data)
    form.municipality_ids.choices = [(m.id, m.name) for m in grid_municipalities(tenant_id)]
    form.partner_ids.choices = [
        (o.id, o.name)
        for o in db.session.scalars(
            sa.select(Organization)
            .where(
                Organization.tenant_id == tenant_id, Organization.kind != OrganizationKind.SCHOOL
            )
            .order_by(Organization.name)
        )
    ]
    form.event_id.choices = [(0, "—")] + [
        (e.id, e.title)
        for e in db.session.scalars(
            sa.select(Event)
            .where(Event.tenant_id == tenant_id, Event.organizer_id == membership.organization_id)
            .order_by(Event.title)
        )
    ]
    return form


def _pick(model, ids: list[int]) -> list:
    ids = [i for i in ids or [] if i]
    if not ids:
        return []
    rows = list(
        db.session.scalars(
            sa.select(model).where(
                model.tenant_id == current_membership().tenant_id, model.id.in_(ids)
            )
        )
    )
    if len(rows) != len(set(ids)):
        abort(404)
    return rows


def _data(form: ApplicationForm) -> ops.ApplicationData:
    events = _pick(Event, [form.event_id.data])
    return ops.ApplicationData(
        title=form.title.data,
        direction=Direction(form.direction.data),
        level=EventLevel(form.level.data),
        regularity=form.regularity.data or "",
        audience=form.audience.data or "",
        expected_participants=form.expected_participants.data or 0,
        selection_method=form.selection_method.data or "",
        municipalities=_pick(Municipality, form.municipality_ids.data),
        partners=_pick(Organization, form.partner_ids.data),
        event=events[0] if events else None,
    )


def _regulation(form: ApplicationForm):
    upload = form.regulation.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return save_pdf_upload(
        current_membership().tenant_id, "regulation", upload, user_id=current_user.id
    )


@bp.route("/accreditation")
@roles(Role.ORGANIZER)
def accreditation_list():
    applications = db.session.scalars(
        applications_for(current_membership()).order_by(AccreditationApplication.id.desc())
    ).all()
    return render_template("organizer/accreditation_list.html", applications=applications)


@bp.route("/accreditation/new", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def accreditation_new():
    form = _form(None)
    if form.validate_on_submit():
        membership = current_membership()
        made = {}

        def create():
            made["a"] = ops.create_application(
                membership.tenant_id,
                membership.organization,
                _data(form),
                user_id=current_user.id,
                regulation=_regulation(form),
            )

        if run_operation(create, success=_("Черновик заявки сохранён.")) is None:
            return redirect(url_for(".accreditation_detail", application_id=made["a"].id))
    return render_template("organizer/accreditation_form.html", form=form, application=None)


@bp.route("/accreditation/<int:application_id>", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def accreditation_detail(application_id: int):
    application = application_or_404(application_id)
    editable = application.state in ops.EDITABLE
    form = _form(application) if editable else None
    if form is not None and form.validate_on_submit():

        def update():
            ops.update_application(application, _data(form), regulation=_regulation(form))

        if run_operation(update, success=_("Изменения сохранены.")) is None:
            return redirect(url_for(".accreditation_detail", application_id=application.id))
    return render_template(
        "organizer/accreditation_detail.html",
        application=application,
        form=form,
        submit_form=VersionForm(version=application.version),
        levels=LEVEL_TITLES,
        history=history_rows(SubjectType.ACCREDITATION, application.id, include_review_steps=False),
        certificate=find_certificate(CertificateKind.ACCREDITATION, application.id),
        can_submit=bool(ACCREDITATION.available(application.state, current_role())),
        has_certificate=application.state in CERTIFIED,
    )


@bp.route("/accreditation/<int:application_id>/submit", methods=["POST"])
@roles(Role.ORGANIZER)
def accreditation_submit(application_id: int):
    application = application_or_404(application_id)
    form = VersionForm()
    if form.validate_on_submit():
        run_operation(
            ops.submit,
            application,
            role=current_role(),
            user_id=current_user.id,
            expected_version=version_of(form),
            success=_("Заявка подана."),
        )
    return redirect(url_for(".accreditation_detail", application_id=application.id))


@bp.route("/accreditation/<int:application_id>/regulation")
@roles(Role.ORGANIZER)
def accreditation_regulation(application_id: int):
    application = application_or_404(application_id)
    if application.regulation_file is None:
        abort(404)
    return send_stored(application.regulation_file)


@bp.route("/accreditation/<int:application_id>/certificate")
@roles(Role.ORGANIZER)
def accreditation_certificate(application_id: int):
    application = application_or_404(application_id)
    if application.state not in CERTIFIED:
        abort(404)
    return certificate_response(
        application.tenant_id, CertificateKind.ACCREDITATION, application.id
    )
