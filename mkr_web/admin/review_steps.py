"""The admin's review steps shared by every reviewed subject (accreditation applications,
nominations): the review panel of the detail page, assign experts, start the review, and the
decision. :class:`AdminReview` holds what differs per subject (its loader, its texts, its
decide operation) and registers the step routes; the modules keep the list, the detail page
and the positive decision (accredit, approve), which decides through :meth:`AdminReview.decide`
too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import current_role, current_tenant, roles
from ..models import SubjectType
from ..operations import reviews
from ..operations.deadlines import today
from ..queries.review_subjects import ReviewSubject, subject_spec
from ..queries.reviews import experts_in_tenant, history_rows, review_summary, rubric_of
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from ..web.forms import AssignForm, CommentForm, Form, VersionForm, version_of
from .deadlines import DeadlineForm

#: The states in which experts may still be assigned.
ASSIGNABLE = ("submitted", "in_review")


def assign_experts_from_form(subject_type: SubjectType, subject) -> None:
    form = AssignForm()
    form.expert_ids.choices = [(u.id, u.email) for u in experts_in_tenant(subject.tenant_id)]
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.assign_experts,
            subject_type,
            subject,
            form.expert_ids.data,
            role=current_role(),
            actor_id=current_user.id,
            success=_("Эксперты назначены."),
        )


def start_review_from_form(subject_type: SubjectType, subject, success: str) -> None:
    form = VersionForm(prefix="start")
    if form.validate_on_submit():
        commit_or_refuse(
            reviews.start_review,
            subject_type,
            subject,
            role=current_role(),
            actor_id=current_user.id,
            expected_version=version_of(form),
            success=success,
        )


def review_panel(subject_type: SubjectType, subject) -> dict:
    """What every reviewed subject's admin page shows: the summary of scores, the experts
    that may still be assigned, the step forms and the history."""
    tenant = current_tenant()
    if rubric_of(tenant.id, subject_type) is None:  # first use: the tenant's default rubric
        commit_or_refuse(reviews.ensure_rubric, tenant.id, subject_type)
    summary = review_summary(tenant, subject_type, subject.id)
    assigned = {r.assignment.expert_id for r in summary.results}
    excluded = subject_spec(subject_type).excluded_user_ids(subject)
    assign_form = AssignForm()
    assign_form.expert_ids.choices = [
        (u.id, u.full_name or u.email)
        for u in experts_in_tenant(tenant.id)
        if u.id not in assigned and u.id not in excluded
    ]
    version = subject.version
    return {
        "summary": summary,
        "assign_form": assign_form,
        "min_experts": tenant.setting("min_experts"),
        "start_form": VersionForm(version=version, prefix="start"),
        "return_form": CommentForm(version=version, prefix="return"),
        "reject_form": CommentForm(version=version, prefix="reject"),
        "unassign_form": VersionForm(prefix="unassign"),
        "deadline_form": DeadlineForm(),
        "today": today(),
        "history": history_rows(subject_type, subject.id, include_review_steps=True),
    }


@dataclass(frozen=True)
class AdminReview:
    """The admin's side of one kind of reviewed subject. What differs per subject is data:
    where its routes live, how it is loaded in scope, what is said, and how its operation
    rejects or returns it (``decide_op(subject, action, comment, expected_version)``)."""

    subject_type: SubjectType
    path: str  # "/accreditation": the steps are path/<id>/assign, /start-review, /decide/…
    name: str  # the endpoints' prefix: "accreditation" → admin.accreditation_assign
    load: Callable[[int], Any]  # the subject in the admin's scope, or 404
    started: Callable[[], str]  # flashed once the review starts
    reject_question: Callable[[Any], str]  # the confirmation before a rejection
    rejected: Callable[[], str]
    returned: Callable[[], str]
    decide_op: Callable[[Any, str, str, int | None], Any]
    comment_missing: Callable[[], str] | None = None  # flashed when the comment is missing

    @property
    def spec(self) -> ReviewSubject:
        return subject_spec(self.subject_type)

    def page(self, subject) -> str:
        """The subject's admin page: where every step goes back to."""
        return url_for(self.spec.admin_endpoint, **{self.spec.id_arg: subject.id})

    def panel(self, subject) -> dict:
        """The detail page's review panel, its available actions and the step forms' URLs
        (the partial ``admin/_review_decision.html``)."""
        ids = {self.spec.id_arg: subject.id}
        panel = review_panel(self.subject_type, subject)
        if subject.state.value not in ASSIGNABLE:
            panel["assign_form"] = None
        step = f"admin.{self.name}_"
        return {
            **panel,
            "actions": self.spec.machine.available(subject.state, current_role()),
            "assign_url": url_for(step + "assign", **ids),
            "start_url": url_for(step + "start_review", **ids),
            "return_url": url_for(step + "decide", action="return", **ids),
            "reject_url": url_for(step + "decide", action="reject", **ids),
            "reject_question": self.reject_question(subject),
        }

    def decide(
        self,
        subject,
        form: Form,
        *,
        call: Callable[[str, int | None], Any],
        success: str,
        question: str | None = None,
        invalid: str | None = None,
        after: Callable[[Any], None] | None = None,
    ):
        """An admin decides the subject with ``form``: ask ``question`` first (a decision that
        cannot be undone; without JavaScript, a confirmation page), run ``call(comment,
        expected_version)`` in one commit and flash ``success``; ``after(result)`` once it is
        committed. An invalid form flashes ``invalid``. Back to the subject's page."""
        back = self.page(subject)
        if not form.validate_on_submit():
            if invalid:
                flash(invalid, "danger")
            return redirect(back)
        if question is not None:
            ask = confirmation_page(question, back=back, count=1)
            if ask is not None:
                return ask
        outcome = commit_or_refuse(call, form.comment.data or "", version_of(form), success=success)
        if outcome.ok and after is not None:
            after(outcome.result)
        return redirect(back)

    # ---- the step routes ----

    def _assign(self, **ids):
        subject = self.load(ids[self.spec.id_arg])
        assign_experts_from_form(self.subject_type, subject)
        return redirect(self.page(subject))

    def _start_review(self, **ids):
        subject = self.load(ids[self.spec.id_arg])
        start_review_from_form(self.subject_type, subject, self.started())
        return redirect(self.page(subject))

    def _decide(self, action: str, **ids):
        subject = self.load(ids[self.spec.id_arg])
        reject = action == "reject"
        return self.decide(
            subject,
            CommentForm(prefix=action),
            call=lambda comment, version: self.decide_op(subject, action, comment, version),
            success=self.rejected() if reject else self.returned(),
            question=self.reject_question(subject) if reject else None,
            invalid=self.comment_missing() if self.comment_missing else None,
        )

    def register(self, bp) -> None:
        """Add the step routes (admins only) to the blueprint."""
        item = f"{self.path}/<int:{self.spec.id_arg}>"
        admin = roles(Role.ADMIN)
        for rule, step, view in (
            ("/assign", "assign", self._assign),
            ("/start-review", "start_review", self._start_review),
            ("/decide/<any(reject, return):action>", "decide", self._decide),
        ):
            bp.add_url_rule(item + rule, f"{self.name}_{step}", admin(view), methods=["POST"])
