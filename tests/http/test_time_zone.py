"""One time zone per tenant: every time on a page is in the tenant's zone (a setting, the app's
Asia/Tomsk by default), and the page names the zone once; the admin changes it (audited)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Tenant
from tests.support import csrf_token, login, post_form

AT = datetime(2026, 11, 29, 20, 5, 9)  # stored naive UTC


@pytest.fixture
def admin(app, factory):
    tenant = factory.tenant()
    user = factory.user(tenant, "admin")
    db.session.add(
        AuditEntry(tenant_id=tenant.id, user_id=user.id, role="admin", at=AT, action="probe.seen")
    )
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    return tenant, client


def _row(html: str) -> str:
    start = html.index('data-action="probe.seen"')
    return html[start : html.index("</tr>", start)]


def test_times_are_in_the_tenant_zone_named_once(admin):
    _, client = admin
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<td class="text-nowrap">30.11.2026 03:05:09</td>' in _row(html)
    assert html.count("Asia/Tomsk") == 1
    assert "Время — Томск (Asia/Tomsk, UTC+7)." in html
    assert "UTC)" not in html  # no column headed «Когда (UTC)»


def test_the_admin_changes_the_zone(admin):
    tenant, client = admin
    page = client.get("/admin/settings").get_data(as_text=True)
    assert '<option selected value="Asia/Tomsk">Томск (UTC+7, Asia/Tomsk)</option>' in page
    resp = post_form(
        client,
        "/admin/settings/time-zone",
        {"time_zone": "Europe/Moscow"},
        form_url="/admin/settings",
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/settings"
    db.session.expire_all()
    assert db.session.get(Tenant, tenant.id).settings["time_zone"] == "Europe/Moscow"
    audit = db.session.execute(
        sa.select(AuditEntry.details).where(AuditEntry.action == "tenant.time_zone.update")
    ).scalar_one()
    assert audit["changed"] == [None, "Europe/Moscow"]

    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<td class="text-nowrap">29.11.2026 23:05:09</td>' in _row(html)
    assert "Время — Москва (Europe/Moscow, UTC+3)." in html


def test_an_unknown_zone_is_refused(admin):
    tenant, client = admin
    resp = post_form(
        client, "/admin/settings/time-zone", {"time_zone": "Asia/Atlantis"}, "/admin/settings"
    )
    assert resp.status_code == 302
    assert "Выберите часовой пояс из списка." in client.get("/admin/settings").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert "time_zone" not in db.session.get(Tenant, tenant.id).settings


def test_a_page_without_times_names_no_zone(admin):
    _, client = admin
    assert "zone-note" not in client.get("/admin/settings").get_data(as_text=True)


def test_the_settings_state_each_document_numbering(admin):
    _, client = admin
    html = client.get("/admin/settings").get_data(as_text=True)
    table = html[
        html.index('data-testid="numbering"') : html.index(
            "</table>", html.index('data-testid="numbering"')
        )
    ]
    rows = [
        ("Заявка на аккредитацию", "ЗАЯВ"),
        ("Свидетельство об аккредитации", "АКР"),
        ("Выдвижение", "ВЫДВ"),
        ("Протокол результатов (пакет кандидатов)", "ПРОТ"),
        ("Свидетельство резидента", "РЕЗ"),
        ("Акт об уничтожении персональных данных", "УНИЧ"),
    ]
    assert table.count("<tr><td>") == len(rows)
    for kind, prefix in rows:
        assert (
            f'<tr><td>{kind}</td><td><code><span lang="ru">{prefix}</span>-ГГГГ-001</code></td></tr>'
            in table
        )


def test_the_english_settings_keep_the_russian_prefixes_marked(admin):
    _, client = admin
    token = csrf_token(client, "/notifications")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    html = client.get("/admin/settings").get_data(as_text=True)
    for prefix in ("ЗАЯВ", "АКР", "ВЫДВ", "ПРОТ", "РЕЗ", "УНИЧ"):
        assert f'<code><span lang="ru">{prefix}</span>-YYYY-001</code>' in html
    assert "The prefixes are Russian abbreviations" in html
