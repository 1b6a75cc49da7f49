"""Admin: nominations — expert assignment and the review summary (the generic review views and
partials, as for accreditation), the decision, the history, the evidence files."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import ReviewState
from workflows.roles import Role

from ..access import current_membership, current_tenant, roles
from ..models import Nomination, SubjectType
from ..operations import nominations as ops
from ..operations.admission import queue_resident_certificate
from ..queries.nominations import nomination_in_scope, nomination_list
from ..queries.reviews import (
    summaries_for,
)
from ..web.files import send_stored
from ..web.forms import CommentForm
from ..web.loading import paginate
from . import bp
from .review_steps import AdminReview

ST = SubjectType.NOMINATION
PER_PAGE = 50


def _nomination(nomination_id: int) -> Nomination:
    nomination = nomination_in_scope(current_membership(), nomination_id)
    if nomination is None:
        abort(404)
    return nomination


def _decide(nomination: Nomination, action: str, comment: str, version):
    return ops.decide(nomination, current_membership(), action, comment, expected_version=version)


REVIEW = AdminReview(
    ST,
    path="/nominations",
    name="nomination",
    load=_nomination,
    started=lambda: _("Выдвижение передано на экспертизу."),
    reject_question=lambda n: _("Отказать по выдвижению %(number)s.", number=n.number),
    rejected=lambda: _("В выдвижении отказано."),
    returned=lambda: _("Выдвижение возвращено на доработку."),
    decide_op=_decide,
    comment_missing=lambda: _("Укажите комментарий."),
)
REVIEW.register(bp)


@bp.route("/nominations")
@roles(Role.ADMIN)
def nominations():
    state = request.args.get("state", "")
    page = paginate(nomination_list(current_membership(), state), per_page=PER_PAGE)
    return render_template(
        "admin/nominations.html",
        page=page,
        state=state,
        states=list(ReviewState),
        summaries=summaries_for(current_tenant(), ST, [n.id for n in page.items]),
    )


@bp.route("/nominations/<int:nomination_id>")
@roles(Role.ADMIN)
def nomination_detail(nomination_id: int):
    nomination = _nomination(nomination_id)
    return render_template(
        "admin/nomination.html",
        nomination=nomination,
        approve_form=CommentForm(version=nomination.version, prefix="approve"),
        **REVIEW.panel(nomination),
    )


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
def nomination_approve(nomination_id: int):
    nomination = _nomination(nomination_id)

    def queue_certificate(result) -> None:
        if result.admitted_person_id:  # the new Resident's certificate goes to a worker
            queue_resident_certificate(
                result.admitted_person_id,
                tenant_id=nomination.tenant_id,
                user_id=current_user.id,
            )

    return REVIEW.decide(
        nomination,
        CommentForm(prefix="approve"),
        call=lambda comment, version: ops.approve(
            nomination, current_membership(), comment, expected_version=version
        ),
        success=_("Выдвижение одобрено."),
        question=_(
            "Одобрить выдвижение %(number)s (%(kind)s).",
            number=nomination.number,
            kind=nomination.kind.title_ru,
        ),
        after=queue_certificate,
    )


@bp.route("/nominations/<int:nomination_id>/files/<int:file_id>")
@roles(Role.ADMIN)
def nomination_file(nomination_id: int, file_id: int):
    nomination = _nomination(nomination_id)
    stored = next((f for f in nomination.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    return send_stored(stored)
