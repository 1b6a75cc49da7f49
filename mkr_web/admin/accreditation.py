"""The admin's side of accreditation: the applications, expert assignment, the review summary
(mean, spread, disagreement), the decision, the history and the certificate."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import ReviewState
from workflows.roles import Role

from ..access import (
    current_membership,
    current_role,
    current_tenant,
    get_in_tenant_or_404,
    roles,
)
from ..models import AccreditationApplication, CertificateKind, ReviewAssignment, SubjectType
from ..operations import accreditation as ops, reviews
from ..operations.certificates import find as find_certificate
from ..operations.deadlines import today
from ..queries.dashboards import expiring_year
from ..queries.events import application_list
from ..queries.review_subjects import subject_spec
from ..queries.reviews import (
    summaries_for,
)
from ..web.commit import commit_or_refuse
from ..web.files import (
    accreditation_certificate_response,
    regulation_response,
    start_certificate_job,
)
from ..web.forms import (
    LEVEL_TITLES,
    AccreditForm,
    VersionForm,
)
from . import bp
from .review_steps import AdminReview

ST = SubjectType.ACCREDITATION


def _application(application_id: int) -> AccreditationApplication:
    return get_in_tenant_or_404(AccreditationApplication, application_id)


def _decide(application: AccreditationApplication, action: str, comment: str, version):
    return ops.decide(
        application,
        action,
        comment,
        role=current_role(),
        user_id=current_user.id,
        expected_version=version,
    )


REVIEW = AdminReview(
    ST,
    path="/accreditation",
    name="accreditation",
    load=_application,
    started=lambda: _("Заявка передана на экспертизу."),
    reject_question=lambda a: _("Отказать в аккредитации по заявке %(number)s.", number=a.number),
    rejected=lambda: _("В аккредитации отказано."),
    returned=lambda: _("Заявка возвращена на доработку."),
    decide_op=_decide,
)
REVIEW.register(bp)


@bp.route("/accreditation")
@roles(Role.ADMIN)
def accreditation_list():
    tenant = current_tenant()
    state = request.args.get("state", "")
    expiring = request.args.get("expiring") == "1"
    applications = application_list(
        current_membership(),
        state,
        valid_until=expiring_year(tenant, today()) if expiring else None,
    )
    return render_template(
        "admin/accreditation_list.html",
        applications=applications,
        state=state,
        states=list(ReviewState),
        expiring=expiring,
        summaries=summaries_for(tenant, ST, [a.id for a in applications]),
    )


@bp.route("/accreditation/<int:application_id>")
@roles(Role.ADMIN)
def accreditation_detail(application_id: int):
    application = _application(application_id)
    this_year = date.today().year
    return render_template(
        "admin/accreditation_detail.html",
        application=application,
        levels=LEVEL_TITLES,
        accredit_form=AccreditForm(
            version=application.version,
            valid_from=this_year,
            valid_to=this_year + 2,
            prefix="accredit",
        ),
        **REVIEW.panel(application),
        certificate=find_certificate(CertificateKind.ACCREDITATION, application.id),
    )


@bp.route("/accreditation/<int:application_id>/accredit", methods=["POST"])
@roles(Role.ADMIN)
def accreditation_accredit(application_id: int):
    application = _application(application_id)
    form = AccreditForm(prefix="accredit")

    def accredit(comment: str, version):
        return ops.accredit(
            application,
            form.valid_from.data,
            form.valid_to.data,
            role=current_role(),
            user_id=current_user.id,
            comment=comment,
            expected_version=version,
        )

    def queue_certificate(_result) -> None:
        try:
            start_certificate_job(
                application.tenant_id, CertificateKind.ACCREDITATION, application.id
            )
        except Exception as exc:  # noqa: BLE001 - the broker is down: the PDF is made on first download
            current_app.logger.warning("certificate job not queued: %s", type(exc).__name__)
            flash(_("Свидетельство будет подготовлено при первом скачивании."), "warning")

    return REVIEW.decide(
        application,
        form,
        call=accredit,
        success=_("Мероприятие аккредитовано."),
        question=_(
            "Аккредитовать мероприятие «%(title)s» (заявка %(number)s) на %(a)s–%(b)s гг. и "
            "выдать свидетельство.",
            title=application.title,
            number=application.number,
            a=form.valid_from.data,
            b=form.valid_to.data,
        ),
        invalid=_("Укажите срок аккредитации: годы с… по… (от 2000 до 2100)."),
        after=queue_certificate,
    )


@bp.route("/assignments/<int:assignment_id>/unassign", methods=["POST"])
@roles(Role.ADMIN)
def assignment_unassign(assignment_id: int):
    assignment = get_in_tenant_or_404(ReviewAssignment, assignment_id)
    spec = subject_spec(assignment.subject_type)
    subject = reviews.load_subject(assignment.subject_type, assignment.subject_id)
    form = VersionForm(prefix="unassign")
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.unassign,
            assignment,
            role=current_role(),
            actor_id=current_user.id,
            success=_("Эксперт снят."),
        )
    return redirect(spec.admin_url(subject))


@bp.route("/accreditation/<int:application_id>/regulation")
@roles(Role.ADMIN)
def accreditation_regulation(application_id: int):
    return regulation_response(_application(application_id))


@bp.route("/accreditation/<int:application_id>/certificate")
@roles(Role.ADMIN)
def accreditation_certificate(application_id: int):
    return accreditation_certificate_response(_application(application_id))
