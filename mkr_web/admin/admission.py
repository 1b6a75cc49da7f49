"""Admin: admission batches, decisions per candidate or for a whole batch, near matches,
and the candidates of municipalities without a coordinator (admin checks those)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from workflows.admission import CandidateState
from workflows.roles import Role

from ..access import current_membership, current_tenant, get_in_tenant_or_404, roles
from ..errors import OperationError
from ..models import AdmissionBatch, AdmissionCandidate, Person, SubjectType
from ..operations import admission as ops, resident_certificates
from ..queries.admission import (
    batch_list,
    batch_with_candidates,
    confirmed_count,
    coordinated_municipalities,
    near_matches,
    state_counts,
    unassigned_count,
    unassigned_list,
)
from ..queries.transitions import history
from ..web.admission import confirm_from_form, return_from_form
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from ..web.forms import (
    ConfirmCandidateForm,
    Form,
    ReturnCandidateForm,
    int_or_none,
    parse_version,
    version_of,
)
from ..web.loading import paginate
from . import bp

PER_PAGE = 50


class RejectForm(Form):
    reason = TextAreaField(_l("Причина отказа"), validators=[DataRequired(), Length(max=500)])
    version = HiddenField()


def _decided_on():
    """The decision date typed on the form (ISO, from a date input); None: today. A text that
    is no date raises the refusal the commit helper shows."""
    text = (request.form.get("decided_on") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OperationError(_("Дата решения: нужна дата.")) from None


def _candidate_or_404(candidate_id: int) -> AdmissionCandidate:
    return get_in_tenant_or_404(AdmissionCandidate, candidate_id)


def _queue_certificates(decision: ops.Decision, batch: AdmissionBatch | None = None) -> None:
    """After the commit: the new Residents' certificates go to a worker (a whole batch as
    one job, whose ZIP the batch page offers)."""
    ids = decision.admitted_person_ids
    if batch is not None and len(ids) > 1:
        resident_certificates.start_batch_job(batch, user_id=current_user.id)
        return
    for person_id in ids:
        ops.queue_resident_certificate(
            person_id,
            tenant_id=current_tenant().id,
            user_id=current_user.id,
        )


@bp.route("/admission/")
@roles(Role.ADMIN)
def admission_batches():
    ready = request.args.get("ready") == "1"
    missing = request.args.get("certificates") == "missing"
    page = paginate(
        batch_list(current_membership(), ready=ready, missing_certificates=missing),
        per_page=PER_PAGE,
    )
    return render_template(
        "admin/admission_batches.html",
        page=page,
        filters={
            "ready": ready,
            "missing": missing,
            "args": {
                **({"ready": 1} if ready else {}),
                **({"certificates": "missing"} if missing else {}),
            },
        },
        counts=state_counts(b.id for b in page.items),
        states=list(CandidateState),
        unassigned=unassigned_count(current_tenant().id),
    )


@bp.route("/admission/unassigned")
@roles(Role.ADMIN)
def admission_unassigned():
    page = paginate(unassigned_list(current_tenant().id), per_page=PER_PAGE)
    return render_template("admin/admission_unassigned.html", page=page)


@bp.route("/admission/batches/<int:batch_id>")
@roles(Role.ADMIN)
def admission_batch(batch_id: int):
    batch = batch_with_candidates(current_membership(), batch_id)
    if batch is None:
        abort(404)
    coordinated = coordinated_municipalities(batch.tenant_id)
    residents = resident_certificates.batch_person_ids(batch)
    return render_template(
        "admin/admission_batch.html",
        batch=batch,
        coordinated=coordinated,
        near=near_matches(batch.candidates),
        form=Form(),
        confirmed=sum(c.state is CandidateState.CONFIRMED for c in batch.candidates),
        residents=len(residents),
        issued=resident_certificates.issued_count(residents),
        cert_job=resident_certificates.latest_batch_job(batch),
    )


def _decide(question: str, *, count: int, cancel: str, work, done, then):
    """The admin decides on candidates (one, or a protocol's confirmed ones): ask first
    (without JavaScript, a confirmation page naming ``count``; ``cancel`` goes back), run
    ``work()`` in one commit, ``done(result)`` once committed (say what happened, queue the
    certificates), then answer ``then()``."""
    ask = confirmation_page(question, back=cancel, count=count)
    if ask is not None:
        return ask
    outcome = commit_or_refuse(work)
    if outcome.ok:
        done(outcome.result)
    return then()


def _decide_batch(batch: AdmissionBatch, question, work, done):
    """A decision on every confirmed candidate of a protocol; ``question(n)`` names how many."""
    n = confirmed_count(batch.id)
    page = url_for(".admission_batch", batch_id=batch.id)
    return _decide(
        question(n), count=n, cancel=page, work=work, done=done, then=lambda: redirect(page)
    )


@bp.route("/admission/batches/<int:batch_id>/admit-all", methods=["POST"])
@roles(Role.ADMIN)
def admission_admit_all(batch_id: int):
    batch = get_in_tenant_or_404(AdmissionBatch, batch_id)
    if not Form().validate_on_submit():
        return redirect(url_for(".admission_batch", batch_id=batch_id))

    def admitted(decision: ops.Decision) -> None:
        _queue_certificates(decision, batch)
        flash(
            _(
                "Включено в банк: %(n)s; из них уже были резидентами (записано достижение): %(a)s.",
                n=len(decision.changed),
                a=len(decision.achievement_person_ids),
            ),
            "success",
        )

    return _decide_batch(
        batch,
        lambda n: _(
            "Включить в банк всех подтверждённых кандидатов протокола %(number)s: %(n)s. "
            "Каждый станет резидентом, и ему будет выдано свидетельство.",
            number=batch.number,
            n=n,
        ),
        lambda: ops.admit_confirmed(batch, current_membership(), on=_decided_on()),
        admitted,
    )


@bp.route("/admission/batches/<int:batch_id>/reject-all", methods=["POST"])
@roles(Role.ADMIN)
def admission_reject_all(batch_id: int):
    batch = get_in_tenant_or_404(AdmissionBatch, batch_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Укажите причину отказа."), "danger")
        return redirect(url_for(".admission_batch", batch_id=batch_id))
    return _decide_batch(
        batch,
        lambda n: _(
            "Отклонить всех подтверждённых кандидатов протокола %(number)s: %(n)s.",
            number=batch.number,
            n=n,
        ),
        lambda: ops.reject_confirmed(
            batch, current_membership(), form.reason.data, on=_decided_on()
        ),
        lambda rejected: flash(_("Отклонено: %(n)s.", n=len(rejected)), "success"),
    )


def _render_candidate(candidate, status=200, **forms):
    suggestions = near_matches([candidate]).get(candidate.id, [])
    return render_template(
        "admin/admission_candidate.html",
        candidate=candidate,
        suggestions=suggestions,
        confirm_form=forms.get("confirm") or ConfirmCandidateForm(version=candidate.version),
        return_form=forms.get("return_") or ReturnCandidateForm(version=candidate.version),
        reject_form=forms.get("reject") or RejectForm(version=candidate.version),
        form=Form(),
        history=history(SubjectType.CANDIDATE, candidate.id),
        states=CandidateState,
        coordinated=candidate.municipality_id in coordinated_municipalities(candidate.tenant_id),
    ), status


@bp.route("/admission/candidates/<int:candidate_id>")
@roles(Role.ADMIN)
def admission_candidate(candidate_id: int):
    return _render_candidate(_candidate_or_404(candidate_id))


def _back(candidate):
    if request.form.get("next") == "batch":
        return redirect(url_for(".admission_batch", batch_id=candidate.batch_id))
    return redirect(url_for(".admission_candidate", candidate_id=candidate.id))


@bp.route("/admission/candidates/<int:candidate_id>/confirm", methods=["POST"])
@roles(Role.ADMIN)
def admission_confirm(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = ConfirmCandidateForm()
    if not form.validate_on_submit():
        return _render_candidate(candidate, 400, confirm=form)
    confirm_from_form(candidate, form)
    return _back(candidate)


@bp.route("/admission/candidates/<int:candidate_id>/return", methods=["POST"])
@roles(Role.ADMIN)
def admission_return(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = ReturnCandidateForm()
    if not form.validate_on_submit():
        return _render_candidate(candidate, 400, return_=form)
    return_from_form(candidate, form)
    return _back(candidate)


def _decide_candidate(candidate: AdmissionCandidate, question: str, work, done):
    return _decide(
        question,
        count=1,
        cancel=url_for(".admission_candidate", candidate_id=candidate.id),
        work=work,
        done=done,
        then=lambda: _back(candidate),
    )


def _named(candidate: AdmissionCandidate) -> dict:
    """How a confirmation names a candidate."""
    return {
        "name": " ".join((candidate.surname, candidate.name)),
        "number": candidate.batch.number,
        "row": candidate.row_no,
    }


def _admitted(decision: ops.Decision) -> None:
    _queue_certificates(decision)
    if not decision.changed:
        flash(
            _("Кандидат уже включён в банк: запись изменилась, пока вы её просматривали."),
            "warning",
        )
    elif decision.achievement_person_ids:
        flash(_("Уже действующий резидент: результат записан как достижение."), "success")
    else:
        flash(_("Кандидат включён в банк."), "success")


@bp.route("/admission/candidates/<int:candidate_id>/admit", methods=["POST"])
@roles(Role.ADMIN)
def admission_admit(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    if not Form().validate_on_submit():
        abort(400)
    return _decide_candidate(
        candidate,
        _(
            "Включить в банк кандидата %(name)s (протокол %(number)s, строка %(row)s).",
            **_named(candidate),
        ),
        lambda: ops.admit_candidate(
            candidate,
            current_membership(),
            on=_decided_on(),
            expected_version=parse_version(request.form.get("version")),
        ),
        _admitted,
    )


@bp.route("/admission/candidates/<int:candidate_id>/reject", methods=["POST"])
@roles(Role.ADMIN)
def admission_reject(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_candidate(candidate, 400, reject=form)
    return _decide_candidate(
        candidate,
        _(
            "Отклонить кандидата %(name)s (протокол %(number)s, строка %(row)s).",
            **_named(candidate),
        ),
        lambda: ops.reject_candidate(
            candidate,
            current_membership(),
            form.reason.data,
            on=_decided_on(),
            expected_version=version_of(form),
        ),
        lambda rec: flash(
            _("Кандидат отклонён.") if rec else _("Кандидат уже отклонён."), "success"
        ),
    )


@bp.route("/admission/candidates/<int:candidate_id>/resolve", methods=["POST"])
@roles(Role.ADMIN)
def admission_resolve(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    if not Form().validate_on_submit():
        abort(400)
    person_id = int_or_none(request.form.get("person_id"))
    person = get_in_tenant_or_404(Person, person_id) if person_id else None
    ok = commit_or_refuse(lambda: ops.resolve_match(candidate, current_membership(), person)).ok
    if ok:
        flash(
            _("Совпадение решено: тот же человек.")
            if person
            else _("Совпадение решено: новый человек."),
            "success",
        )
    return _back(candidate)
