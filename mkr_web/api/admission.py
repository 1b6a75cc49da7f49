"""Admission through the API: an organiser submits an accredited edition's results protocol
as JSON rows (checked by the one import machinery exactly as an uploaded file: the same
validation, the same preview, all or nothing); a checker (the coordinator, or the admin for a
municipality without one) confirms or returns a candidate; the admin admits or rejects.
Each change takes ``If-Match`` with the candidate's ETag (the optimistic lock)."""

from __future__ import annotations

from workflows.admission import ADMISSION, CandidateState
from workflows.roles import Role

from ..access import current_membership, current_role
from ..imports.protocol import ProtocolImporter
from ..models import AdmissionCandidate, EventEdition
from ..operations.admission import (
    admit_candidate,
    confirm_candidate,
    reject_candidate,
    return_candidate,
)
from ..operations.audit import record
from ..operations.snils import shown_to
from ..queries.admission import accredited_editions_for, candidate_in_scope, candidates_for
from ..web.loading import by_id_or_404, keyset, one_or_404
from . import schemas as s
from .core import (
    commit,
    decode_cursor,
    endpoint,
    etag_of,
    expected_version,
    json_response,
    load_body,
    page_response,
)
from .tables import submit_table


@endpoint(
    "/editions/<int:edition_id>/protocol",
    method="POST",
    summary="Submit the results protocol of an accredited edition of your organisation",
    roles=(Role.ORGANIZER,),
    scope="protocols:write",
    body=s.ProtocolBody,
    response=s.TableResultSchema,
    status=201,
    extra_responses={200: "dry_run: the preview, nothing written"},
)
def submit_protocol(edition_id: int):
    edition = by_id_or_404(accredited_editions_for(current_membership()), EventEdition, edition_id)
    data = load_body(s.ProtocolBody)
    return submit_table(
        ProtocolImporter(edition),
        data,
        lambda match: match.get("kind"),
        lambda result: {"batch_id": result["batch_id"], "number": result["number"]},
    )


def dump_candidate(c: AdmissionCandidate) -> dict:
    return s.CandidateSchema().dump(
        {
            "id": c.id,
            "batch_id": c.batch_id,
            "row_no": c.row_no,
            "surname": c.surname,
            "name": c.name,
            "patronymic": c.patronymic,
            "birth_on": c.birth_on,
            "organization_name": c.organization_name,
            "grade": c.grade,
            "municipality_id": c.municipality_id,
            "snils": shown_to(current_role(), c.snils),
            "result": c.result.value,
            "place": c.place,
            "state": c.state.value,
            "reason": c.reason,
            "match": c.match.value,
            "due_on": c.due_on,
            "version": c.version,
        }
    )


READERS = (Role.ADMIN, Role.COORDINATOR, Role.ORGANIZER)


@endpoint(
    "/candidates",
    summary="Admission candidates of the token's scope (cursor pages)",
    roles=READERS,
    scope="candidates:read",
    query=s.CandidateQuery,
    response=s.page_of(s.CandidateSchema, "CandidatePage"),
)
def candidates(args):
    q = candidates_for(current_membership())
    if args["state"]:
        q = q.where(AdmissionCandidate.state == CandidateState(args["state"]))
    rows = keyset(q, AdmissionCandidate, decode_cursor(args["cursor"]), args["limit"])
    return page_response(rows, dump_candidate, args["limit"])


def _candidate(candidate_id: int) -> AdmissionCandidate:
    return one_or_404(candidate_in_scope(current_membership(), candidate_id))


@endpoint(
    "/candidates/<int:candidate_id>",
    summary="One candidate of the token's scope (ETag: its version)",
    roles=READERS,
    scope="candidates:read",
    response=s.CandidateSchema,
    etag=True,
)
def candidate(candidate_id: int):
    c = _candidate(candidate_id)
    body, tag = dump_candidate(c), etag_of(c)
    if current_role() is not Role.ADMIN:  # as the checker's page does
        commit(record, "admission_candidate.view", c)
    return json_response(body, etag=tag)


def _transition(candidate_id: int, body, act):
    """One step of a candidate: its version from If-Match first, then the body; then
    ``act(candidate, membership, data, expected_version)`` in one commit; the new state."""
    c = _candidate(candidate_id)
    version = expected_version(c)
    data = load_body(body)
    commit(act, c, current_membership(), data, version)
    return json_response(
        s.TransitionSchema().dump({"id": c.id, "state": c.state.value, "version": c.version}),
        etag=etag_of(c),
    )


@endpoint(
    "/candidates/<int:candidate_id>/confirm",
    method="POST",
    summary="Confirm a candidate's data and consent (If-Match required)",
    roles=ADMISSION.roles_of("confirm"),
    scope="candidates:write",
    body=s.ConfirmBody,
    response=s.TransitionSchema,
    if_match=True,
)
def confirm(candidate_id: int):
    return _transition(
        candidate_id,
        s.ConfirmBody,
        lambda c, m, data, v: confirm_candidate(
            c, m, consent_on=data["consent_on"], on_file=data["on_file"], expected_version=v
        ),
    )


@endpoint(
    "/candidates/<int:candidate_id>/return",
    method="POST",
    summary="Return a candidate's row to the organiser with a reason (If-Match required)",
    roles=ADMISSION.roles_of("return"),
    scope="candidates:write",
    body=s.ReasonBody,
    response=s.TransitionSchema,
    if_match=True,
)
def return_(candidate_id: int):
    return _transition(
        candidate_id,
        s.ReasonBody,
        lambda c, m, data, v: return_candidate(c, m, data["reason"], expected_version=v),
    )


@endpoint(
    "/candidates/<int:candidate_id>/admit",
    method="POST",
    summary="Admit a confirmed candidate into the bank (If-Match required)",
    roles=ADMISSION.roles_of("admit"),
    scope="candidates:write",
    body=s.AdmitBody,
    response=s.TransitionSchema,
    if_match=True,
)
def admit(candidate_id: int):
    return _transition(
        candidate_id,
        s.AdmitBody,
        lambda c, m, data, v: admit_candidate(c, m, on=data["on"], expected_version=v),
    )


@endpoint(
    "/candidates/<int:candidate_id>/reject",
    method="POST",
    summary="Reject a candidate with a reason (If-Match required)",
    roles=ADMISSION.roles_of("reject"),
    scope="candidates:write",
    body=s.ReasonBody,
    response=s.TransitionSchema,
    if_match=True,
)
def reject(candidate_id: int):
    return _transition(
        candidate_id,
        s.ReasonBody,
        lambda c, m, data, v: reject_candidate(c, m, data["reason"], expected_version=v),
    )
