"""Admin: nominations — expert assignment and the review summary (the generic review views and
partials, as for accreditation), the decision, the history, the evidence files."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..access import current_membership, current_role, current_tenant, roles
from ..models import Nomination, SubjectType
from ..operations import nominations as ops
from ..operations.admission import queue_resident_certificate
from ..queries.nominations import nomination_in_scope, nomination_list
from ..queries.reviews import (
    summaries_for,
)
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from ..web.files import send_stored
from ..web.forms import CommentForm, version_of
from ..web.loading import paginate
from . import bp
from .review_steps import assign_experts_from_form, review_panel, start_review_from_form

ST = SubjectType.NOMINATION
PER_PAGE = 50


def _nomination(nomination_id: int) -> Nomination:
    nomination = nomination_in_scope(current_membership(), nomination_id)
    if nomination is None:
        abort(404)
    return nomination


def _back(nomination: Nomination):
    return redirect(url_for(".nomination_detail", nomination_id=nomination.id))


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
        actions=NOMINATION.available(nomination.state, current_role()),
        approve_form=CommentForm(version=nomination.version, prefix="approve"),
        **review_panel(ST, nomination),
    )


@bp.route("/nominations/<int:nomination_id>/assign", methods=["POST"])
@roles(Role.ADMIN)
def nomination_assign(nomination_id: int):
    nomination = _nomination(nomination_id)
    assign_experts_from_form(ST, nomination)
    return _back(nomination)


@bp.route("/nominations/<int:nomination_id>/start-review", methods=["POST"])
@roles(Role.ADMIN)
def nomination_start_review(nomination_id: int):
    nomination = _nomination(nomination_id)
    start_review_from_form(ST, nomination, _("Выдвижение передано на экспертизу."))
    return _back(nomination)


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
def nomination_approve(nomination_id: int):
    nomination = _nomination(nomination_id)
    form = CommentForm(prefix="approve")
    if not form.validate_on_submit():
        return _back(nomination)
    ask = confirmation_page(
        _(
            "Одобрить выдвижение %(number)s (%(kind)s).",
            number=nomination.number,
            kind=nomination.kind.title_ru,
        ),
        back=url_for(".nomination_detail", nomination_id=nomination.id),
        count=1,
    )
    if ask is not None:
        return ask
    outcome = commit_or_refuse(
        ops.approve,
        nomination,
        current_membership(),
        form.comment.data or "",
        expected_version=version_of(form),
        success=_("Выдвижение одобрено."),
    )
    if outcome.ok and outcome.result.admitted_person_id:
        # after the commit: the new Resident's certificate goes to a worker
        queue_resident_certificate(
            outcome.result.admitted_person_id,
            tenant_id=nomination.tenant_id,
            user_id=current_user.id,
            base_url=request.url_root,
        )
    return _back(nomination)


@bp.route("/nominations/<int:nomination_id>/decide/<any(reject, return):action>", methods=["POST"])
@roles(Role.ADMIN)
def nomination_decide(nomination_id: int, action: str):
    nomination = _nomination(nomination_id)
    form = CommentForm(prefix=action)
    if form.validate_on_submit():
        if action == "reject":
            ask = confirmation_page(
                _("Отказать по выдвижению %(number)s.", number=nomination.number),
                back=url_for(".nomination_detail", nomination_id=nomination.id),
                count=1,
            )
            if ask is not None:
                return ask
        message = (
            _("В выдвижении отказано.")
            if action == "reject"
            else _("Выдвижение возвращено на доработку.")
        )
        commit_or_refuse(
            ops.decide,
            nomination,
            current_membership(),
            action,
            form.comment.data or "",
            expected_version=version_of(form),
            success=message,
        )
    else:
        flash(_("Укажите комментарий."), "danger")
    return _back(nomination)


@bp.route("/nominations/<int:nomination_id>/files/<int:file_id>")
@roles(Role.ADMIN)
def nomination_file(nomination_id: int, file_id: int):
    nomination = _nomination(nomination_id)
    stored = next((f for f in nomination.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    return send_stored(stored)
