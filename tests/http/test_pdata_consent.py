"""Consent as a record with a life (issue 16): purposes, expiry by the tenant's rule,
withdrawal; without a valid consent a person is left out of the federal register's export,
cannot become a success story, is not admitted, and shows on the to-do lists before it ends."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from mkr_web.extensions import db
from mkr_web.models import Achievement, AdmissionCandidate, AuditEntry, Consent
from mkr_web.operations import admission as adm
from mkr_web.operations.consents import withdraw_consent
from tests.factories import World, consent as add_consent, make_person, row
from tests.support import logged_in, login, post_form

TODAY = datetime(2021, 3, 1, 9, 0)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def summary(html: str) -> dict[str, str]:
    part = html.split('data-testid="consent-summary"', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'data-purpose="([a-z]+)"><strong>[^<]+</strong> ([^<]+)</li>', part))


def consent(person, given_on, expires_on=None, withdrawn_on=None, **purposes):
    add_consent(
        person,
        given_on,
        expires_on=expires_on,
        withdrawn_on=withdrawn_on,
        **{f"covers_{k}": v for k, v in purposes.items()},
    )
    db.session.commit()


def test_consent_with_purposes_gets_its_expiry_and_is_withdrawn_on_the_card(client, factory, clock):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Согласова", "Вера", birth_on=date(2005, 3, 4))
    login(client, admin.email)
    card = f"/admin/people/{p.id}"
    resp = post_form(
        client,
        f"{card}/consents",
        {
            "given_on": "2020-01-10",
            "given_by": "parent",
            "giver_name": "Согласова Ольга",
            "covers_processing": "y",
            "covers_transfer": "y",
        },
        form_url=card,
    )
    assert resp.status_code == 302
    c = db.session.execute(sa.select(Consent)).scalar_one()
    # 18 on 04.03.2023, plus the tenant's default 5 years
    assert (c.expires_on, c.covers_processing, c.covers_publication, c.covers_transfer) == (
        date(2028, 3, 4),
        True,
        False,
        True,
    )
    assert summary(client.get(card).get_data(as_text=True)) == {
        "processing": "действует до 04.03.2028",
        "publication": "Нет согласия на публикацию достижений.",
        "transfer": "действует до 04.03.2028",
    }
    resp = post_form(
        client,
        f"{card}/consents/{c.id}/withdraw",
        {"withdrawn_on": "2021-02-15", "note": "заявление родителя"},
        form_url=card,
    )
    assert resp.status_code == 302
    html = client.get(card).get_data(as_text=True)
    assert summary(html) == {
        "processing": "Согласие (обработка персональных данных) отозвано 15.02.2021.",
        "publication": "Нет согласия на публикацию достижений.",
        "transfer": "Согласие (передача в федеральный реестр) отозвано 15.02.2021.",
    }
    assert "отозвано 15.02.2021" in html
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "Person", AuditEntry.object_id == p.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["person.create", "person.consent_add", "person.consent_withdraw"]
    # a second withdrawal is refused; nothing changes
    resp = post_form(
        client, f"{card}/consents/{c.id}/withdraw", {"withdrawn_on": "2021-02-20"}, form_url=card
    )
    db.session.expire_all()
    assert db.session.get(Consent, c.id).withdrawn_on == date(2021, 2, 15)


def test_consent_without_a_purpose_is_refused(client, factory, clock):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Безцелева")
    login(client, admin.email)
    card = f"/admin/people/{p.id}"
    resp = post_form(
        client,
        f"{card}/consents",
        {"given_on": "2020-01-10", "given_by": "self"},
        form_url=card,
    )
    assert resp.status_code == 302
    assert "Отметьте, на что дано согласие." in client.get(card).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_federal_register_export_has_only_persons_with_a_valid_transfer_consent(
    client, factory, clock
):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    ok = make_person(t, "Передаваемая")
    consent(ok, date(2020, 1, 1), date(2025, 1, 1), processing=True, transfer=True)
    no_transfer = make_person(t, "Непередаваемая")
    consent(no_transfer, date(2020, 1, 1), date(2025, 1, 1), processing=True)
    withdrawn = make_person(t, "Отозвавшая")
    consent(withdrawn, date(2020, 1, 1), date(2025, 1, 1), date(2021, 2, 1), transfer=True)
    expired = make_person(t, "Истёкшая")
    consent(expired, date(2015, 1, 1), date(2021, 2, 28), transfer=True)
    make_person(t, "Безсогласная")
    login(client, admin.email)
    text = client.get("/admin/people/export.csv?consent=transfer").data.decode("utf-8-sig")
    assert [line.split(";")[0] for line in text.splitlines()] == ["Фамилия", "Передаваемая"]
    everyone = client.get("/admin/people/export.csv").data.decode("utf-8-sig")
    assert len(everyone.splitlines()) == 6
    registry = client.get("/admin/people?consent=missing").get_data(as_text=True)
    assert "Найдено: 3" in registry  # no valid consent to processing at all


def test_success_story_needs_the_consent_to_publication(client, factory, clock):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Скромная")
    consent(p, date(2020, 1, 1), date(2025, 1, 1), processing=True)
    login(client, admin.email)
    card = f"/admin/people/{p.id}"
    data = {
        "title": "Всероссийская олимпиада",
        "level": "all_russian",
        "result": "призёр",
        "achieved_on": "2020-04-20",
        "is_success_story": "y",
    }
    post_form(client, f"{card}/achievements", data, form_url=card)
    assert "Нет согласия на публикацию достижений." in client.get(card).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0
    consent(p, date(2021, 1, 1), date(2026, 1, 1), publication=True)
    post_form(client, f"{card}/achievements", data, form_url=card)
    a = db.session.execute(sa.select(Achievement)).scalar_one()
    assert (a.title, a.is_success_story) == ("Всероссийская олимпиада", True)


def test_admission_is_refused_with_the_reason_when_the_consent_was_withdrawn(
    client, factory, clock
):
    w = World(factory)
    batch = adm.create_batch(w.edition, [row()], w.organizer)
    db.session.commit()
    candidate = batch.candidates[0]
    adm.confirm_candidate(
        candidate, w.membership(w.coord1), consent_on=date(2021, 2, 1), on_file=True
    )
    db.session.commit()
    person = candidate.person
    c = db.session.get(Consent, candidate.consent_id)
    withdraw_consent(person, c.id, on=date(2021, 2, 20), note=None, user_id=w.admin.id)
    db.session.commit()
    login(client, w.admin.email)
    url = f"/admin/admission/batches/{batch.id}"
    resp = post_form(
        client,
        f"/admin/admission/candidates/{candidate.id}/admit",
        {"version": str(candidate.version), "next": "batch"},
        form_url=url,
    )
    assert resp.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Согласие (обработка персональных данных) отозвано 20.02.2021." in page
    db.session.expire_all()
    assert db.session.get(AdmissionCandidate, candidate.id).state.value == "confirmed"
    assert person.status.value == "none"


def test_admin_and_coordinator_see_consents_ending_within_30_days(app, client, factory, clock):
    w = World(factory, with_events=False)
    for surname, muni, ends in (
        ("Скорая", w.first, date(2021, 3, 20)),
        ("Вторая", w.second, date(2021, 3, 31)),
        ("Поздняя", w.first, date(2021, 6, 1)),
        ("Отозванная", w.first, date(2021, 3, 10)),
    ):
        p = make_person(w.tenant, surname, municipality=muni)
        consent(
            p,
            date(2016, 1, 1),
            ends,
            date(2021, 2, 1) if surname == "Отозванная" else None,
            processing=True,
        )
    login(client, w.admin.email)
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(
        r'data-todo="consents_expiring">\s*<span class="badge[^"]*" data-testid="todo-count">2<'
        r'/span>\s*<a href="/admin/people\?consent=expiring">',
        html,
    )
    assert "Найдено: 2" in client.get("/admin/people?consent=expiring").get_data(as_text=True)
    client = logged_in(app, w.coord1)
    html = client.get("/coordinator/").get_data(as_text=True)
    assert re.search(
        r'data-todo="consents_expiring">\s*<span class="badge[^"]*" data-testid="todo-count">1<'
        r'/span>\s*<a href="/coordinator/people\?consent=expiring">',
        html,
    )
    page = client.get("/coordinator/people?consent=expiring").get_data(as_text=True)
    assert "Найдено: 1" in page and "Скорая" in page and "Вторая" not in page
