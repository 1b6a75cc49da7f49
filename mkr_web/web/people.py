"""The persons registry and card pages as both the admin and the coordinator blueprints
render them: one listing, one export, one card, each through the user's scope
(:func:`mkr_web.queries.people.persons_for`). Templates live in ``templates/people/``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from workflows.lifecycle import PersonStatus

from ..access import current_membership
from ..documents.registry_export import EXPORT_TYPES, registry_file
from ..documents.storage import absolute_path
from ..extensions import db
from ..models import Consent, Job, JobState, Municipality, OrganizationKind, Person
from ..operations.audit import record
from ..operations.exports import REGISTRY_JOB, REGISTRY_TASK, registry_filename
from ..operations.jobs import start_job
from ..queries.people import (
    PER_PAGE_CHOICES,
    RegistryFilter,
    export_select,
    organizations_of_persons,
    participations_of,
    person_in_scope,
    registry_count,
    registry_select,
    status_history,
)
from ..queries.reference import municipality_ids_for
from ..web.commit import commit_or_refuse

SORT_TITLES = {
    "name": "ФИО",
    "birth": "Дата рождения",
    "admission": "Дата включения",
    "status": "Статус",
    "updated": "Изменено",
}


def _filter_choices(membership) -> dict:
    ids = municipality_ids_for(membership)
    q = sa.select(Municipality).where(Municipality.tenant_id == membership.tenant_id)
    if ids is not None:
        q = q.where(Municipality.id.in_(ids))
    return {
        "municipalities": list(db.session.scalars(q.order_by(Municipality.sort_order))),
        "organizations": organizations_of_persons(membership),
        "statuses": list(PersonStatus),
        "categories": [
            OrganizationKind.SCHOOL,
            OrganizationKind.COLLEGE,
            OrganizationKind.UNIVERSITY,
        ],
        "sorts": SORT_TITLES,
        "per_page_choices": PER_PAGE_CHOICES,
    }


def registry_page(template: str, endpoint_prefix: str, **extra):
    membership = current_membership()
    f = RegistryFilter.from_args(request.args)
    page = db.paginate(
        registry_select(membership, f),
        page=f.page,
        per_page=f.per_page,
        max_per_page=max(PER_PAGE_CHOICES),
        error_out=False,
        count=True,
    )
    return render_template(
        template, page=page, f=f, prefix=endpoint_prefix, **_filter_choices(membership), **extra
    )


def export_response(fmt: str, job_endpoint: str):
    """The current filter as XLSX or CSV (formula injection neutralised by tables.py).

    Up to ``MKR_EXPORT_INLINE_MAX`` rows the file is the response; a larger export runs as a
    background job and the user is sent to its progress page."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    membership = current_membership()
    f = RegistryFilter.from_args(request.args)
    # The audit names the filter's fields, never the searched text (it may be a name).
    audit = {
        "format": fmt,
        "has_query": bool(f.q),
        "statuses": [s.value for s in f.statuses],
        "municipality_id": f.municipality_id,
        "organization_id": f.organization_id,
        "year": f.admission_year,
    }
    if registry_count(membership, f) > current_app.config.get("MKR_EXPORT_INLINE_MAX", 5000):
        record("person.registry_export", None, **audit)
        job = start_job(  # commits the audit entry with the job's row
            membership.tenant_id,
            REGISTRY_JOB,
            task=REGISTRY_TASK,
            key=fmt,
            params={"membership_id": membership.id, "format": fmt, "args": f.args()},
            user_id=current_user.id,
        )
        return redirect(url_for(job_endpoint, job_id=job.id))
    rows = db.session.execute(export_select(membership, f).execution_options(yield_per=2000))
    body = registry_file(fmt, rows)
    commit_or_refuse(record, "person.registry_export", None, **audit)
    return Response(
        body,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{registry_filename(fmt)}"'},
    )


def _own_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if (
        job is None
        or job.kind != "registry_export"
        or job.tenant_id != current_membership().tenant_id
        or job.created_by_id != current_user.id
    ):
        abort(404)
    return job


def export_job_page(job_id: int, file_endpoint: str):
    """The job's progress page; ``?format=json`` is what its script polls."""
    job = _own_job(job_id)
    download = url_for(file_endpoint, job_id=job.id) if job.state is JobState.DONE else None
    if request.args.get("format") == "json":
        return jsonify(
            state=job.state.value, progress=job.progress, message=job.message, download=download
        )
    return render_template("people/export_job.html", job=job, download=download)


def export_job_file(job_id: int):
    job = _own_job(job_id)
    if job.state is not JobState.DONE or job.result_file is None:
        abort(404)
    commit_or_refuse(record, "person.registry_export_download", job)
    return send_file(
        absolute_path(job.result_file),
        mimetype=job.result_file.content_type,
        as_attachment=True,
        download_name=job.result_file.filename,
    )


def person_or_404(person_id: int) -> Person:
    person = person_in_scope(current_membership(), person_id)
    if person is None:
        abort(404)
    return person


def consent_file_response(person: Person, consent_id: int):
    """The signed consent scan of ``person`` (the download is audited)."""
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id or consent.file is None:
        abort(404)
    path = absolute_path(consent.file)
    if not path.is_file():
        abort(404)
    commit_or_refuse(record, "person.consent_download", person, consent_id=consent.id)
    suffix = path.suffix or ".bin"
    return send_file(
        path,
        mimetype=consent.file.content_type,
        as_attachment=True,
        download_name=f"consent-{consent.id}{suffix}",
    )


def card_context(person: Person) -> dict:
    from ..models import Achievement, PersonProject

    def children(model, *order):
        return list(
            db.session.scalars(
                sa.select(model).where(model.person_id == person.id).order_by(*order)
            )
        )

    return {
        "person": person,
        "history": status_history(person),
        "participations": participations_of(person),
        "consents": list(
            db.session.scalars(
                sa.select(Consent)
                .where(Consent.person_id == person.id)
                .options(sa.orm.joinedload(Consent.file))
                .order_by(Consent.given_on)
            )
        ),
        "achievements": children(Achievement, Achievement.achieved_on.desc(), Achievement.id),
        "projects": children(PersonProject, PersonProject.year.desc(), PersonProject.id),
        "is_minor": _is_minor(person),
    }


def _is_minor(person: Person) -> bool:
    if person.birth_on is None:
        return False
    today = date.today()
    age = (
        today.year
        - person.birth_on.year
        - ((today.month, today.day) < (person.birth_on.month, person.birth_on.day))
    )
    return age < 18
