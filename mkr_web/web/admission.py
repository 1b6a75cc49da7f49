"""The check of an admission candidate, shared by the coordinator of its municipality and
the admin (where the municipality has no coordinator): confirm the data and consent, or
return the row to the organiser. The blueprints load the candidate through their scope."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from ..access import current_membership
from ..operations.admission import confirm_candidate, return_candidate
from .commit import commit_or_refuse
from .forms import ConfirmCandidateForm, ReturnCandidateForm, version_of


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
