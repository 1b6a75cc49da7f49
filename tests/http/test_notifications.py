"""Notification pages: the outbox, every role's notifications page and badge, login needed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Notification
from mkr_web.operations.notifications import notify
from tests.factories import admin_and_expert
from tests.support import another_app, login, post_form


@pytest.fixture
def people(factory):
    return admin_and_expert(factory)


def test_without_smtp_notifications_wait_in_the_outbox(app, people, factory):
    tenant, admin, expert = people
    notify(
        tenant.id,
        [expert.id, expert.id],
        "Назначена экспертиза: ЗАЯВ-2020-001",
        "Оцените заявку",
        "/expert/reviews",
    )
    db.session.commit()
    rows = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.subject, n.emailed_at) for n in rows] == [
        (expert.id, "Назначена экспертиза: ЗАЯВ-2020-001", None)
    ]
    client = app.test_client()
    login(client, admin.email)
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "Почтовый сервер не настроен" in html
    assert "Назначена экспертиза: ЗАЯВ-2020-001" in html and expert.email in html
    other = factory.tenant()
    other_admin = factory.user(other, "admin")
    client = app.test_client()
    login(client, other_admin.email)
    assert "ЗАЯВ-2020-001" not in client.get("/admin/outbox").get_data(as_text=True)


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


@pytest.fixture
def dead_broker_app(app, data_app, monkeypatch):
    """The app with a broker that refuses connections (a port where nothing listens): the web
    pages must still answer, and the e-mails wait."""
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI's
    # PostgreSQL leg sets it to the live Redis): without it the dead broker below holds.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    celery_cfg = {
        **app.config["CELERY"],
        "broker_url": "redis://127.0.0.1:5179/0",
        "result_backend": "redis://127.0.0.1:5179/0",
        "task_always_eager": False,
    }
    with another_app(
        {
            "TESTING": True,
            "MKR_UPLOAD_DIR": app.config["MKR_UPLOAD_DIR"],
            "MKR_PASSWORD_HASH": app.config["MKR_PASSWORD_HASH"],
            "CELERY": celery_cfg,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 5178,
        }
    ) as dead:
        yield dead


def test_broker_down_the_step_succeeds_and_the_mail_waits_in_the_outbox(
    dead_broker_app, factory, smtp_server, app
):
    import time

    from mkr_web.models import MailState
    from tests.factories import application_in_review, assignment_of, world

    w = world(factory)
    application = application_in_review(w)
    assignment = assignment_of(application, w.expert1)
    db.session.query(Notification).delete()
    db.session.commit()
    client = dead_broker_app.test_client()
    login(client, w.expert1.email)
    url = f"/expert/reviews/{assignment.id}"
    started = time.monotonic()
    resp = post_form(
        client, f"{url}/conflict", {"conflict-reason": "Работаю у заявителя"}, form_url=url
    )
    assert resp.status_code == 302
    assert time.monotonic() - started < 5  # no long wait for the broker
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Notification.user_id, Notification.kind, Notification.mail_state)
    ).all()
    assert rows == [(w.admin.id, "review.conflict", MailState.QUEUED)]
    # the admin sees it waiting; once a worker is reachable again, resend delivers it
    server = smtp_server("plain")
    admin = app.test_client()
    login(admin, w.admin.email)
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Конфликт интересов: ЗАЯВ-" in html and "Ждёт отправки" in html
    notification_id = db.session.scalar(sa.select(Notification.id))
    post_form(admin, f"/admin/outbox/{notification_id}/resend", {}, form_url="/admin/outbox")
    assert [to for _s, to, _b in server.parsed()] == [w.admin.email]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Notification.mail_state)) is MailState.SENT
    assert "Исходящих нет." in admin.get("/admin/outbox").get_data(as_text=True)


def test_resend_is_refused_for_another_tenants_mail(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    admin = factory.user(tenant, "admin")
    stranger = factory.user(other, "expert")
    [row] = notify(other.id, [stranger.id], "Чужое")
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    resp = post_form(client, f"/admin/outbox/{row.id}/resend", {}, form_url="/admin/outbox")
    assert resp.status_code == 404


def test_preferences_page_saves_a_channel_per_kind(app, factory):
    from mkr_web.models import Channel, NotificationPreference

    tenant = factory.tenant()
    user = factory.user(tenant, "coordinator")
    client = app.test_client()
    login(client, user.email)
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert "Кандидаты переданы на подтверждение" in html and "Учётная запись" not in html
    resp = post_form(
        client,
        "/notifications/settings",
        {"admission.arrived": "digest", "review.conflict": "app", "account": "app"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert sorted(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.channel)
        ).all()
    ) == [("admission.arrived", Channel.DIGEST), ("review.conflict", Channel.APP)]
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="admission.arrived" value="digest" aria-labelledby' in html
