"""Notification pages: the outbox, every role's notifications page and badge, login needed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AccountNotification, Notification
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


def test_broker_down_an_account_mail_is_stored_and_flushed_later(
    dead_broker_app, factory, smtp_server, app
):
    """An account mail (no tenant) is an account_notification row; a broker that is down does
    not break the page that writes it; the beat's flush hands it to its own task later."""
    import time
    from datetime import timedelta

    from mkr_web.models import AccountNotification, MailState
    from mkr_web.tasks import flush_mail

    user = factory.user(factory.tenant(), "expert")
    client = dead_broker_app.test_client()
    started = time.monotonic()
    resp = post_form(client, "/password/forgot", {"email": user.email})
    assert resp.status_code == 200
    assert time.monotonic() - started < 5  # no long wait for the broker
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    rows = db.session.execute(
        sa.select(
            AccountNotification.user_id,
            AccountNotification.kind,
            AccountNotification.mail_state,
            AccountNotification.mail_attempts,
        )
    ).all()
    assert rows == [(user.id, "account", MailState.QUEUED, 0)]
    row = db.session.scalar(sa.select(AccountNotification))
    row.created_at -= timedelta(minutes=30)  # a worker never took it
    db.session.commit()
    server = smtp_server("plain")
    with app.app_context():
        assert flush_mail.run() == 1
    [(subject, to, body)] = server.parsed()
    assert (subject, to) == ("Восстановление пароля в МКР", user.email)
    assert "http://127.0.0.1:5000/password/reset/" in body
    assert "Настроить уведомления" not in body  # an account mail has no settings footer
    db.session.expire_all()
    assert db.session.execute(
        sa.select(AccountNotification.mail_state, AccountNotification.mail_attempts)
    ).all() == [(MailState.SENT, 1)]


def test_the_reader_sees_account_mails_beside_the_tenants_notifications(app, people):
    """The reader's list merges both tables newest first; the badge counts both; "mark all
    read" reads both."""
    from datetime import datetime

    from mkr_web.models import AccountNotification, MailState

    tenant, admin, expert = people

    def at(minute):
        return datetime(2026, 3, 1, 9, minute)

    db.session.add_all(
        [
            Notification(
                tenant_id=tenant.id, user_id=expert.id, subject="Первое", created_at=at(1)
            ),
            AccountNotification(
                user_id=expert.id,
                kind="account",
                subject="Приглашение",
                mail_state=MailState.SENT,
                created_at=at(2),
            ),
            Notification(
                tenant_id=tenant.id, user_id=expert.id, subject="Третье", created_at=at(3)
            ),
            AccountNotification(
                user_id=admin.id, kind="account", subject="Чужое", created_at=at(4)
            ),
        ]
    )
    db.session.commit()
    client = app.test_client()
    login(client, expert.email)
    html = client.get("/notifications").get_data(as_text=True)
    listed = html.split('data-testid="notifications"', 1)[1].split("</ul>", 1)[0]
    subjects = [s for s in ("Третье", "Приглашение", "Первое", "Чужое") if s in listed]
    assert sorted(subjects, key=listed.index) == ["Третье", "Приглашение", "Первое"]
    assert listed.count("list-group-item-info") == 3  # unread
    from mkr_web.operations.notifications import unread_count

    assert unread_count(expert.id) == 3
    post_form(client, "/notifications/read", {}, form_url="/notifications")
    db.session.expire_all()
    assert unread_count(expert.id) == 0
    assert unread_count(admin.id) == 1


def test_the_badge_is_counted_with_the_session_row_until_a_commit(app, factory):
    """The unread count comes with the user loader's one query (no query of its own); a
    commit in the request forgets it, and the badge asks the database again."""
    from flask import g

    from mkr_web.web.commit import UNREAD_AT_LOAD, commit_or_refuse
    from tests.http.test_people_registry import count_queries

    tenant = factory.tenant()
    user = factory.user(tenant, "expert")
    notify(tenant.id, [user.id], "Первое уведомление")
    notify(tenant.id, [user.id], "Второе уведомление")
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    client.get("/notifications")  # the session's activity noted (a commit) before counting
    with count_queries(app) as statements:
        html = client.get("/notifications").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in html
    counting = [s for s in statements if "FROM notification" in s and "read_at IS NULL" in s]
    assert len(counting) == 1 and "user_session" in counting[0], counting
    # an account mail counts too (the second table of the badge)
    db.session.add(
        AccountNotification(user_id=user.id, kind="password_reset", subject="Сброс пароля")
    )
    db.session.commit()
    assert 'data-testid="unread-count">3<' in client.get("/notifications").get_data(as_text=True)
    with app.test_request_context("/"):
        g.setdefault(UNREAD_AT_LOAD, 7)
        assert commit_or_refuse(lambda: None).ok
        assert g.get(UNREAD_AT_LOAD) is None
