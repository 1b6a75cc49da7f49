"""Coordinator: the persons of their municipalities (registry, export, card). Every card
read is audited; another municipality's person is 404."""

from __future__ import annotations

from flask import render_template

from workflows.roles import Role

from ..access import roles
from ..operations.audit import record
from ..web.commit import commit_or_refuse
from ..web.people import (
    card_context,
    consent_file_response,
    export_job_file,
    export_job_page,
    export_response,
    person_or_404,
    registry_page,
)
from . import bp


@bp.route("/people")
@roles(Role.COORDINATOR)
def people():
    return registry_page("people/registry.html", "coordinator")


@bp.route("/people/export.<fmt>")
@roles(Role.COORDINATOR)
def people_export(fmt: str):
    return export_response(fmt, ".people_export_job")


@bp.route("/people/exports/<int:job_id>")
@roles(Role.COORDINATOR)
def people_export_job(job_id: int):
    return export_job_page(job_id, ".people_export_file")


@bp.route("/people/exports/<int:job_id>/file")
@roles(Role.COORDINATOR)
def people_export_file(job_id: int):
    return export_job_file(job_id)


@bp.route("/people/<int:person_id>")
@roles(Role.COORDINATOR)
def person(person_id: int):
    p = person_or_404(person_id)
    html = render_template(
        "people/card.html", prefix="coordinator", can_edit=False, **card_context(p)
    )
    commit_or_refuse(record, "person.view", p)
    return html


@bp.route("/people/<int:person_id>/consents/<int:consent_id>/file")
@roles(Role.COORDINATOR)
def person_consent_file(person_id: int, consent_id: int):
    return consent_file_response(person_or_404(person_id), consent_id)
