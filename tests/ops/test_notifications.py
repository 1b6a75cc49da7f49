"""Notifications and their e-mail: handed to the Celery task ``mkr.mail.send`` after the commit
(ids only), sent through a real local SMTP server (aiosmtpd) in plain, STARTTLS and SSL modes
with login; failures stay in the outbox; each reader's channel; the daily digest."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from celery.exceptions import Retry

from mkr_web.extensions import db
from mkr_web.models import Channel, MailState, Notification, NotificationPreference
from mkr_web.operations import mail
from mkr_web.operations.notifications import (
    notify,
    notify_admins,
    resend,
    set_preferences,
    suppressed,
)
from mkr_web.tasks import MAIL_RETRIES, send_mail
from tests.factories import admin_and_expert

FOOTER = "\n\n--\nНастроить уведомления: http://127.0.0.1:5000/notifications/settings\n"


@pytest.fixture
def people(factory):
    return admin_and_expert(factory)


def _rows():
    db.session.expire_all()
    return db.session.execute(
        sa.select(
            Notification.subject, Notification.mail_state, Notification.mail_attempts
        ).order_by(Notification.id)
    ).all()


def test_mail_is_sent_after_commit_with_an_absolute_link(people, smtp_server):
    server = smtp_server("plain")
    tenant, admin, expert = people
    notify_admins(
        tenant.id,
        "Конфликт интересов: ЗАЯВ-2020-002",
        "Назначьте другого эксперта.",
        "/admin/accreditation/1",
    )
    assert server.messages == []  # nothing before the commit
    db.session.commit()
    assert server.parsed() == [
        (
            "Конфликт интересов: ЗАЯВ-2020-002",
            "admin@example.test",
            "Назначьте другого эксперта.\n\nhttp://127.0.0.1:5000/admin/accreditation/1" + FOOTER,
        )
    ]
    assert _rows() == [("Конфликт интересов: ЗАЯВ-2020-002", MailState.SENT, 1)]
    assert db.session.scalar(sa.select(Notification.emailed_at)) is not None


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_mail_over_tls_with_login(people, smtp_server, mode):
    server = smtp_server(mode, login=("mkr-relay", "s3cret-relay"))
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Назначена экспертиза: ЗАЯВ-2020-001", "Оцените заявку.")
    db.session.commit()
    assert server.logins == ["mkr-relay"]
    assert [(s, to) for s, to, _ in server.parsed()] == [
        ("Назначена экспертиза: ЗАЯВ-2020-001", expert.email)
    ]
    assert _rows() == [("Назначена экспертиза: ЗАЯВ-2020-001", MailState.SENT, 1)]


def test_a_wrong_password_fails_into_the_outbox_and_resend_sends_it(
    people, smtp_server, app, data_app, monkeypatch
):
    server = smtp_server("starttls", login=("mkr-relay", "s3cret-relay"))
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_PASSWORD", "wrong")
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Не дойдёт с первого раза")
    db.session.commit()  # no exception reaches the caller
    assert server.messages == []
    assert _rows() == [("Не дойдёт с первого раза", MailState.FAILED, 1)]
    assert db.session.scalar(sa.select(Notification.mail_error)) == "SMTPAuthenticationError 535"
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_PASSWORD", "s3cret-relay")
    resend(db.session.scalar(sa.select(Notification)))
    db.session.commit()
    assert [s for s, _to, _b in server.parsed()] == ["Не дойдёт с первого раза"]
    assert _rows() == [("Не дойдёт с первого раза", MailState.SENT, 1)]


def test_an_untrusted_certificate_is_refused_on_starttls(
    people, smtp_server, app, data_app, monkeypatch
):
    server = smtp_server("starttls")
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_CA_FILE", None)  # the test CA is not trusted
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Сертификат не проверен")
    db.session.commit()
    assert server.messages == []
    assert _rows() == [("Сертификат не проверен", MailState.FAILED, 1)]
    assert db.session.scalar(sa.select(Notification.mail_error)) == "SSLCertVerificationError"


def test_unreachable_smtp_leaves_the_notification_in_the_outbox(people, app, data_app, monkeypatch):
    tenant, admin, expert = people
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(a.config, "MAIL_PORT", closed_port)
        # sent here, eagerly, even on CI's PostgreSQL leg (the worker has its own settings)
        monkeypatch.setitem(a.extensions["celery"].conf, "task_always_eager", True)
    notify(tenant.id, [expert.id], "Сервер недоступен")
    db.session.commit()
    assert _rows() == [("Сервер недоступен", MailState.FAILED, 1)]
    assert db.session.scalar(sa.select(Notification.mail_error)) == "ConnectionRefusedError"


def test_without_smtp_nothing_is_tried_and_the_mail_waits(people):
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Почта не настроена")
    db.session.commit()
    assert _rows() == [("Почта не настроена", MailState.QUEUED, 0)]


def test_a_worker_retries_with_backoff_then_gives_up(people, smtp_server, monkeypatch):
    server = smtp_server("plain", fail_rcpt=True)
    tenant, admin, expert = people
    row = Notification(tenant_id=tenant.id, user_id=expert.id, subject="Повтор", body="")
    row.mail_state = MailState.QUEUED
    db.session.add(row)
    db.session.flush()
    db.session.info.pop("mkr_pending_mail", None)  # not handed over: the test runs the task
    db.session.commit()
    retried = []

    def retry(exc=None, countdown=None, **kw):  # Celery's re-queue, recorded instead of sent
        retried.append((str(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(send_mail, "retry", retry)
    for n in range(MAIL_RETRIES + 1):  # as a worker runs it: tries 1..6
        send_mail.push_request(id=f"try-{n}", retries=n, is_eager=False, called_directly=False)
        try:
            if n < MAIL_RETRIES:
                with pytest.raises(Retry):
                    send_mail.run(row.id)
                assert _rows() == [("Повтор", MailState.QUEUED, n + 1)]
            else:
                assert send_mail.run(row.id) == "failed"
        finally:
            send_mail.pop_request()
    assert len(retried) == MAIL_RETRIES
    for (_exc, countdown), base in zip(retried, [30, 60, 120, 240, 480], strict=True):
        assert base <= countdown <= base + 10  # doubling backoff, up to 10 s of jitter
    assert {e for e, _c in retried} == {"SMTPRecipientsRefused"}
    assert _rows() == [("Повтор", MailState.FAILED, MAIL_RETRIES + 1)]  # in the outbox
    assert db.session.scalar(sa.select(Notification.mail_error)) == "SMTPRecipientsRefused"
    assert server.messages == []


def test_rolled_back_notifications_are_never_sent(people, smtp_server):
    server = smtp_server("plain")
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Не будет отправлено")
    db.session.rollback()
    db.session.commit()
    assert server.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_suppressed_notifications_are_not_created(people):
    tenant, admin, expert = people
    with suppressed():
        assert notify(tenant.id, [expert.id], "тихо") == []
    assert len(notify(tenant.id, [expert.id], "громко")) == 1


def test_each_reader_chooses_app_only_at_once_or_digest(people, smtp_server, factory):
    server = smtp_server("plain")
    tenant, admin, expert = people
    other = factory.user(tenant, "expert", email="third@example.test")
    set_preferences(admin.id, {"review.conflict": Channel.APP})
    set_preferences(expert.id, {"review.conflict": Channel.DIGEST})
    db.session.commit()
    for n in (1, 2):
        notify(
            tenant.id,
            [admin.id, expert.id, other.id],
            f"Конфликт {n}",
            "Текст",
            "/admin/accreditation/1",
            kind="review.conflict",
        )
    db.session.commit()
    assert [(s, to) for s, to, _ in server.parsed()] == [
        ("Конфликт 1", "third@example.test"),
        ("Конфликт 2", "third@example.test"),
    ]
    states = db.session.execute(
        sa.select(Notification.user_id, Notification.mail_state).order_by(Notification.id)
    ).all()
    assert states == [
        (admin.id, MailState.NONE),
        (expert.id, MailState.DIGEST),
        (other.id, MailState.SENT),
        (admin.id, MailState.NONE),
        (expert.id, MailState.DIGEST),
        (other.id, MailState.SENT),
    ]
    server.messages.clear()
    assert mail.send_digests() == {"users": 1, "notifications": 2, "failed": 0}
    [(subject, to, body)] = server.parsed()
    assert (subject, to) == ("МКР: ежедневная сводка уведомлений (2)", expert.email)
    assert body == (
        "Уведомлений за сутки: 2.\n\n"
        "— Конфликт 1\n  Текст\n  http://127.0.0.1:5000/admin/accreditation/1\n"
        "— Конфликт 2\n  Текст\n  http://127.0.0.1:5000/admin/accreditation/1" + FOOTER
    )
    assert mail.send_digests() == {"users": 0, "notifications": 0, "failed": 0}  # once


def test_preferences_refuse_unknown_kinds_and_store_only_changes(people):
    from mkr_web.errors import OperationError

    tenant, admin, expert = people
    with pytest.raises(OperationError):
        set_preferences(admin.id, {"account": Channel.APP})  # account mails are not optional
    assert set_preferences(admin.id, {"review.conflict": Channel.EMAIL}) == 0  # the default
    assert set_preferences(admin.id, {"review.conflict": Channel.DIGEST}) == 1
    db.session.commit()
    assert db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel)
    ).all() == [("review.conflict", Channel.DIGEST)]


def test_flush_hands_over_only_stale_untried_queued_rows(people):
    from datetime import timedelta

    from mkr_web.models.base import utcnow

    tenant, admin, expert = people
    now = utcnow()
    ages = {"свежее": 1, "зависшее": 30, "старое": 60 * 24 * 3}
    for subject, minutes in ages.items():
        db.session.add(
            Notification(
                tenant_id=tenant.id,
                user_id=expert.id,
                subject=subject,
                mail_state=MailState.QUEUED,
                created_at=now - timedelta(minutes=minutes),
            )
        )
    db.session.commit()
    stale = db.session.scalar(sa.select(Notification.id).where(Notification.subject == "зависшее"))
    assert mail.queued_to_flush(now) == [stale]
