"""The person's journal and the audit log read as sentences in the UI language, the verb in
the actor's gender where the patronymic tells it (passive otherwise); the technical record is
one click away for the admin."""

from __future__ import annotations

import re

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, User
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
