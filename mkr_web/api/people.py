"""Persons of the bank for the admin and the coordinator (their municipalities), through
:func:`queries.people.persons_for`, as on the registry and the card. A non-admin's read is
audited as the card's is (``person.view``; a list: ``person.api_list`` with the ids read)."""

from __future__ import annotations

from workflows.lifecycle import PersonStatus
from workflows.roles import Role

from ..access import current_membership, current_role
from ..models import Person
from ..operations.audit import record
from ..operations.snils import shown_to
from ..queries.people import RegistryFilter, persons_for, registry_select
from ..web.loading import by_id_or_404, keyset
from . import schemas as s
from .core import commit, decode_cursor, endpoint, etag_of, json_response, page_response

ROLES = (Role.ADMIN, Role.COORDINATOR)
SCOPE = "persons:read"


def dump_person(p: Person) -> dict:
    return s.PersonSchema().dump(
        {
            "id": p.id,
            "surname": p.surname,
            "name": p.name,
            "patronymic": p.patronymic,
            "birth_on": p.birth_on,
            "snils": shown_to(current_role(), p.snils),
            "municipality_id": p.municipality_id,
            "organization_id": p.organization_id,
            "grade": p.grade,
            "email": p.email,
            "phone": p.phone,
            "status": p.status.value,
            "status_since": p.status_since,
            "admission_on": p.admission_on,
            "admission_basis": p.admission_basis,
            "version": p.version,
        }
    )


def _audited(action: str, obj=None, **details) -> None:
    if current_role() is not Role.ADMIN:
        commit(record, action, obj, **details)


@endpoint(
    "/persons",
    summary="Persons of the token's scope (cursor pages); a non-admin's read is audited",
    roles=ROLES,
    scope=SCOPE,
    query=s.PersonQuery,
    response=s.page_of(s.PersonSchema, "PersonPage"),
)
def persons(args):
    f = RegistryFilter(
        q=args["q"] or "",
        statuses=[PersonStatus(args["status"])] if args["status"] else [],
        municipality_id=args["municipality_id"],
    )
    q = registry_select(current_membership(), f)  # the registry's filters, re-sorted by id
    rows = keyset(q, Person, decode_cursor(args["cursor"]), args["limit"])
    response = page_response(rows, dump_person, args["limit"])
    _audited("person.api_list", None, person_ids=[p.id for p in rows[: args["limit"]]])
    return response


@endpoint(
    "/persons/<int:person_id>",
    summary="One person of the token's scope (ETag: the record's version); audited",
    roles=ROLES,
    scope=SCOPE,
    response=s.PersonSchema,
    etag=True,
)
def person(person_id: int):
    p = by_id_or_404(persons_for(current_membership()), Person, person_id)
    body = dump_person(p)
    tag = etag_of(p)
    _audited("person.view", p)
    return json_response(body, etag=tag)
