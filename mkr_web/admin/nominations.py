"""Admin: nominations — expert assignment and the review summary (the generic review views and
partials, as for accreditation), the decision, the history, the evidence files."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..access import current_membership, current_role, current_tenant, roles
from ..actions import run_operation
from ..downloads import send_stored
from ..event_forms import AssignForm, CommentForm, VersionForm, version_of
from ..extensions import db
from ..models import Nomination, SubjectType
from ..operations import nominations as ops
from ..operations import reviews
from ..operations.review_subjects import subject_spec
from ..queries.nominations import nomination_in_scope, nominations_for
from ..queries.reviews import (
    experts_in_tenant,
    history_rows,
    review_summary,
    rubric_of,
    summaries_for,
)
from . import bp
from .review_steps import assign_experts_from_form, start_review_from_form

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
    q = nominations_for(current_membership()).options(
        db.joinedload(Nomination.person), db.joinedload(Nomination.municipality)
    )
    if state in ReviewState._value2member_map_:
        q = q.where(Nomination.state == ReviewState(state))
    page = db.paginate(q.order_by(Nomination.id.desc()), per_page=PER_PAGE, error_out=False)
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
    tenant = current_tenant()
    if rubric_of(tenant.id, ST) is None:  # first use: the tenant's default rubric
        reviews.ensure_rubric(tenant.id, ST)
        db.session.commit()
    summary = review_summary(tenant, ST, nomination.id)
    assigned = {r.assignment.expert_id for r in summary.results}
    excluded = subject_spec(ST).excluded_user_ids(nomination)
    assign_form = AssignForm()
    assign_form.expert_ids.choices = [
        (u.id, u.full_name or u.email)
        for u in experts_in_tenant(tenant.id)
        if u.id not in assigned and u.id not in excluded
    ]
    version = nomination.version
    return render_template(
        "admin/nomination.html",
        nomination=nomination,
        summary=summary,
        assign_form=assign_form,
        actions=NOMINATION.available(nomination.state, current_role()),
        min_experts=tenant.setting("min_experts"),
        start_form=VersionForm(version=version, prefix="start"),
        approve_form=CommentForm(version=version, prefix="approve"),
        return_form=CommentForm(version=version, prefix="return"),
        reject_form=CommentForm(version=version, prefix="reject"),
        unassign_form=VersionForm(prefix="unassign"),
        history=history_rows(ST, nomination.id, include_review_steps=True),
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
    done = {}
    error = run_operation(
        lambda: done.setdefault(
            "outcome",
            ops.approve(
                nomination,
                current_membership(),
                form.comment.data or "",
                expected_version=version_of(form),
            ),
        ),
        success=_("Выдвижение одобрено."),
    )
    if error is None and done["outcome"].admitted_person_id:
        # after the commit: the new Resident's certificate goes to a worker
        from ..operations.admission import queue_resident_certificate

        queue_resident_certificate(
            done["outcome"].admitted_person_id,
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
        message = (
            _("В выдвижении отказано.")
            if action == "reject"
            else _("Выдвижение возвращено на доработку.")
        )
        run_operation(
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
