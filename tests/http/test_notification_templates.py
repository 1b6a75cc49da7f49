"""Per-tenant notification templates: an unknown placeholder or a forbidden attribute is a form
error (never a 500), preview with a real object, save (used by the next notification), reset."""

from __future__ import annotations

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Notification, NotificationTemplate
from tests.factories import application, world
from tests.support import logged_in as _client, post_form

URL = "/admin/notification-templates/accreditation.submitted"


def _send(client, subject: str, body: str, action: str):
    """The template form of the admin: ``save`` or ``preview`` the subject and body."""
    return post_form(client, URL, {"subject": subject, "body": body, "action": action})


def test_an_unknown_placeholder_is_a_form_error(app, factory):
    w = world(factory)
    client = _client(app, w.admin)
    resp = _send(client, "{{ number }}: {{ child_name }}", "Текст", "save")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Неизвестная подстановка: {{ child_name }}. Доступны: number, organizer, title." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationTemplate)) == 0


def test_syntax_errors_and_unsafe_attributes_are_form_errors(app, factory):
    w = world(factory)
    client = _client(app, w.admin)
    resp = _send(client, "{{ number", "x", "save")
    assert resp.status_code == 400
    assert "Ошибка в шаблоне (строка 1)" in resp.get_data(as_text=True)
    resp = _send(client, "{{ number }}", "{{ number.__class__.__mro__ }}", "preview")
    assert resp.status_code == 400
    assert "Шаблон обращается к недоступным свойствам." in resp.get_data(as_text=True)


def test_preview_uses_the_tenants_latest_real_object(app, factory):
    w = world(factory)
    a = application(w, submitted=True, title="Олимпиада «Юный химик»")
    client = _client(app, w.admin)
    resp = _send(client, "Новая заявка {{ number }}", "«{{ title }}» от {{ organizer }}", "preview")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "На последнем объекте вашего проекта." in html
    assert f"<strong>Новая заявка {a.number}</strong>" in html
    assert f"«Олимпиада „Юный химик“» от {w.org.name}" in html.replace("&#34;", '"')
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationTemplate)) == 0


def test_saved_template_words_the_next_notification_and_reset_restores_it(app, factory):
    w = world(factory)
    other = world(factory)
    client = _client(app, w.admin)
    resp = _send(client, "Новая заявка {{ number }}", "См. кабинет.", "save")
    assert resp.status_code == 302
    a = application(w, submitted=True)
    b = application(other, submitted=True)
    db.session.expire_all()
    subjects = dict(
        db.session.execute(
            sa.select(Notification.user_id, Notification.subject).where(
                Notification.kind == "accreditation.submitted"
            )
        ).all()
    )
    assert subjects == {
        w.admin.id: f"Новая заявка {a.number}",
        other.admin.id: f"{b.number}: заявка на аккредитацию подана",  # other tenant: default
    }
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.action.like("notification_template.%"))
        )
        == "notification_template.save"
    )
    post_form(client, URL + "/reset", {}, form_url=URL)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationTemplate)) == 0
    html = client.get(URL).get_data(as_text=True)
    assert "Сейчас используется текст по умолчанию." in html
    assert 'value="{{ number }}: заявка на аккредитацию подана"' in html


def test_unknown_kind_is_404(app, factory):
    w = world(factory)
    client = _client(app, w.admin)
    assert client.get("/admin/notification-templates/no.such").status_code == 404
    assert client.get("/admin/notification-templates/account").status_code == 404
