"""Notification pages: the outbox, every role's notifications page and badge, login needed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Notification
from mkr_web.operations.notifications import notify
from tests.factories import admin_and_expert
from tests.support import login, post_form


@pytest.fixture
def people(factory):
    return admin_and_expert(factory)


def test_without_smtp_notifications_wait_in_the_outbox(app, people, factory):
    tenant, admin, expert = people
    notify(
        tenant.id,
        [expert.id, expert.id],
        "Назначена экспертиза: ACC-2020-001",
        "Оцените заявку",
        "/expert/reviews",
    )
    db.session.commit()
    rows = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.subject, n.emailed_at) for n in rows] == [
        (expert.id, "Назначена экспертиза: ACC-2020-001", None)
    ]
    client = app.test_client()
    login(client, admin.email)
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "Почтовый сервер не настроен" in html
    assert "Назначена экспертиза: ACC-2020-001" in html and expert.email in html
    other = factory.tenant()
    other_admin = factory.user(other, "admin")
    client = app.test_client()
    login(client, other_admin.email)
    assert "ACC-2020-001" not in client.get("/admin/outbox").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "coordinator", "organizer", "expert"])
def test_every_role_has_a_notifications_page_and_badge(app, factory, role):
    tenant = factory.tenant()
    user = factory.user(tenant, role)
    someone = factory.user(tenant, "expert")
    notify(tenant.id, [user.id], "Первое уведомление", "Текст")
    notify(tenant.id, [user.id], "Второе уведомление", link="/notifications")
    notify(tenant.id, [someone.id], "Чужое уведомление")
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Первое уведомление" in html and "Второе уведомление" in html and "Чужое" not in html
    assert html.index("Второе уведомление") < html.index("Первое уведомление")  # newest first
    assert 'data-testid="unread-count">2<' in html
    post_form(client, "/notifications/read", {}, form_url="/notifications")
    html = client.get("/notifications").get_data(as_text=True)
    assert 'data-testid="unread-count"' not in html
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.read_at.is_(None))
        )
        == 1
    )  # the other user's


def test_notifications_page_needs_login(app):
    resp = app.test_client().get("/notifications")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
