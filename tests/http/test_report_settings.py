"""The admin edits the criteria thresholds (a form, audited); the report states them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Tenant
from tests.support import login, post_form

FORM = {"t1": "75", "t3": "2", "t4_events": "10", "t4_participants": "650", "t5": "50", "t6": "5"}


@pytest.fixture
def admin(app, factory):
    tenant = factory.tenant()
    user = factory.user(tenant, "admin")
    client = app.test_client()
    login(client, user.email)
    return tenant, client


def _audit():
    return db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.details).where(
            AuditEntry.action.startswith("tenant.thresholds")
        )
    ).all()


def test_form_shows_defaults(admin):
    _, client = admin
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'id="t1" max="1000000" min="0" name="t1" required type="number" value="75"' in html
    assert 'name="t4_participants" required type="number" value="650"' in html
    assert (
        '<label class="form-label" for="t6">Критерий 6: публикаций за год, не менее</label>' in html
    )


def test_change_is_saved_audited_and_stated(admin):
    tenant, client = admin
    resp = post_form(client, "/admin/settings", {**FORM, "t1": "80", "t6": "7"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/settings"
    assert "Пороговые значения сохранены." in client.get("/admin/settings").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).settings["thresholds"] == {
        "1": 80,
        "3": 2,
        "4_events": 10,
        "4_participants": 650,
        "5": 50,
        "6": 7,
    }
    assert _audit() == [("tenant.thresholds.update", {"changed": {"1": [75, 80], "6": [5, 7]}})]
    r = client.get("/admin/report.json?year=2019").get_json()
    assert r["thresholds"]["1"] == 80 and r["criteria"][0]["threshold"] == 80
    assert r["criteria"][5]["threshold"] == 7
    html = client.get("/admin/report?year=2019").get_data(as_text=True)
    assert "1 — 80, 3 — 2, 4 — 10 / 650, 5 — 50, 6 — 7" in html
    # the same values again: nothing changes, nothing is audited
    post_form(client, "/admin/settings", {**FORM, "t1": "80", "t6": "7"})
    assert len(_audit()) == 1


@pytest.mark.parametrize("bad", [{"t1": "-1"}, {"t3": ""}, {"t5": "abc"}, {"t6": "2000000"}])
def test_invalid_values_are_refused(admin, bad):
    tenant, client = admin
    resp = post_form(client, "/admin/settings", {**FORM, **bad})
    assert resp.status_code == 200 and "is-invalid" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).settings == {}
    assert _audit() == []
