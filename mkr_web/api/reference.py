"""Municipalities and organisations, as the token's role sees them on the pages: a
coordinator their municipalities (and their organisations), an organiser their own
organisation."""

from __future__ import annotations

from workflows.roles import Role

from ..access import current_membership
from ..models import Municipality, Organization, OrganizationKind
from ..queries.people import municipalities_in_scope
from ..queries.reference import organizations_for
from ..web.loading import by_id_or_404, keyset
from . import schemas as s
from .core import decode_cursor, endpoint, json_response, page_response

ROLES = (Role.ADMIN, Role.COORDINATOR, Role.ORGANIZER)
SCOPE = "reference:read"


def dump_municipality(m: Municipality) -> dict:
    return s.MunicipalitySchema().dump({"id": m.id, "name": m.name, "kind": m.kind.value})


def dump_organization(o: Organization) -> dict:
    return s.OrganizationSchema().dump(
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind.value,
            "municipality_id": o.municipality_id,
            "is_regional_subordination": o.is_regional_subordination,
        }
    )


@endpoint(
    "/municipalities",
    summary="The municipalities of the token's scope (a coordinator: their own)",
    roles=ROLES,
    scope=SCOPE,
    response=s.MunicipalitySchema,
    many=True,
)
def municipalities():
    return json_response(
        {"items": [dump_municipality(m) for m in municipalities_in_scope(current_membership())]}
    )


@endpoint(
    "/organizations",
    summary="Organisations of the token's scope, by id (cursor pages)",
    roles=ROLES,
    scope=SCOPE,
    query=s.OrganizationQuery,
    response=s.page_of(s.OrganizationSchema, "OrganizationPage"),
)
def organizations(args):
    q = organizations_for(current_membership())
    if args["municipality_id"]:
        q = q.where(Organization.municipality_id == args["municipality_id"])
    if args["kind"]:
        q = q.where(Organization.kind == OrganizationKind(args["kind"]))
    rows = keyset(q, Organization, decode_cursor(args["cursor"]), args["limit"])
    return page_response(rows, dump_organization, args["limit"])


@endpoint(
    "/organizations/<int:organization_id>",
    summary="One organisation of the token's scope",
    roles=ROLES,
    scope=SCOPE,
    response=s.OrganizationSchema,
)
def organization(organization_id: int):
    org = by_id_or_404(organizations_for(current_membership()), Organization, organization_id)
    return json_response(dump_organization(org))
