"""Admin: a person's consents, achievements and own projects; personal-data rights (export
as JSON, anonymisation)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from workflows.roles import Role

from ..access import roles
from ..documents.storage import UploadError
from ..extensions import db
from ..models import Achievement, AchievementLevel, ConsentGiver, PersonProject
from ..operations.people import add_achievement, add_consent, add_project, delete_child
from ..operations.privacy import anonymize_person, export_person_data, unlink_files
from ..operations.tenancy import OperationError
from ..operations.transitions import StaleItem
from ..registry import consent_file_response, person_or_404
from . import bp
from .people_forms import AchievementForm, ConsentForm, ProjectForm, VersionForm


def _form_errors(form) -> str:
    return "; ".join(f"{form[k].label.text}: {', '.join(v)}" for k, v in form.errors.items())


def _back(person_id: int, anchor: str = ""):
    return redirect(url_for(".person", person_id=person_id) + (f"#{anchor}" if anchor else ""))


def _child_or_404(person, model, item_id: int):
    """An achievement or project of ``person``; another person's (or tenant's) is 404."""
    item = db.session.get(model, item_id)
    if item is None or item.person_id != person.id:
        abort(404)
    return item


def _save(action, person_id: int, message: str, anchor: str):
    """Run ``action()``, commit, flash; refusals roll back and flash their message."""
    try:
        action()
        db.session.commit()
    except (OperationError, UploadError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(message, "success")
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
    data = export_person_data(p)
    db.session.commit()
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
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = None
    try:
        paths = anonymize_person(p, expected_version=version)
        db.session.commit()
    except (StaleItem, StaleDataError):
        db.session.rollback()
        flash(str(StaleItem()), "danger")
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        unlink_files(paths)
        flash(_("Данные обезличены."), "success")
    return _back(p.id)


@bp.route("/people/<int:person_id>/consents/<int:consent_id>/file")
@roles(Role.ADMIN)
def person_consent_file(person_id: int, consent_id: int):
    return consent_file_response(person_or_404(person_id), consent_id)
