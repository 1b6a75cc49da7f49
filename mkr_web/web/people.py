"""The persons registry and card pages as both the admin and the coordinator blueprints
render them: one listing, one export, one card, each through the user's scope
(:func:`mkr_web.queries.people.persons_for`). Templates live in ``templates/people/``."""

from __future__ import annotations

from datetime import date

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
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from workflows.lifecycle import PersonStatus

from ..access import current_membership
from ..documents.registry_export import EXPORT_TYPES, registry_file
from ..documents.storage import absolute_path
from ..models import OrganizationKind, Person
from ..operations.audit import record
from ..operations.exports import REGISTRY_JOB, REGISTRY_TASK, registry_filename
from ..operations.jobs import start_job
from ..queries.consents import consent_summary
from ..queries.people import (
    PER_PAGE_CHOICES,
    RegistryFilter,
    card_consents,
    card_lists,
    consent_of,
    export_rows,
    person_in_scope,
    registry_choices,
    registry_count,
    registry_page as registry_page_of,
)
from . import jobs
from .commit import commit_or_refuse
from .labels import translate_label
from .urls import url_prefix

#: A person's fields by their titles (the merge page, and the card's merges).
FIELD_TITLES = {
    "surname": _l("Фамилия"),
    "name": _l("Имя"),
    "patronymic": _l("Отчество"),
    "birth_on": _l("Дата рождения"),
    "organization_id": _l("Организация"),
    "municipality_id": _l("Муниципалитет"),
    "grade": _l("Класс или курс"),
    "email": _l("Электронная почта"),
    "phone": _l("Телефон"),
    "parent_name": _l("ФИО родителя"),
    "parent_phone": _l("Телефон родителя"),
    "parent_email": _l("Почта родителя"),
    "social_url": _l("Профиль в соцсети"),
    "snils": _l("СНИЛС"),
}


SORT_TITLES = {
    "name": _l("ФИО"),
    "birth": _l("Дата рождения"),
    "admission": _l("Дата включения"),
    "status": _l("Статус"),
    "updated": _l("Изменено"),
}


def _filter_choices(membership) -> dict:
    municipalities, organizations = registry_choices(membership)
    return {
        "municipalities": municipalities,
        "organizations": organizations,
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
    page = registry_page_of(membership, f)
    rows = registry_rows_html(page.items, url_prefix(endpoint_prefix + ".person", "person_id"))
    return render_template(
        template,
        page=page,
        rows=rows,
        f=f,
        prefix=endpoint_prefix,
        **_filter_choices(membership),
        **extra,
    )


def _day(value: date | None) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}" if value else ""  # strftime: 2x slower


def registry_rows_html(items, person_href: str) -> Markup:
    """The registry table's rows (``<tr>`` each, in the page's order), written here rather
    than by a template loop: a page's 50 rows are ~400 values, and Jinja's per-value work
    (the attribute lookup, the ``finalize`` hook, a ``Markup`` for each escape, a call per
    date) was about half of the page's rendering. Each value is escaped, a status's title is
    shown in the UI language (:func:`translate_label`, as the templates' output is)."""
    href = escape(person_href)
    out = []
    badges = {}  # a status's badge, written once per page
    for p in items:
        badge = badges.get(p.status)
        if badge is None:
            status = p.status
            badge = badges[status] = (
                f'<span class="badge bg-{escape(status.badge)}">'
                f"{escape(translate_label(status.title_ru))}</span>"
            )
        out.append(
            "<tr>\n"
            f'    <td><a href="{href}{p.id}">{escape(p.full_name)}</a></td>\n'
            f"    <td>{_day(p.birth_on)}</td>\n"
            f"    <td>{escape(p.municipality_name or '')}</td>\n"
            f"    <td>{escape(p.organization_name or '')}</td>\n"
            f"    <td>{escape(p.grade or '')}</td>\n"
            f"    <td>{badge}</td>\n"
            f"    <td>{_day(p.admission_on)}</td>\n"
            "  </tr>\n"
        )
    return Markup("  ".join(out))


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
    inline_max = current_app.config.get("MKR_EXPORT_INLINE_MAX", 5000)
    if registry_count(membership, f, cap=inline_max) > inline_max:
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
    rows = export_rows(membership, f)
    body = registry_file(fmt, rows)
    commit_or_refuse(record, "person.registry_export", None, **audit)
    return Response(
        body,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{registry_filename(fmt)}"'},
    )


def export_job_page(job_id: int, file_endpoint: str):
    """The job's progress page; ``?format=json`` is what its script polls."""
    job = jobs.job_or_404(job_id, kind=REGISTRY_JOB)
    download = url_for(file_endpoint, job_id=job.id)
    if request.args.get("format") == "json":
        return jsonify(jobs.job_status(job, download))
    return jobs.job_page(
        job,
        request.path + "?format=json",
        download,
        title=_("Выгрузка реестра"),
        heading=_("Выгрузка реестра") + f" ({(job.key or '').upper()})",
        waiting=_("Задача поставлена в очередь."),
        download=_("Скачать файл"),
        failed=_("Выгрузка не удалась. Попробуйте ещё раз или сузьте фильтр."),
    )


def export_job_file(job_id: int):
    job = jobs.job_or_404(job_id, kind=REGISTRY_JOB)
    if not jobs.is_ready(job):
        abort(404)
    commit_or_refuse(record, "person.registry_export_download", job)
    return jobs.job_file(job)


def person_or_404(person_id: int) -> Person:
    person = person_in_scope(current_membership(), person_id)
    if person is None:
        abort(404)
    return person


def consent_file_response(person: Person, consent_id: int):
    """The signed consent scan of ``person`` (the download is audited)."""
    consent = consent_of(person, consent_id)
    if consent is None or consent.file is None:
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
    consents = card_consents(person)
    return {
        "person": person,
        "consents": consents,
        **card_lists(person),
        "is_minor": _is_minor(person),
        "consent_summary": consent_summary(person, consents=consents),
        "field_titles": FIELD_TITLES,
        "today": date.today(),
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
