"""Participation of an edition, as on the edition pages (admin: every edition; organiser:
their organisation's): the counts per municipality and category (read; replaced whole with
``If-Match``, all or nothing), and the list of participants (read, audited for a non-admin;
rows added through the participant import, exactly as an uploaded list)."""

from __future__ import annotations

import hashlib
import json

from flask import request

from workflows.roles import Role

from ..access import current_membership, current_role
from ..imports.participants import ParticipantImporter
from ..models import EventEdition
from ..operations.audit import record
from ..operations.events import save_counts
from ..queries.events import counts_grid, editions_for, participants_of
from ..web.loading import by_id_or_404
from . import schemas as s
from .core import Problem, commit, endpoint, json_response, load_body
from .tables import submit_table

ROLES = (Role.ADMIN, Role.ORGANIZER)


def _edition(edition_id: int) -> EventEdition:
    return by_id_or_404(editions_for(current_membership()), EventEdition, edition_id)


def _counts(edition: EventEdition) -> tuple[list[dict], str]:
    cells = sorted((m, c.value, n) for (m, c), n in counts_grid(edition).items() if m is not None)
    items = [{"municipality_id": m, "category": c, "count": n} for m, c, n in cells]
    digest = hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]
    return items, f'"counts-{edition.id}-{digest}"'


def _counts_answer(edition: EventEdition):
    """The edition's counts grid as the API answers it, with its ETag."""
    items, tag = _counts(edition)
    return json_response({"edition_id": edition.id, "counts": items}, etag=tag)


@endpoint(
    "/editions/<int:edition_id>/counts",
    summary="Participants counted per municipality and category (ETag: the grid's content)",
    roles=ROLES,
    scope="events:read",
    response=s.CountsSchema,
    etag=True,
)
def counts(edition_id: int):
    return _counts_answer(_edition(edition_id))


@endpoint(
    "/editions/<int:edition_id>/counts",
    method="PUT",
    summary="Replace the counts grid, all or nothing (If-Match required)",
    roles=ROLES,
    scope="participation:write",
    body=s.CountsBody,
    response=s.CountsSchema,
    if_match=True,
)
def put_counts(edition_id: int):
    edition = _edition(edition_id)
    _items, tag = _counts(edition)
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        raise Problem(428, "Send If-Match with the ETag of the counts you read.")
    if header not in (tag, "*"):
        raise Problem(412, "The counts changed since you read them: read them again.", slug="stale")
    data = load_body(s.CountsBody)
    raw = {(c["municipality_id"], c["category"]): c["count"] for c in data["counts"]}
    commit(save_counts, edition, raw)
    return _counts_answer(edition)


@endpoint(
    "/editions/<int:edition_id>/participants",
    summary="The persons listed at an edition, in their roles (a non-admin's read is audited)",
    roles=ROLES,
    scope="events:read",
    response=s.ParticipantSchema,
    many=True,
)
def participants(edition_id: int):
    edition = _edition(edition_id)
    rows = participants_of(edition)
    items = [
        s.ParticipantSchema().dump(
            {
                "person_id": p.id,
                "surname": p.surname,
                "name": p.name,
                "patronymic": p.patronymic,
                "role": part.role.value,
                "place": part.place,
                "section": part.section,
            }
        )
        for part, p in rows
    ]
    if current_role() is not Role.ADMIN:
        commit(record, "edition.participants_view", edition, persons=len(items))
    return json_response({"items": items})


@endpoint(
    "/editions/<int:edition_id>/participants",
    method="POST",
    summary="Add participants to an edition (the participant import's checks; all or nothing)",
    roles=ROLES,
    scope="participation:write",
    body=s.ParticipantsBody,
    response=s.TableResultSchema,
    status=201,
    extra_responses={200: "dry_run: the preview, nothing written"},
)
def add_participants(edition_id: int):
    edition = _edition(edition_id)
    data = load_body(s.ParticipantsBody)
    return submit_table(
        ParticipantImporter(edition),
        data,
        lambda m: "listed" if m.get("listed") else ("existing" if m.get("person_id") else "new"),
        lambda result: result,
    )
