"""Notifications: in the app for every role (page + badge), e-mailed after commit when SMTP is
configured, otherwise in the admin's outbox."""

import email
import socketserver
import threading
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Notification
from mkr_web.operations.notifications import notify, notify_admins, suppressed
from tests.factories import admin_and_expert


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: records every message it is given."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        in_data, lines = False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    self.server.messages.append(b"".join(lines))
                    in_data, lines = False, []
                    self.wfile.write(b"250 OK\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line.strip().split(b" ")[0].upper()
            if verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.wfile.write(b"250 OK\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"500 what\r\n")


@pytest.fixture
def smtp(app, data_app, monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(a.config, "MAIL_PORT", server.server_address[1])
    yield server
    server.shutdown()
    server.server_close()


def _parsed(raw: bytes):
    msg = email.message_from_bytes(raw)
    body = msg.get_payload(decode=True).decode().replace("\r\n", "\n")
    return str(make_header(decode_header(msg["Subject"]))), msg["To"], body


@pytest.fixture
def people(factory):
    return admin_and_expert(factory)


def test_with_smtp_mail_is_sent_after_commit(people, smtp):
    tenant, admin, expert = people
    notify_admins(
        tenant.id,
        "Конфликт интересов: ACC-2020-002",
        "Назначьте другого эксперта.",
        "/admin/accreditation/1",
    )
    assert smtp.messages == []  # nothing before the commit
    db.session.commit()
    assert [_parsed(m) for m in smtp.messages] == [
        (
            "Конфликт интересов: ACC-2020-002",
            "admin@example.test",
            "Назначьте другого эксперта.\n\n/admin/accreditation/1\n",
        )
    ]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Notification.emailed_at)) is not None


def test_rolled_back_notifications_are_never_sent(people, smtp):
    tenant, admin, expert = people
    notify(tenant.id, [expert.id], "Не будет отправлено")
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_unreachable_smtp_leaves_the_notification_in_the_outbox(people, app, data_app, monkeypatch):
    tenant, admin, expert = people
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
        closed_port = probe.server_address[1]
    for a in (app, data_app):
        monkeypatch.setitem(a.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(a.config, "MAIL_PORT", closed_port)
    notify(tenant.id, [expert.id], "Сервер недоступен")
    db.session.commit()
    db.session.expire_all()
    assert db.session.execute(sa.select(Notification.subject, Notification.emailed_at)).all() == [
        ("Сервер недоступен", None)
    ]


def test_suppressed_notifications_are_not_created(people):
    tenant, admin, expert = people
    with suppressed():
        assert notify(tenant.id, [expert.id], "тихо") == []
    assert len(notify(tenant.id, [expert.id], "громко")) == 1
