"""Admin: a person's consents, achievements and own projects; personal-data rights (export
as JSON, anonymisation)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import roles
from ..models import Achievement, AchievementLevel, ConsentGiver, PersonProject
from ..operations.consents import withdraw_consent
from ..operations.people import add_achievement, add_consent, add_project, delete_child
from ..operations.privacy import anonymize_person, export_person_data, unlink_files
from ..queries.people import consent_of, record_of
from ..web.commit import commit_or_refuse
from ..web.forms import VersionForm, version_of
from ..web.people import consent_file_response, person_or_404
from . import bp
from .people_forms import AchievementForm, ConsentForm, ProjectForm, WithdrawConsentForm


def _form_errors(form) -> str:
    return "; ".join(f"{form[k].label.text}: {', '.join(v)}" for k, v in form.errors.items())


def _back(person_id: int, anchor: str = ""):
    return redirect(url_for(".person", person_id=person_id) + (f"#{anchor}" if anchor else ""))


def _child_or_404(person, model, item_id: int):
    """An achievement or project of ``person``; another person's (or tenant's) is 404."""
    item = record_of(person, model, item_id)
    if item is None:
        abort(404)
    return item


def _save(action, person_id: int, message: str, anchor: str):
    """Run ``action()`` and commit (refusals are flashed), then back to the card."""
    commit_or_refuse(action, success=message)
    return _back(person_id, anchor)


@bp.route("/people/<int:person_id>/consents", methods=["POST"])
@roles(Role.ADMIN)
def person_consent_add(person_id: int):
    p = person_or_404(person_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Форма устарела, повторите."), "danger")
        return _back(p.id, "consents")
    return _save(
        lambda: add_consent(
            p,
            given_on=form.given_on.data,
            given_by=ConsentGiver(form.given_by.data),
            giver_name=form.giver_name.data,
            purposes=form.purposes(),
            upload=form.scan.data,
            user_id=current_user.id,
        ),
        p.id,
        _("Согласие добавлено."),
        "consents",
    )


@bp.route("/people/<int:person_id>/achievements", methods=["POST"])
@roles(Role.ADMIN)
def person_achievement_add(person_id: int):
    p = person_or_404(person_id)
    form = AchievementForm()
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Форма устарела, повторите."), "danger")
        return _back(p.id, "achievements")
    return _save(
        lambda: add_achievement(
            p,
            title=form.title.data,
            level=AchievementLevel(form.level.data),
            result=form.result.data,
            achieved_on=form.achieved_on.data,
            is_success_story=form.is_success_story.data,
        ),
        p.id,
        _("Достижение добавлено."),
        "achievements",
    )


@bp.route("/people/<int:person_id>/achievements/<int:item_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def person_achievement_delete(person_id: int, item_id: int):
    p = person_or_404(person_id)
    _child_or_404(p, Achievement, item_id)
    if not VersionForm().validate_on_submit():
        return _back(p.id, "achievements")
    return _save(lambda: delete_child(p, Achievement, item_id), p.id, _("Удалено."), "achievements")


@bp.route("/people/<int:person_id>/projects", methods=["POST"])
@roles(Role.ADMIN)
def person_project_add(person_id: int):
    p = person_or_404(person_id)
    form = ProjectForm()
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Форма устарела, повторите."), "danger")
        return _back(p.id, "projects")
    return _save(
        lambda: add_project(
            p,
            title=form.title.data,
            role=form.role.data,
            support_kind=form.support_kind.data,
            year=form.year.data,
        ),
        p.id,
        _("Проект добавлен."),
        "projects",
    )


@bp.route("/people/<int:person_id>/projects/<int:item_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def person_project_delete(person_id: int, item_id: int):
    p = person_or_404(person_id)
    _child_or_404(p, PersonProject, item_id)
    if not VersionForm().validate_on_submit():
        return _back(p.id, "projects")
    return _save(lambda: delete_child(p, PersonProject, item_id), p.id, _("Удалено."), "projects")


@bp.route("/people/<int:person_id>/data.json")
@roles(Role.ADMIN)
def person_data_export(person_id: int):
    p = person_or_404(person_id)
    data = commit_or_refuse(export_person_data, p).result
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="person-{p.id}.json"'},
    )


@bp.route("/people/<int:person_id>/anonymize", methods=["POST"])
@roles(Role.ADMIN)
def person_anonymize(person_id: int):
    p = person_or_404(person_id)
    form = VersionForm()
    if not form.validate_on_submit():
        flash(_("Форма устарела, повторите."), "danger")
        return _back(p.id)
    outcome = commit_or_refuse(anonymize_person, p, expected_version=version_of(form))
    if outcome.ok:
        unlink_files(outcome.result)
        flash(_("Данные обезличены."), "success")
    return _back(p.id)


@bp.route("/people/<int:person_id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@roles(Role.ADMIN)
def person_consent_withdraw(person_id: int, consent_id: int):
    p = person_or_404(person_id)
    if consent_of(p, consent_id) is None:
        abort(404)
    form = WithdrawConsentForm()
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Форма устарела, повторите."), "danger")
        return _back(p.id, "consents")
    return _save(
        lambda: withdraw_consent(
            p,
            consent_id,
            on=form.withdrawn_on.data,
            note=form.note.data,
            user_id=current_user.id,
        ),
        p.id,
        _("Отзыв согласия записан."),
        "consents",
    )


@bp.route("/people/<int:person_id>/consents/<int:consent_id>/file")
@roles(Role.ADMIN)
def person_consent_file(person_id: int, consent_id: int):
    return consent_file_response(person_or_404(person_id), consent_id)
