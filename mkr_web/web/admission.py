"""The check of an admission candidate, shared by the coordinator of its municipality and
the admin (where the municipality has no coordinator): confirm the data and consent, or
return the row to the organiser. The blueprints load the candidate through their scope."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, request
from flask_babel import gettext as _

from workflows.admission import CandidateState

from ..access import current_membership
from ..extensions import db
from ..models import AdmissionCandidate
from ..operations.admission import confirm_candidate, return_candidate
from ..operations.admission_bulk import MAX_ROWS, ConsentRow, confirm_many
from .commit import commit_or_refuse
from .forms import ConfirmCandidateForm, ReturnCandidateForm, int_or_none, version_of


def confirm_from_form(candidate, form: ConfirmCandidateForm) -> None:
    outcome = commit_or_refuse(
        confirm_candidate,
        candidate,
        current_membership(),
        consent_on=form.consent_on.data,
        scan=form.scan.data or None,
        on_file=form.on_file.data,
        expected_version=version_of(form),
    )
    if outcome.ok:
        flash(
            _("Данные и согласие подтверждены.")
            if outcome.result
            else _("Кандидат уже подтверждён."),
            "success",
        )


def return_from_form(candidate, form: ReturnCandidateForm) -> None:
    outcome = commit_or_refuse(
        return_candidate,
        candidate,
        current_membership(),
        form.reason.data,
        expected_version=version_of(form),
    )
    if outcome.ok:
        flash(
            _("Строка возвращена организатору.") if outcome.result else _("Строка уже возвращена."),
            "success",
        )


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def confirm_many_from_form(scope: sa.Select) -> int:
    """The table's checked rows, each with its consent ("on file" or a scan) and the date
    (the row's own, else the one typed for all), loaded through ``scope`` (a row outside it is
    404); confirmed in one transaction, refused rows named. Returns how many were confirmed."""
    ids = [i for i in (int_or_none(v) for v in request.form.getlist("ids")) if i]
    ids = list(dict.fromkeys(ids))[: MAX_ROWS + 1]
    if not ids:
        flash(_("Отметьте кандидатов, которых подтверждаете."), "danger")
        return 0
    found = {c.id: c for c in db.session.scalars(scope.where(AdmissionCandidate.id.in_(ids)))}
    if len(found) != len(ids):
        abort(404)
    common = _date(request.form.get("consent_on"))
    rows = []
    for i in ids:
        scan = request.files.get(f"scan-{i}")
        rows.append(
            ConsentRow(
                found[i],
                _date(request.form.get(f"consent_on-{i}")) or common,
                on_file=request.form.get(f"on_file-{i}") == "1",
                scan=scan if scan and scan.filename else None,
            )
        )
    outcome = commit_or_refuse(confirm_many, rows, current_membership())
    if not outcome.ok:
        return 0
    result = outcome.result
    if result.confirmed:
        flash(_("Подтверждено кандидатов: %(n)s.", n=len(result.confirmed)), "success")
    if result.refused:
        flash(
            _(
                "Не подтверждены: %(rows)s.",
                rows="; ".join(f"{n} — {why}" for n, why in result.refused),
            ),
            "danger",
        )
    return len(result.confirmed)


def next_candidate_id(scope: sa.Select, candidate: AdmissionCandidate) -> int | None:
    """The next candidate waiting for a check in the same scope (protocol order, then from
    the start): the detail page's "next candidate"."""
    waiting = scope.where(
        AdmissionCandidate.state == CandidateState.SUBMITTED,
        AdmissionCandidate.id != candidate.id,
    ).with_only_columns(AdmissionCandidate.id)
    after = sa.tuple_(AdmissionCandidate.batch_id, AdmissionCandidate.row_no) > sa.tuple_(
        sa.literal(candidate.batch_id), sa.literal(candidate.row_no)
    )
    order = (AdmissionCandidate.batch_id, AdmissionCandidate.row_no)
    found = db.session.scalar(waiting.where(after).order_by(*order).limit(1))
    if found is None:
        found = db.session.scalar(waiting.order_by(*order).limit(1))
    return found
