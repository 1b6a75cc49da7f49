"""Writes through the API: an organiser's results protocol (dry run, per-row errors, all or
nothing, the batch), a coordinator's confirmation and the admin's decision with ETag /
If-Match, each audited with the token's id; other scopes and tenants 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionBatch, AdmissionCandidate, ApiToken, AuditEntry
from tests.factories import World, api_token, row
from workflows.admission import CandidateState

PROBLEM = "application/problem+json"


@pytest.fixture
def two(factory):
    return World(factory, "a"), World(factory, "b", admins=1)


def call(client, method, url, token, json=None, **headers):
    return client.open(
        url, method=method, json=json, headers={"Authorization": f"Bearer {token}", **headers}
    )


def batches() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch))


def token_id(user) -> int:
    return db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )


def test_protocol_dry_run_errors_and_commit(client, two):
    a, _b = two
    token = api_token(a.organizer)
    url = f"/api/v1/editions/{a.edition.id}/protocol"
    good = [row(), row(surname="Петров", name="Илья", birth_date="2004-01-01", result="призёр")]
    resp = call(client, "POST", url, token, {"rows": good, "dry_run": True})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json() == {
        "rows": 2,
        "result": None,
        "preview": [
            {"row": 1, "match": "new", "errors": []},
            {"row": 2, "match": "new", "errors": []},
        ],
    }
    assert batches() == 0
    bad = [row(), row(birth_date="31.02.2004", municipality="Нет такого")]
    resp = call(client, "POST", url, token, {"rows": bad})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    errors = resp.get_json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(2, "birth_date"), (2, "municipality")}
    assert batches() == 0  # all or nothing
    resp = call(client, "POST", url, token, {"rows": good})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    batch = db.session.get(AdmissionBatch, body["result"]["batch_id"])
    assert (body["result"]["number"], body["rows"]) == (batch.number, 2)
    assert [(c.row_no, c.surname) for c in batch.candidates] == [(1, "Соколова"), (2, "Петров")]
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "admission_batch.create")
    )
    assert audit.details == {"candidates": 2, "api_token_id": token_id(a.organizer)}


def test_protocol_body_and_scope_refusals(client, two):
    a, b = two
    token = api_token(a.organizer)
    url = f"/api/v1/editions/{a.edition.id}/protocol"
    resp = call(client, "POST", url, token, {"rows": [{"surname": "Иванов"}]})
    assert resp.status_code == 400 and resp.mimetype == PROBLEM
    fields = {e["field"] for e in resp.get_json()["errors"]}
    assert "rows.0.birth_date" in fields and "rows.0.surname" not in fields
    other = api_token(a.other_organizer)
    assert call(client, "POST", url, other, {"rows": [row()]}).status_code == 404
    satellite = f"/api/v1/editions/{a.satellite_edition.id}/protocol"
    assert call(client, "POST", satellite, token, {"rows": [row()]}).status_code == 404
    foreign = f"/api/v1/editions/{b.edition.id}/protocol"
    assert call(client, "POST", foreign, token, {"rows": [row()]}).status_code == 404
    coordinator = api_token(a.coord1)
    assert call(client, "POST", url, coordinator, {"rows": [row()]}).status_code == 403
    assert batches() == 0


def test_confirm_with_if_match_then_admit(client, two):
    a, b = two
    from mkr_web.operations import admission as ops

    batch = ops.create_batch(
        a.edition,
        [row(), row(surname="Иная", municipality="Второй район", organization="МБОУ «СОШ № 2»")],
        a.organizer,
    )
    db.session.commit()
    ours, theirs = batch.candidates
    v = ours.version
    coord = api_token(a.coord1)
    url = f"/api/v1/candidates/{ours.id}"
    resp = call(client, "GET", url, coord)
    assert resp.status_code == 200 and resp.get_json()["state"] == "submitted"
    etag = resp.headers["ETag"]
    assert etag == f'"admissioncandidate-{ours.id}-v{v}"'
    assert call(client, "GET", f"/api/v1/candidates/{theirs.id}", coord).status_code == 404
    viewed = db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.details).where(
            AuditEntry.action == "admission_candidate.view"
        )
    ).all()
    assert [tuple(v) for v in viewed] == [(ours.id, {"api_token_id": token_id(a.coord1)})]
    body = {"consent_on": "2019-04-01", "on_file": True}
    assert call(client, "POST", url + "/confirm", coord, body).status_code == 428
    resp = call(client, "POST", url + "/confirm", coord, body, **{"If-Match": '"stale"'})
    assert resp.status_code == 412 and resp.mimetype == PROBLEM
    resp = call(client, "POST", url + "/confirm", coord, {"on_file": True}, **{"If-Match": etag})
    assert resp.status_code == 400
    assert resp.get_json()["errors"] == [
        {"field": "consent_on", "detail": "Missing data for required field."}
    ]
    resp = call(client, "POST", url + "/confirm", coord, body, **{"If-Match": etag})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    after = resp.get_json()
    assert (after["id"], after["state"], after["version"] > v) == (ours.id, "confirmed", True)
    new_etag = resp.headers["ETag"]
    assert new_etag == f'"admissioncandidate-{ours.id}-v{after["version"]}"'
    # the same request again: the ETag is stale now
    assert (
        call(client, "POST", url + "/confirm", coord, body, **{"If-Match": etag}).status_code == 412
    )
    # the coordinator may not admit; the admin may, with the new ETag
    assert (
        call(client, "POST", url + "/admit", coord, {}, **{"If-Match": new_etag}).status_code == 403
    )
    admin = api_token(a.admin)
    foreign = api_token(b.admin)
    assert (
        call(client, "POST", url + "/admit", foreign, {}, **{"If-Match": new_etag}).status_code
        == 404
    )
    resp = call(
        client, "POST", url + "/admit", admin, {"on": "2019-05-20"}, **{"If-Match": new_etag}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, ours.id).state is CandidateState.ADMITTED
    entries = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.details["api_token_id"].as_integer()).where(
            AuditEntry.object_type == "Consent"
        )
    ).all()
    assert [tuple(e) for e in entries] == [("consent.create", token_id(a.coord1))]


def test_a_refusal_of_the_workflow_is_a_problem(client, two):
    a, _b = two
    from mkr_web.operations import admission as ops

    batch = ops.create_batch(a.edition, [row()], a.organizer)
    db.session.commit()
    c = batch.candidates[0]
    admin = api_token(a.admin)
    url = f"/api/v1/candidates/{c.id}"
    etag = call(client, "GET", url, admin).headers["ETag"]
    resp = call(client, "POST", url + "/admit", admin, {}, **{"If-Match": etag})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert resp.get_json()["detail"]
    resp = call(client, "POST", url + "/reject", admin, {"reason": ""}, **{"If-Match": etag})
    assert resp.status_code == 400
    assert db.session.get(AdmissionCandidate, c.id).state is CandidateState.SUBMITTED
