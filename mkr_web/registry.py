"""The persons registry and card pages as both the admin and the coordinator blueprints
render them: one listing, one export, one card, each through the user's scope
(:func:`mkr_web.queries.people.persons_for`). Templates live in ``templates/people/``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, render_template, request, send_file

from workflows.lifecycle import PersonStatus

from .access import current_membership
from .documents.storage import absolute_path
from .documents.tables import csv_bytes, xlsx_bytes
from .extensions import db
from .models import Consent, Municipality, OrganizationKind, Person
from .operations.audit import record
from .queries.people import (
    PER_PAGE_CHOICES,
    RegistryFilter,
    organizations_of_persons,
    participations_of,
    person_in_scope,
    registry_select,
    status_history,
)
from .queries.reference import municipality_ids_for

EXPORT_HEADERS = [
    "Фамилия", "Имя", "Отчество", "Дата рождения", "Муниципалитет", "Организация",
    "Класс или курс", "Статус", "Статус с", "Дата включения", "Основание включения",
    "Электронная почта", "Телефон", "ФИО родителя", "Телефон родителя", "Почта родителя",
    "Профиль в соцсети",
]
SORT_TITLES = {"name": "ФИО", "birth": "Дата рождения", "admission": "Дата включения",
               "status": "Статус", "updated": "Изменено"}


def _filter_choices(membership) -> dict:
    ids = municipality_ids_for(membership)
    q = sa.select(Municipality).where(Municipality.tenant_id == membership.tenant_id)
    if ids is not None:
        q = q.where(Municipality.id.in_(ids))
    return {
        "municipalities": list(db.session.scalars(q.order_by(Municipality.sort_order))),
        "organizations": organizations_of_persons(membership),
        "statuses": list(PersonStatus),
        "categories": [OrganizationKind.SCHOOL, OrganizationKind.COLLEGE,
                       OrganizationKind.UNIVERSITY],
        "sorts": SORT_TITLES,
        "per_page_choices": PER_PAGE_CHOICES,
    }


def registry_page(template: str, endpoint_prefix: str, **extra):
    membership = current_membership()
    f = RegistryFilter.from_args(request.args)
    page = db.paginate(registry_select(membership, f), page=f.page, per_page=f.per_page,
                       error_out=False, count=True)
    return render_template(template, page=page, f=f, prefix=endpoint_prefix,
                           **_filter_choices(membership), **extra)


def _row(p: Person) -> list:
    return [
        p.surname, p.name, p.patronymic, p.birth_on,
        p.municipality.name if p.municipality else None,
        p.organization.name if p.organization else None, p.grade, p.status.title_ru,
        p.status_since, p.admission_on, p.admission_basis, p.email, p.phone, p.parent_name,
        p.parent_phone, p.parent_email, p.social_url,
    ]


def export_response(fmt: str):
    """The current filter as XLSX or CSV (formula injection neutralised by tables.py)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    membership = current_membership()
    f = RegistryFilter.from_args(request.args)
    persons = db.session.execute(
        registry_select(membership, f).execution_options(yield_per=2000)
    ).scalars()
    rows = (_row(p) for p in persons)
    # The audit names the filter's fields, never the searched text (it may be a name).
    record("person.registry_export", None, format=fmt, has_query=bool(f.q),
           statuses=[s.value for s in f.statuses], municipality_id=f.municipality_id,
           organization_id=f.organization_id, year=f.admission_year)
    stamp = date.today().strftime("%Y%m%d")
    if fmt == "xlsx":
        body = xlsx_bytes("Реестр", EXPORT_HEADERS, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_bytes(EXPORT_HEADERS, rows)
        mimetype = "text/csv; charset=utf-8"
    db.session.commit()
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="registry-{stamp}.{fmt}"'})


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
    record("person.consent_download", person, consent_id=consent.id)
    db.session.commit()
    suffix = path.suffix or ".bin"
    return send_file(path, mimetype=consent.file.content_type, as_attachment=True,
                     download_name=f"consent-{consent.id}{suffix}")


def card_context(person: Person) -> dict:
    from .models import Achievement, PersonProject

    def children(model, *order):
        return list(db.session.scalars(
            sa.select(model).where(model.person_id == person.id).order_by(*order)))

    return {
        "person": person,
        "history": status_history(person),
        "participations": participations_of(person),
        "consents": list(db.session.scalars(
            sa.select(Consent).where(Consent.person_id == person.id)
            .options(sa.orm.joinedload(Consent.file)).order_by(Consent.given_on))),
        "achievements": children(Achievement, Achievement.achieved_on.desc(), Achievement.id),
        "projects": children(PersonProject, PersonProject.year.desc(), PersonProject.id),
        "is_minor": _is_minor(person),
    }


def _is_minor(person: Person) -> bool:
    if person.birth_on is None:
        return False
    today = date.today()
    age = today.year - person.birth_on.year - (
        (today.month, today.day) < (person.birth_on.month, person.birth_on.day))
    return age < 18
