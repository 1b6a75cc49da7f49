"""Participation through the API: the counts grid (read with its ETag, replaced whole with
If-Match, all or nothing with the cells named), the participant list (read, audited for an
organiser) and rows added through the participant import; another organisation's edition 404."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Participation, ParticipationCount, Person
from tests.factories import World, api_token

PROBLEM = "application/problem+json"


@pytest.fixture
def w(factory):
    return World(factory, "p", admins=1)


def call(client, method, url, token, json=None, **headers):
    return client.open(
        url, method=method, json=json, headers={"Authorization": f"Bearer {token}", **headers}
    )


def grid() -> list[tuple]:
    return [
        tuple(r)
        for r in db.session.execute(
            sa.select(
                ParticipationCount.municipality_id,
                ParticipationCount.category,
                ParticipationCount.count,
            ).order_by(ParticipationCount.municipality_id, ParticipationCount.category)
        )
    ]


def test_counts_read_and_replaced_with_if_match(client, w):
    token = api_token(w.organizer)
    url = f"/api/v1/editions/{w.satellite_edition.id}/counts"
    resp = call(client, "GET", url, token)
    assert resp.status_code == 200 and resp.get_json() == {
        "edition_id": w.satellite_edition.id,
        "counts": [],
    }
    etag = resp.headers["ETag"]
    body = {
        "counts": [
            {"municipality_id": w.first.id, "category": "students", "count": 40},
            {"municipality_id": w.second.id, "category": "teachers", "count": 3},
        ]
    }
    assert call(client, "PUT", url, token, body).status_code == 428
    assert call(client, "PUT", url, token, body, **{"If-Match": '"x"'}).status_code == 412
    resp = call(client, "PUT", url, token, body, **{"If-Match": etag})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert grid() == [(w.first.id, "students", 40), (w.second.id, "teachers", 3)]
    new_etag = resp.headers["ETag"]
    assert new_etag != etag
    assert call(client, "GET", url, token).headers["ETag"] == new_etag
    # the old ETag is stale now; a foreign municipality refuses the whole grid
    assert call(client, "PUT", url, token, body, **{"If-Match": etag}).status_code == 412
    bad = {"counts": [{"municipality_id": 999_999, "category": "students", "count": 1}]}
    resp = call(client, "PUT", url, token, bad, **{"If-Match": new_etag})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert grid() == [(w.first.id, "students", 40), (w.second.id, "teachers", 3)]
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "edition.counts"))
    assert audit.details["students"] == 40 and "api_token_id" in audit.details
    other = api_token(w.other_organizer)
    assert call(client, "GET", url, other).status_code == 404
    assert call(client, "PUT", url, other, body, **{"If-Match": new_etag}).status_code == 404


def test_participants_added_through_the_import_and_read(client, w):
    token = api_token(w.organizer)
    url = f"/api/v1/editions/{w.satellite_edition.id}/participants"
    rows = [
        {
            "surname": "Участникова",
            "name": "Ольга",
            "birth_on": "01.02.2007",
            "municipality": "Первый район",
            "role": "участник",
        },
        {
            "surname": "Победова",
            "name": "Нина",
            "birth_on": "2006-03-04",
            "role": "победитель",
            "place": 1,
        },
    ]
    resp = call(client, "POST", url, token, {"rows": rows + [{"surname": "1", "name": "X"}]})
    assert resp.status_code == 422
    assert {(e["row"], e["field"]) for e in resp.get_json()["errors"]} == {(3, "surname")}
    resp = call(client, "POST", url, token, {"rows": rows, "dry_run": True})
    assert resp.status_code == 200
    assert [p["match"] for p in resp.get_json()["preview"]] == ["new", "new"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 0
    resp = call(client, "POST", url, token, {"rows": rows})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["result"] == {"added": 2, "created": 2, "matched": 0, "duplicates": 0}
    listed = call(client, "GET", url, token).get_json()["items"]
    assert sorted((p["surname"], p["role"], p["place"]) for p in listed) == [
        ("Победова", "winner", 1),
        ("Участникова", "participant", None),
    ]
    views = db.session.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "edition.participants_view")
    ).all()
    assert [v["persons"] for v in views] == [2]
    births = db.session.scalars(sa.select(Person.birth_on).order_by(Person.birth_on)).all()
    assert births == [date(2006, 3, 4), date(2007, 2, 1)]
    assert call(client, "GET", url, api_token(w.coord1)).status_code == 403
