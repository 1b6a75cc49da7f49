"""The person's journal and the audit log read as sentences in the UI language, the verb in
the actor's gender where the patronymic tells it (passive otherwise); the technical record is
one click away for the admin."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, PlatformAuditEntry, User
from mkr_web.operations.audit import record
from tests.factories import make_person
from tests.support import csrf_token, login


def _sentences(html: str) -> list[str]:
    return re.findall(r'data-testid="journal-sentence">([^<]*)</span>', html)


def test_journal_sentences(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    coord = factory.user(tenant, "coordinator")
    anon = factory.user(tenant, "expert")
    db.session.get(User, admin.id).full_name = "Иванова Ирина Ивановна"
    db.session.get(User, coord.id).full_name = "Петров Пётр Петрович"
    db.session.get(User, anon.id).full_name = "Ким Алекс"
    person = make_person(tenant, "Ёлкина", "Алёна")
    for user, role, action, details in [
        (
            admin,
            "admin",
            "lifecycle.admit_school",
            {"from_state": "none", "to_state": "resident_school"},
        ),
        (coord, "coordinator", "person.view", {}),
        (admin, "admin", "person.update", {"fields": ["grade", "phone"]}),
        (anon, "expert", "person.update", {"fields": ["email"]}),
    ]:
        db.session.add(
            AuditEntry(
                tenant_id=tenant.id,
                user_id=user.id,
                role=role,
                action=action,
                object_type="Person",
                object_id=person.id,
                details=details,
            )
        )
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    card = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    trail = card.split('data-testid="audit-trail"', 1)[1]
    assert _sentences(trail) == [
        "Изменены данные карточки (электронная почта): Эксперт Ким А.",
        "Оператор Иванова И. И. изменила данные карточки: класс или курс, телефон",
        "Координатор Петров П. П. открыл карточку",
        "Оператор Иванова И. И. включила в банк как «Резидент (школьник)»",
        "Система добавила карточку",
    ]
    assert "<code>lifecycle.admit_school</code>" in trail  # the technical record, folded
    assert '<details class="small text-muted"><summary>Технические сведения</summary>' in trail
    assert "lifecycle.admit_school" not in "".join(_sentences(trail))

    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Координатор Петров П. П. открыл карточку" in _sentences(log)

    client.post(
        "/language", data={"lang": "en", "csrf_token": csrf_token(client, "/notifications")}
    )
    english = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    english = english.split('data-testid="audit-trail"', 1)[1]
    assert "Coordinator Петров П. П. opened the card" in _sentences(english)
    assert "Operator Иванова И. И. admitted to the bank as “Резидент (школьник)”" in _sentences(
        english
    )


@contextmanager
def _statements():
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def test_the_audit_log_merges_the_members_account_events_by_time(app, factory):
    """The tenant's entries (audit_entry) and its members' account events (platform_audit_entry)
    in one log, newest first across both tables; the filters apply to both; the page costs the
    same number of queries however many rows it shows."""
    tenant, other = factory.tenant(), factory.tenant()
    admin = factory.user(tenant, "admin")
    member = factory.user(tenant, "expert")
    stranger = factory.user(other, "expert")
    record("auth.password.change", user=db.session.get(User, member.id))
    db.session.commit()
    assert db.session.scalars(sa.select(PlatformAuditEntry.action)).all() == [
        "auth.password.change"
    ]
    assert (
        db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.action == "auth.password.change")
        ).all()
        == []
    )
    db.session.execute(sa.delete(PlatformAuditEntry))
    db.session.execute(sa.delete(AuditEntry))

    def at(minute):
        return datetime(2026, 1, 5, 10, minute)

    rows = [
        AuditEntry(tenant_id=tenant.id, user_id=admin.id, at=at(1), action="person.create"),
        PlatformAuditEntry(user_id=member.id, at=at(2), action="auth.login"),
        AuditEntry(tenant_id=tenant.id, user_id=member.id, at=at(3), action="person.view"),
        PlatformAuditEntry(user_id=member.id, at=at(4), action="2fa.enable"),
        PlatformAuditEntry(user_id=stranger.id, at=at(5), action="auth.login"),
        PlatformAuditEntry(user_id=member.id, at=at(6), action="tenant.create"),
        AuditEntry(tenant_id=other.id, user_id=stranger.id, at=at(7), action="person.view"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)

    def actions(query=""):
        page = client.get("/admin/audit" + query).get_data(as_text=True)
        return re.findall(r'<tr data-action="([^"]+)">', page)

    assert actions() == [
        "auth.login",  # the admin's own, now
        "2fa.enable",
        "person.view",
        "auth.login",
        "person.create",
    ]
    assert actions("?action=auth.") == ["auth.login", "auth.login"]
    assert actions("?action=person.") == ["person.view", "person.create"]
    assert actions(f"?user={member.email}") == ["2fa.enable", "person.view", "auth.login"]
    assert actions("?object_type=Person") == []
    assert actions("?page=2") == []
    with _statements() as few:
        client.get("/admin/audit")
    db.session.add_all(
        [PlatformAuditEntry(user_id=member.id, at=at(8), action="auth.login") for _ in range(5)]
        + [
            AuditEntry(tenant_id=tenant.id, user_id=member.id, at=at(9), action="person.view")
            for _ in range(5)
        ]
    )
    db.session.commit()
    with _statements() as more:
        assert actions() == ["auth.login"] + ["person.view"] * 5 + ["auth.login"] * 5 + [
            "2fa.enable",
            "person.view",
            "auth.login",
            "person.create",
        ]
    assert len(more) == len(few)
