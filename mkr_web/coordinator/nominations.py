"""Coordinator: nominations of students of their own municipalities (DOMAIN 4.3): write a
draft, attach evidence PDFs, submit; after a return, revise and resubmit. Nominations and
persons outside the coordinator's municipalities are 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..access import current_membership, roles
from ..models import AchievementLevel, Nomination, NominationKind, SubjectType
from ..operations import nominations as ops
from ..operations.audit import record
from ..queries.nominations import (
    nomination_in_scope,
    nomination_list,
    opportunities_of,
    opportunity_in_tenant,
    search_persons,
)
from ..queries.people import person_in_scope
from ..queries.reviews import history_rows
from ..web.commit import commit_or_refuse
from ..web.files import send_stored
from ..web.forms import VersionForm, int_or_none, version_of
from ..web.loading import paginate
from . import bp
from .nomination_forms import EvidenceForm, NominationForm, PersonSearchForm

PER_PAGE = 50
ST = SubjectType.NOMINATION


def nomination_or_404(nomination_id: int) -> Nomination:
    nomination = nomination_in_scope(current_membership(), nomination_id)
    if nomination is None:
        abort(404)
    return nomination


def nomination_form(tenant_id: int, nomination: Nomination | None = None) -> NominationForm:
    if nomination is not None and request.method == "GET":
        form = NominationForm(
            kind=nomination.kind.value,
            achievement_level=nomination.achievement_level or "",
            opportunity_id=nomination.opportunity_id or 0,
            description=nomination.description,
            version=nomination.version,
        )
    else:
        form = NominationForm()
    form.opportunity_id.choices = [(0, "—")] + [
        (
            o.id,
            f"{o.year} · {o.kind.title_ru}: {o.title}"
            + (f" ({o.partner.name})" if o.partner else ""),
        )
        for o in opportunities_of(tenant_id)
    ]
    return form


def nomination_data(form: NominationForm, tenant_id: int) -> ops.NominationData:
    opportunity = None
    if form.opportunity_id.data:
        opportunity = opportunity_in_tenant(tenant_id, form.opportunity_id.data)
    level = form.achievement_level.data or None
    return ops.NominationData(
        kind=NominationKind(form.kind.data),
        description=form.description.data or "",
        achievement_level=AchievementLevel(level) if level else None,
        opportunity=opportunity,
    )


@bp.route("/nominations/")
@roles(Role.COORDINATOR)
def nominations():
    state = request.args.get("state", "")
    page = paginate(nomination_list(current_membership(), state), per_page=PER_PAGE)
    return render_template(
        "coordinator/nominations.html", page=page, state=state, states=list(ReviewState)
    )


@bp.route("/nominations/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def nomination_new():
    membership = current_membership()
    person_id = int_or_none(request.values.get("person_id"))
    person = person_in_scope(membership, person_id) if person_id else None
    if person_id and person is None:
        abort(404)
    if (
        person is None
    ):  # first the person: a name search in the coordinator's scope (POST: no name in URLs)
        search = PersonSearchForm(prefix="s")
        found = search_persons(membership, search.q.data) if search.validate_on_submit() else None
        return render_template(
            "coordinator/nomination_new.html", search=search, found=found, person=None
        )
    form = nomination_form(membership.tenant_id)
    if request.method == "POST" and "s-q" not in request.form and form.validate_on_submit():
        outcome = commit_or_refuse(
            ops.create_nomination, membership, person, nomination_data(form, membership.tenant_id)
        )
        if outcome.ok:
            flash(
                _(
                    "Черновик выдвижения %(n)s создан. Приложите подтверждающие документы и подайте его.",
                    n=outcome.result.number,
                ),
                "success",
            )
            return redirect(url_for(".nomination_detail", nomination_id=outcome.result.id))
    return render_template("coordinator/nomination_new.html", form=form, person=person)


@bp.route("/nominations/<int:nomination_id>", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def nomination_detail(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    membership = current_membership()
    form = nomination_form(membership.tenant_id, nomination)
    if request.method == "POST":
        if form.validate_on_submit():
            error = commit_or_refuse(
                ops.update_nomination,
                nomination,
                membership,
                nomination_data(form, membership.tenant_id),
                expected_version=version_of(form),
                success=_("Выдвижение сохранено."),
            ).error
            if error is None:
                return redirect(url_for(".nomination_detail", nomination_id=nomination.id))
    else:
        commit_or_refuse(record, "nomination.view", nomination, person_id=nomination.person_id)
    history = history_rows(ST, nomination.id, include_review_steps=False)
    returned = next(
        (h.comment for h in reversed(history) if h.action == NOMINATION.title("return")), None
    )
    return render_template(
        "coordinator/nomination.html",
        nomination=nomination,
        form=form,
        evidence_form=EvidenceForm(),
        submit_form=VersionForm(version=nomination.version, prefix="submit"),
        history=history,
        editable=nomination.state in ops.EDITABLE,
        returned=returned if nomination.state is ReviewState.RETURNED else None,
        delete_form=VersionForm(prefix="delete"),
    )


@bp.route("/nominations/<int:nomination_id>/evidence", methods=["POST"])
@roles(Role.COORDINATOR)
def nomination_evidence(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        commit_or_refuse(
            ops.add_evidence,
            nomination,
            current_membership(),
            form.file.data,
            success=_("Документ приложен."),
        )
    return redirect(url_for(".nomination_detail", nomination_id=nomination.id))


@bp.route("/nominations/<int:nomination_id>/evidence/<int:file_id>/delete", methods=["POST"])
@roles(Role.COORDINATOR)
def nomination_evidence_delete(nomination_id: int, file_id: int):
    nomination = nomination_or_404(nomination_id)
    if all(f.id != file_id for f in nomination.files):
        abort(404)  # another nomination's file, or another tenant's
    if VersionForm(prefix="delete").validate_on_submit():
        commit_or_refuse(
            ops.remove_evidence,
            nomination,
            current_membership(),
            file_id,
            success=_("Документ удалён."),
        )
    return redirect(url_for(".nomination_detail", nomination_id=nomination.id))


@bp.route("/nominations/<int:nomination_id>/submit", methods=["POST"])
@roles(Role.COORDINATOR)
def nomination_submit(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    form = VersionForm(prefix="submit")
    if form.validate_on_submit():
        commit_or_refuse(
            ops.submit,
            nomination,
            current_membership(),
            expected_version=version_of(form),
            success=_("Выдвижение подано."),
        )
    return redirect(url_for(".nomination_detail", nomination_id=nomination.id))


@bp.route("/nominations/<int:nomination_id>/files/<int:file_id>")
@roles(Role.COORDINATOR)
def nomination_file(nomination_id: int, file_id: int):
    nomination = nomination_or_404(nomination_id)
    stored = next((f for f in nomination.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    return send_stored(stored)
