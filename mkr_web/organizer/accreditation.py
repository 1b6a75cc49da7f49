"""The organiser's accreditation applications: draft, submit, revise and resubmit, follow the
history, download the certificate."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import ACCREDITATION
from workflows.roles import Role

from ..access import current_membership, current_role, roles
from ..documents.storage import save_pdf_upload
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
from ..queries.events import (
    application_list,
    applications_for,
    events_of_organization,
    grid_municipalities,
)
from ..queries.reference import organizations_of
from ..queries.reviews import history_rows
from ..web.commit import commit_or_refuse
from ..web.files import (
    CERTIFIED,
    accreditation_certificate_response,
    regulation_response,
)
from ..web.forms import LEVEL_TITLES, ApplicationForm, VersionForm, version_of
from ..web.loading import all_in_tenant_or_404, by_id_or_404
from . import bp


def application_or_404(application_id: int) -> AccreditationApplication:
    return by_id_or_404(
        applications_for(current_membership()), AccreditationApplication, application_id
    )


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
        (o.id, o.name) for o in organizations_of(tenant_id, exclude_kinds=[OrganizationKind.SCHOOL])
    ]
    form.event_id.choices = [(0, "—")] + [
        (e.id, e.title) for e in events_of_organization(tenant_id, membership.organization_id)
    ]
    return form


def _pick(model, ids: list[int]) -> list:
    return all_in_tenant_or_404(model, ids, current_membership().tenant_id)


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
    applications = application_list(current_membership(), request.args.get("state", ""))
    return render_template("organizer/accreditation_list.html", applications=applications)


@bp.route("/accreditation/new", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def accreditation_new():
    form = _form(None)
    if form.validate_on_submit():
        membership = current_membership()

        def create():  # the regulation's upload may be refused too
            return ops.create_application(
                membership.tenant_id,
                membership.organization,
                _data(form),
                user_id=current_user.id,
                regulation=_regulation(form),
            )

        outcome = commit_or_refuse(create, success=_("Черновик заявки сохранён."))
        if outcome.ok:
            return redirect(url_for(".accreditation_detail", application_id=outcome.result.id))
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

        if commit_or_refuse(update, success=_("Изменения сохранены.")).ok:
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
        commit_or_refuse(
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
    return regulation_response(application_or_404(application_id))


@bp.route("/accreditation/<int:application_id>/certificate")
@roles(Role.ORGANIZER)
def accreditation_certificate(application_id: int):
    return accreditation_certificate_response(application_or_404(application_id))
