"""Personal API tokens through the profile page: created for one of the user's roles with
scopes and a life, shown once, stored as a digest, listed with the last use, revoked."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import ApiToken, AuditEntry
from mkr_web.operations.api_tokens import digest
from tests.factories import World
from tests.support import form_on, logged_in

URL = "/account/api-tokens"
SECRET_RE = re.compile(r'data-testid="new-token">.*?<code[^>]*>(mkr_[^<]+)</code>', re.S)


@pytest.fixture
def w(factory):
    return World(factory, "a", admins=1)


def create(client, membership_id, scopes, name="Школьная ИС", days="30"):
    form = form_on(client, URL)
    return client.post(
        URL,
        data=form.data(membership_id=str(membership_id), name=name, scopes=scopes, days=days),
    )


def test_create_shown_once_stored_hashed_used_and_revoked(app, w):
    client = logged_in(app, w.coord1)
    membership = w.membership(w.coord1)
    resp = create(client, membership.id, ["persons:read", "report:read"])
    assert resp.status_code == 200
    secret = SECRET_RE.search(resp.get_data(as_text=True)).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert (token.user_id, token.membership_id, token.scopes) == (
        w.coord1.id,
        membership.id,
        ["persons:read", "report:read"],
    )
    assert token.token_hash == digest(secret) and secret not in repr(
        db.session.execute(sa.text("SELECT * FROM api_token")).all()
    )
    assert (token.expires_at - token.created_at).days == 30
    page = client.get(URL).get_data(as_text=True)
    assert secret not in page and token.prefix in page and "нет" in page  # never used yet
    api = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/persons", headers=auth).status_code == 200
    assert api.get("/api/v1/organizations", headers=auth).status_code == 403  # not in scopes
    db.session.refresh(token)
    assert token.last_used_at is not None
    revoke = form_on(client, URL, f"{URL}/{token.id}/revoke")
    assert client.post(revoke.action, data=revoke.data()).status_code == 302
    assert api.get("/api/v1/persons", headers=auth).status_code == 401
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "ApiToken")
    ).all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_scopes_outside_the_role_and_other_users_tokens_are_refused(app, w):
    client = logged_in(app, w.organizer)
    resp = create(client, w.membership(w.organizer).id, ["persons:read"])
    assert resp.status_code == 400
    assert "Эти права недоступны для выбранной роли." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    resp = create(client, w.membership(w.admin).id, ["persons:read"])  # another user's role
    assert resp.status_code == 400
    assert create(client, w.membership(w.organizer).id, ["protocols:write"]).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    other = logged_in(app, w.admin)
    form = form_on(other, URL)
    assert other.post(f"{URL}/{token.id}/revoke", data=form.data()).status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_expert_is_offered_no_token(app, w):
    html = logged_in(app, w.expert).get(URL).get_data(as_text=True)
    assert "В ваших ролях нет данных, доступных через API." in html
    assert 'name="scopes"' not in html
