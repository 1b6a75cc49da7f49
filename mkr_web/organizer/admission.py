"""Organiser: the results protocols (winners) of their organisation's accredited editions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.admission import CandidateState
from workflows.roles import Role

from ..access import current_membership, roles
from ..errors import BatchRejected
from ..models import (
    AdmissionCandidate,
    EventEdition,
)
from ..operations.admission import create_batch, fix_candidate
from ..operations.admission_rows import COLUMNS, RESULT_TITLES, TITLES
from ..queries.admission import (
    accredited_editions_for,
    batch_with_candidates,
    batches_of,
    candidates_for,
    edition_protocols,
    editions_for_protocols,
    state_counts,
)
from ..queries.reference_names import valid_names
from ..web.commit import commit_or_refuse
from ..web.forms import Form, int_or_none, parse_version
from ..web.loading import by_id_or_404
from . import bp

DEFAULT_ROWS, MORE_ROWS, MAX_ROWS = 10, 10, 200
KEY_BY_TITLE = {title: key for key, title in COLUMNS}


def _edition_or_404(edition_id: int) -> EventEdition:
    return by_id_or_404(accredited_editions_for(current_membership()), EventEdition, edition_id)


def _reference_choices(tenant_id: int):
    """The names the typed form suggests: municipalities in use, organisations."""
    return valid_names(tenant_id)


def _table_from_form(count: int) -> list[dict]:
    return [
        {key: request.form.get(f"r{i}-{key}", "").strip() for key, _t in COLUMNS}
        for i in range(1, count + 1)
    ]


def _cell_errors(errors) -> dict[tuple[int, str], str]:
    return {(e.row, KEY_BY_TITLE.get(e.column, "")): e.reason for e in errors}


@bp.route("/admission/")
@roles(Role.ORGANIZER)
def admission():
    membership = current_membership()
    editions = editions_for_protocols(membership)
    batches = batches_of(membership)
    return render_template(
        "organizer/admission.html",
        editions=editions,
        batches=batches,
        counts=state_counts(b.id for b in batches),
        states=list(CandidateState),
    )


def _commit_rows(work, errors: list):
    """Commit ``work()``; the rows it refuses (:class:`BatchRejected`) go into ``errors``, for
    the table to show at their cells."""

    def collecting():
        try:
            return work()
        except BatchRejected as exc:
            errors.extend(exc.errors)
            raise

    return commit_or_refuse(collecting)


@bp.route("/admission/editions/<int:edition_id>/protocol", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def admission_new(edition_id: int):
    edition = _edition_or_404(edition_id)
    form = Form()
    count = min(max(int_or_none(request.form.get("rows")) or DEFAULT_ROWS, 1), MAX_ROWS)
    values = [{} for _i in range(count)]
    errors: list = []
    if form.validate_on_submit():
        values = _table_from_form(count)
        if "more" in request.form:
            added = min(MORE_ROWS, MAX_ROWS - count)
            values += [{} for _i in range(added)]
            count += added
        else:
            rows = [dict(v, row_no=i) for i, v in enumerate(values, start=1) if any(v.values())]

            outcome = _commit_rows(lambda: create_batch(edition, rows, current_user), errors)
            ok, batch = outcome.ok, outcome.result
            if ok:
                flash(
                    _(
                        "Протокол %(number)s принят: строк — %(n)s. Кандидаты переданы координаторам.",
                        number=batch.number,
                        n=len(rows),
                    ),
                    "success",
                )
                return redirect(url_for(".admission_batch", batch_id=batch.id))
    municipalities, organizations = _reference_choices(edition.tenant_id)
    return render_template(
        "organizer/admission_new.html",
        edition=edition,
        form=form,
        count=count,
        values=values,
        errors=errors,
        cell_errors=_cell_errors(errors),
        columns=COLUMNS,
        municipalities=municipalities,
        organizations=organizations,
        results=list(RESULT_TITLES.values()),
        protocols=edition_protocols(edition.id),
    )


@bp.route("/admission/batches/<int:batch_id>")
@roles(Role.ORGANIZER)
def admission_batch(batch_id: int):
    batch = batch_with_candidates(current_membership(), batch_id)
    if batch is None:
        abort(404)
    return render_template("organizer/admission_batch.html", batch=batch)


def _values_of(candidate: AdmissionCandidate) -> dict:
    return {
        "surname": candidate.surname,
        "name": candidate.name,
        "patronymic": candidate.patronymic or "",
        "birth_date": candidate.birth_on.strftime("%d.%m.%Y"),
        "organization": candidate.organization_name,
        "grade": candidate.grade or "",
        "municipality": candidate.municipality.name,
        "result": RESULT_TITLES.get(candidate.result, ""),
        "place": str(candidate.place or ""),
        "section": candidate.section or "",
        "parent_contact": candidate.parent_contact or "",
    }


@bp.route("/admission/candidates/<int:candidate_id>/fix", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def admission_fix(candidate_id: int):
    membership = current_membership()
    candidate = by_id_or_404(candidates_for(membership), AdmissionCandidate, candidate_id)
    form = Form()
    values = [_values_of(candidate)]
    errors: list = []
    if form.validate_on_submit():
        raw = {key: request.form.get(f"r1-{key}", "").strip() for key, _t in COLUMNS}
        values = [raw]

        outcome = _commit_rows(
            lambda: fix_candidate(
                candidate,
                raw,
                membership,
                expected_version=parse_version(request.form.get("version")),
            ),
            errors,
        )
        ok, rec = outcome.ok, outcome.result
        if ok:
            flash(
                _("Строка %(row)s исправлена и отправлена координатору.", row=candidate.row_no)
                if rec
                else _("Строка уже отправлена координатору."),
                "success",
            )
            return redirect(url_for(".admission_batch", batch_id=candidate.batch_id))
    # errors of the one row are keyed by its protocol number; the table shows it as row 1
    cell_errors = {(1, key): reason for (_n, key), reason in _cell_errors(errors).items()}
    municipalities, organizations = _reference_choices(candidate.tenant_id)
    return render_template(
        "organizer/admission_fix.html",
        candidate=candidate,
        form=form,
        values=values,
        errors=errors,
        cell_errors=cell_errors,
        columns=COLUMNS,
        municipalities=municipalities,
        organizations=organizations,
        results=list(RESULT_TITLES.values()),
        titles=TITLES,
    )
