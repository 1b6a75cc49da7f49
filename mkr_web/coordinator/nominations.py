"""Coordinator: nominations of students of their own municipalities (DOMAIN 4.3): write a
draft, attach evidence PDFs, submit; after a return, revise and resubmit. Nominations and
persons outside the coordinator's municipalities are 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.review import NOMINATION, ReviewState
from workflows.roles import Role

from ..access import current_membership, roles
from ..actions import run_operation
from ..downloads import send_stored
from ..event_forms import VersionForm, version_of
from ..extensions import db
from ..models import AchievementLevel, Nomination, NominationKind, Opportunity, SubjectType
from ..operations import nominations as ops
from ..operations.audit import record
from ..queries.nominations import (
    nomination_in_scope,
    nominations_for,
    opportunities_of,
    search_persons,
)
from ..queries.people import person_in_scope
from ..queries.reviews import history_rows
from ..webutil import int_or_none
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
        opportunity = db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.tenant_id == tenant_id, Opportunity.id == form.opportunity_id.data
            )
        ).scalar_one_or_none()
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
    q = nominations_for(current_membership()).options(
        sa.orm.joinedload(Nomination.person), sa.orm.joinedload(Nomination.municipality)
    )
    if state in ReviewState._value2member_map_:
        q = q.where(Nomination.state == ReviewState(state))
    page = db.paginate(q.order_by(Nomination.id.desc()), per_page=PER_PAGE, error_out=False)
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
        made = {}
        error = run_operation(
            lambda: made.setdefault(
                "n",
                ops.create_nomination(
                    membership, person, nomination_data(form, membership.tenant_id)
                ),
            )
        )
        if error is None:
            flash(
                _(
                    "Черновик выдвижения %(n)s создан. Приложите подтверждающие документы и подайте его.",
                    n=made["n"].number,
                ),
                "success",
            )
            return redirect(url_for(".nomination_detail", nomination_id=made["n"].id))
    return render_template("coordinator/nomination_new.html", form=form, person=person)


@bp.route("/nominations/<int:nomination_id>", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def nomination_detail(nomination_id: int):
    nomination = nomination_or_404(nomination_id)
    membership = current_membership()
    form = nomination_form(membership.tenant_id, nomination)
    if request.method == "POST":
        if form.validate_on_submit():
            error = run_operation(
                ops.update_nomination,
                nomination,
                membership,
                nomination_data(form, membership.tenant_id),
                expected_version=version_of(form),
                success=_("Выдвижение сохранено."),
            )
            if error is None:
                return redirect(url_for(".nomination_detail", nomination_id=nomination.id))
            db.session.refresh(nomination)
    else:
        record("nomination.view", nomination, person_id=nomination.person_id)
        db.session.commit()
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
        run_operation(
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
        run_operation(
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
        run_operation(
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
