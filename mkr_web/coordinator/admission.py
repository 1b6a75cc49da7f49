"""Coordinator: admission candidates of their own municipalities; confirm data and consent,
or return the row to the organiser with a reason. Other candidates are 404."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from workflows.admission import CandidateState
from workflows.roles import Role

from ..access import current_membership, roles
from ..models import AdmissionCandidate, SubjectType
from ..operations.audit import record
from ..operations.deadlines import today
from ..queries.admission import candidate_in_scope, candidate_list, candidates_for
from ..queries.transitions import history
from ..web.admission import (
    confirm_from_form,
    confirm_many_from_form,
    next_candidate_id,
    return_from_form,
)
from ..web.commit import commit_or_refuse
from ..web.forms import ConfirmCandidateForm, ReturnCandidateForm
from ..web.loading import one_or_404, paginate
from . import bp

PER_PAGE = 50


def _candidate_or_404(candidate_id: int) -> AdmissionCandidate:
    return one_or_404(candidate_in_scope(current_membership(), candidate_id))


@bp.route("/admission/")
@roles(Role.COORDINATOR)
def admission():
    state = request.args.get("state", CandidateState.SUBMITTED.value)
    if state not in {s.value for s in CandidateState}:
        state = "all"
    wanted = None if state == "all" else CandidateState(state)
    page = paginate(candidate_list(current_membership(), wanted), per_page=PER_PAGE)
    return render_template(
        "coordinator/admission.html",
        page=page,
        state=state,
        states=list(CandidateState),
        form=FlaskForm(),
        today=today(),
    )


@bp.route("/admission/confirm", methods=["POST"])
@roles(Role.COORDINATOR)
def admission_confirm_many():
    if FlaskForm().validate_on_submit():
        confirm_many_from_form(candidates_for(current_membership()))
    return redirect(url_for(".admission", state=CandidateState.SUBMITTED.value))


@bp.route("/admission/candidates/<int:candidate_id>")
@roles(Role.COORDINATOR)
def admission_candidate(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    commit_or_refuse(record, "admission_candidate.view", candidate)
    return _render(candidate)


def _render(candidate, confirm_form=None, return_form=None):
    confirm_form = confirm_form or ConfirmCandidateForm(version=candidate.version)
    return_form = return_form or ReturnCandidateForm(version=candidate.version)
    return render_template(
        "coordinator/admission_candidate.html",
        candidate=candidate,
        confirm_form=confirm_form,
        return_form=return_form,
        history=history(SubjectType.CANDIDATE, candidate.id),
        states=CandidateState,
        next_id=next_candidate_id(candidates_for(current_membership()), candidate),
    )


@bp.route("/admission/candidates/<int:candidate_id>/confirm", methods=["POST"])
@roles(Role.COORDINATOR)
def admission_confirm(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = ConfirmCandidateForm()
    if not form.validate_on_submit():
        return _render(candidate, confirm_form=form), 400
    confirm_from_form(candidate, form)
    return redirect(url_for(".admission_candidate", candidate_id=candidate_id))


@bp.route("/admission/candidates/<int:candidate_id>/return", methods=["POST"])
@roles(Role.COORDINATOR)
def admission_return(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = ReturnCandidateForm()
    if not form.validate_on_submit():
        return _render(candidate, return_form=form), 400
    return_from_form(candidate, form)
    return redirect(url_for(".admission_candidate", candidate_id=candidate_id))
