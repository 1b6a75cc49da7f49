"""Events and their editions as the pages show them: the admin the whole tenant, an
organiser their organisation's events (:func:`queries.events.events_for`)."""

from __future__ import annotations

from workflows.roles import Role

from ..access import current_membership
from ..models import Event, EventEdition, EventKind
from ..queries.events import editions_for, events_for
from ..web.loading import by_id_or_404, keyset
from . import schemas as s
from .core import decode_cursor, endpoint, json_response, page_response

ROLES = (Role.ADMIN, Role.ORGANIZER)
SCOPE = "events:read"


def dump_event(e: Event) -> dict:
    return s.EventSchema().dump(
        {
            "id": e.id,
            "title": e.title,
            "short_title": e.short_title,
            "kind": e.kind.value,
            "direction": e.direction.value,
            "level": e.level.value,
            "organizer_id": e.organizer_id,
        }
    )


def dump_edition(ed: EventEdition) -> dict:
    return s.EditionSchema().dump(
        {
            "id": ed.id,
            "event_id": ed.event_id,
            "year": ed.year,
            "title": ed.title,
            "starts_on": ed.starts_on,
            "ends_on": ed.ends_on,
            "format": ed.format.value,
            "state": ed.state.value,
            "note": ed.note,
        }
    )


@endpoint(
    "/events",
    summary="Events of the token's scope (admin: all; organiser: own organisation's)",
    roles=ROLES,
    scope=SCOPE,
    query=s.EventQuery,
    response=s.page_of(s.EventSchema, "EventPage"),
)
def events(args):
    q = events_for(current_membership())
    if args["kind"]:
        q = q.where(Event.kind == EventKind(args["kind"]))
    rows = keyset(q, Event, decode_cursor(args["cursor"]), args["limit"])
    return page_response(rows, dump_event, args["limit"])


@endpoint(
    "/events/<int:event_id>",
    summary="One event of the token's scope",
    roles=ROLES,
    scope=SCOPE,
    response=s.EventSchema,
)
def event(event_id: int):
    return json_response(
        dump_event(by_id_or_404(events_for(current_membership()), Event, event_id))
    )


@endpoint(
    "/editions",
    summary="Editions (yearly holdings) of the events of the token's scope",
    roles=ROLES,
    scope=SCOPE,
    query=s.EditionQuery,
    response=s.page_of(s.EditionSchema, "EditionPage"),
)
def editions(args):
    q = editions_for(current_membership())
    if args["year"]:
        q = q.where(EventEdition.year == args["year"])
    if args["event_id"]:
        q = q.where(EventEdition.event_id == args["event_id"])
    rows = keyset(q, EventEdition, decode_cursor(args["cursor"]), args["limit"])
    return page_response(rows, dump_edition, args["limit"])


@endpoint(
    "/editions/<int:edition_id>",
    summary="One edition of the token's scope",
    roles=ROLES,
    scope=SCOPE,
    response=s.EditionSchema,
)
def edition(edition_id: int):
    ed = by_id_or_404(editions_for(current_membership()), EventEdition, edition_id)
    return json_response(dump_edition(ed))
