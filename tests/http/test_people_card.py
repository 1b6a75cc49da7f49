"""A person's card: every section, creating and editing with optimistic locking, consents
with scans, achievements, own projects, and who reaches which URL."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    Achievement,
    AchievementLevel,
    AuditEntry,
    Consent,
    Participation,
    ParticipationRole,
    Person,
    PersonMerge,
    PersonProject,
    StoredFile,
)
from tests.factories import (
    achievement,
    card_person,
    consent as add_consent,
    edition as make_edition,
    event,
    make_person,
    resident,
)
from tests.support import csrf_token, login, one_page_pdf, post_form

PDF = one_page_pdf("synthetic consent scan")


def section(html: str, testid: str) -> str:
    part = html.split(f'data-testid="{testid}"', 1)[1]
    ends = [i for i in (part.find("</table>"), part.find("</dl>")) if i >= 0]
    return part[: min(ends)]


def cells(html: str, testid: str) -> list[list[str]]:
    body = section(html, testid)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


@pytest.fixture
def setup(factory):
    return card_person(factory)


def test_card_shows_everything(app, client, factory, setup):
    t, admin, school, p = setup
    edition = make_edition(event(t, "Форум «Новое поколение»"), 2019)
    db.session.add(
        Participation(
            tenant_id=t.id,
            edition_id=edition.id,
            person_id=p.id,
            role=ParticipationRole.WINNER,
            place=1,
            section="Экология",
        )
    )
    achievement(p, "Олимпиада по экологии", date(2019, 4, 1), is_success_story=True)
    db.session.add(
        PersonProject(
            tenant_id=t.id,
            person_id=p.id,
            title="Школьный подкаст",
            role="руководитель",
            support_kind="информационная",
            year=2019,
        )
    )
    add_consent(p, date(2019, 5, 1), giver_name="Карточкина Ольга")
    db.session.commit()
    login(client, admin.email)
    html = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert re.search(r'data-testid="person-name">Карточкина Мария Ивановна<', html)
    assert re.search(r'data-testid="person-status">Резидент \(школьник\)<', html)
    data = section(html, "person-data")
    for text in (
        "03.02.2008",
        "Первый район",
        "Гимназия № 2",
        "9 класс",
        "m@example.ru",
        "+7 900 111-22-33",
        "Карточкина Ольга, +7 900 222-33-44",
        'href="https://vk.com/id42"',
        "20.05.2019",
    ):
        assert text in data, text
    assert cells(html, "status-history") == [
        ["01.10.2018", "Потенциальный резидент", ""],
        ["20.05.2019", "Резидент (школьник)", ""],
    ]
    assert cells(html, "participations") == [
        ["2019", "Форум «Новое поколение»", "Победитель", "1, Экология"]
    ]
    assert cells(html, "achievements")[0][:4] == [
        "01.04.2019",
        "Олимпиада по экологии #ИсторииУспехаМКР",
        "Региональный",
        "победитель",
    ]
    assert cells(html, "projects")[0][:4] == [
        "2019",
        "Школьный подкаст",
        "руководитель",
        "информационная",
    ]
    assert cells(html, "consents") == [
        [
            "01.05.2019",
            "родитель (законный представитель)",
            "Карточкина Ольга",
            "Обработка персональных данных",
            "бессрочно",
            "Дата отзыва\n        \n        Отозвать",
            "бумажный оригинал",
        ]
    ]
    trail = section(html, "audit-trail")
    assert re.findall(r'data-action="([^"]+)"', trail) == ["person.create"]
    # a sentence; the technical record one click away (the admin reads the card)
    assert re.search(r'data-testid="journal-sentence">Система добавила карточку</span>', trail)
    assert "<code>person.create</code>" in trail


def test_card_lists_keep_their_orders(client, factory, setup):
    """Each list of the card in its own order (the card reads them in one SELECT): a
    person's achievements and projects newest first, participations by year (newest first)
    then event title, records merged in oldest first, with the fields taken from them."""
    t, admin, school, p = setup
    forum, camp = event(t, "Форум"), event(t, "Астрономический лагерь")
    for ev, year, place in ((forum, 2018, None), (forum, 2020, 2), (camp, 2020, 3)):
        db.session.add(
            Participation(
                tenant_id=t.id,
                edition_id=make_edition(ev, year).id,
                person_id=p.id,
                role=ParticipationRole.PRIZE_WINNER,
                place=place,
            )
        )
    achievement(p, "Первое", date(2018, 3, 1))
    achievement(p, "Третье", date(2021, 3, 1), level=AchievementLevel.ALL_RUSSIAN)
    achievement(p, "Второе", date(2019, 3, 1), is_success_story=True)
    for title, year in (("Старый", 2017), ("Новый", 2022)):
        db.session.add(
            PersonProject(
                tenant_id=t.id,
                person_id=p.id,
                title=title,
                role="участник",
                support_kind="организационная",
                year=year,
            )
        )
    for merged_id, at, fields in (
        (9002, datetime(2023, 5, 2, 10), []),
        (9001, datetime(2021, 1, 9, 8), ["phone", "email"]),
    ):
        db.session.add(
            PersonMerge(
                tenant_id=t.id, survivor_id=p.id, merged_id=merged_id, fields=fields, merged_at=at
            )
        )
    db.session.commit()
    login(client, admin.email)
    html = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert cells(html, "participations") == [
        ["2020", "Астрономический лагерь", "Призёр", "3"],
        ["2020", "Форум", "Призёр", "2"],
        ["2018", "Форум", "Призёр", ""],
    ]
    assert [row[:3] for row in cells(html, "achievements")] == [
        ["01.03.2021", "Третье", "Всероссийский"],
        ["01.03.2019", "Второе #ИсторииУспехаМКР", "Региональный"],
        ["01.03.2018", "Первое", "Региональный"],
    ]
    assert [row[:2] for row in cells(html, "projects")] == [["2022", "Новый"], ["2017", "Старый"]]
    merges = re.findall(r"<li>(.*?)</li>", html.split('data-testid="merges"')[1].split("</ul>")[0])
    assert merges == [
        "09.01.2021: присоединена запись № 9001; поля из неё: Телефон, Электронная почта",
        "02.05.2023: присоединена запись № 9002; поля из неё: —",
    ]


def test_card_with_nothing_says_so(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Пустов", "Пётр", birth_on=date(2000, 1, 1))
    login(client, admin.email)
    html = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert cells(html, "participations") == [["Участий нет."]]
    assert cells(html, "status-history") == [["Статус не менялся."]]
    assert cells(html, "consents") == [["Согласий нет."]]


def test_create_person(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    school = factory.organization(t, "Второй район", name="Школа № 7")
    login(client, admin.email)
    resp = post_form(
        client,
        "/admin/people/new",
        {
            "surname": " Новикова ",
            "name": "Ёлка",
            "birth_on": "2007-04-05",
            "organization_id": school.id,
            "municipality_id": 0,
            "grade": "8 класс",
            "parent_phone": "+7 (900) 000-00-00",
        },
    )
    assert resp.status_code == 302
    p = db.session.execute(sa.select(Person)).scalar_one()
    assert resp.headers["Location"] == f"/admin/people/{p.id}"
    assert (p.surname, p.name, p.search_name, p.municipality_id, p.status.value) == (
        "Новикова",
        "Ёлка",
        "новикова елка",
        school.municipality_id,
        "none",
    )
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.create")
    ).scalar_one()
    assert (entry.user_id, entry.object_id, entry.details) == (admin.id, p.id, {"source": "form"})
    bad = post_form(
        client,
        "/admin/people/new",
        {"surname": "", "name": "Х", "phone": "abc"},
        form_url="/admin/people/new",
    )
    assert bad.status_code == 200 and "Телефон: цифры" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


def _edit_token_and_version(client, url):
    html = client.get(url).get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', html).group(1)
    return csrf_token(client, url), version


def test_edit_is_audited_by_field_name(client, setup):
    t, admin, school, p = setup
    login(client, admin.email)
    url = f"/admin/people/{p.id}/edit"
    token, version = _edit_token_and_version(client, url)
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "version": version,
            "surname": "Карточкина",
            "name": "Мария",
            "patronymic": "Ивановна",
            "birth_on": "2008-02-03",
            "organization_id": school.id,
            "municipality_id": school.municipality_id,
            "grade": "10 класс",
            "email": "new@example.ru",
            "phone": "+7 900 111-22-33",
            "parent_name": "Карточкина Ольга",
            "parent_phone": "+7 900 222-33-44",
            "social_url": "https://vk.com/id42",
        },
    )
    assert resp.status_code == 302, re.findall(
        r"invalid-feedback[^>]*>([^<]+)", resp.get_data(as_text=True)
    )
    db.session.expire_all()
    p = db.session.get(Person, p.id)
    assert (p.grade, p.email, p.version) == ("10 класс", "new@example.ru", int(version) + 1)
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "person.update")
    ).scalar_one()
    assert entry.details == {"fields": ["email", "grade"]}
    assert "new@example.ru" not in str(entry.details)


def test_concurrent_edit_second_is_told_and_first_is_kept(app, factory, setup):
    t, admin, school, p = setup
    admin2 = factory.user(t, "admin")
    url = f"/admin/people/{p.id}/edit"
    first, second = app.test_client(), app.test_client()
    login(first, admin.email)
    login(second, admin2.email)
    token1, v1 = _edit_token_and_version(first, url)
    token2, v2 = _edit_token_and_version(second, url)
    assert v1 == v2
    base = {
        "surname": "Карточкина",
        "name": "Мария",
        "patronymic": "Ивановна",
        "birth_on": "2008-02-03",
        "organization_id": school.id,
        "municipality_id": school.municipality_id,
    }
    r1 = first.post(url, data=dict(base, csrf_token=token1, version=v1, grade="10 класс"))
    assert r1.status_code == 302
    r2 = second.post(
        url,
        data=dict(base, csrf_token=token2, version=v2, grade="11 класс", email="lost@example.ru"),
    )
    assert r2.status_code == 409
    html = r2.get_data(as_text=True)
    assert "Запись изменилась, пока вы её просматривали" in html
    assert 'data-testid="stale"' in html
    db.session.expire_all()
    p = db.session.get(Person, p.id)
    assert (p.grade, p.email) == ("10 класс", "m@example.ru")
    assert p.version == int(v1) + 1


def test_consent_with_scan_upload_and_download(app, client, factory, setup):
    t, admin, school, p = setup
    login(client, admin.email)
    url = f"/admin/people/{p.id}/consents"
    token = csrf_token(client, f"/admin/people/{p.id}")
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "given_on": "2019-05-10",
            "given_by": "parent",
            "giver_name": "Карточкина Ольга",
            "covers_processing": "y",
            "scan": (io.BytesIO(PDF), "скан.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    consent = db.session.execute(sa.select(Consent)).scalar_one()
    assert (consent.given_by.value, consent.file.content_type, consent.file.kind) == (
        "parent",
        "application/pdf",
        "consent",
    )
    got = client.get(f"/admin/people/{p.id}/consents/{consent.id}/file")
    assert got.status_code == 200 and got.data == PDF
    # a non-scan is refused with a message, nothing stored
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "given_on": "2019-05-10",
            "given_by": "self",
            "covers_processing": "y",
            "scan": (io.BytesIO(b"MZ\x90evil"), "x.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Нужен файл PDF, JPEG или PNG." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 1
    # a coordinator of the municipality downloads it too (audited); of another one: 404
    coord = factory.user(t, "coordinator", municipalities=["Первый район"])
    other = factory.user(t, "coordinator", municipalities=["Второй район"])
    c = app.test_client()
    login(c, coord.email)
    assert c.get(f"/coordinator/people/{p.id}/consents/{consent.id}/file").data == PDF
    c = app.test_client()
    login(c, other.email)
    assert c.get(f"/coordinator/people/{p.id}/consents/{consent.id}/file").status_code == 404
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("person.consent_download") == 2
    assert "person.consent_add" in actions


def test_achievements_and_projects(client, setup):
    t, admin, school, p = setup
    # a success story is published: it needs the consent to publication (test_pdata_consent)
    add_consent(p, date(2019, 4, 1), covers_publication=True)
    db.session.commit()
    login(client, admin.email)
    card = f"/admin/people/{p.id}"
    r = post_form(
        client,
        f"{card}/achievements",
        {
            "title": "Всероссийская олимпиада",
            "level": "all_russian",
            "result": "призёр",
            "achieved_on": "2019-04-20",
            "is_success_story": "y",
        },
        form_url=card,
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#achievements")
    r = post_form(
        client,
        f"{card}/projects",
        {
            "title": "Экотропа",
            "role": "руководитель",
            "support_kind": "организационная",
            "year": "2019",
        },
        form_url=card,
    )
    assert r.status_code == 302
    a = db.session.execute(sa.select(Achievement)).scalar_one()
    pr = db.session.execute(sa.select(PersonProject)).scalar_one()
    assert (a.title, a.level.value, a.result, a.achieved_on, a.is_success_story) == (
        "Всероссийская олимпиада",
        "all_russian",
        "призёр",
        date(2019, 4, 20),
        True,
    )
    assert (pr.title, pr.role, pr.support_kind, pr.year) == (
        "Экотропа",
        "руководитель",
        "организационная",
        2019,
    )
    r = post_form(
        client,
        f"{card}/projects",
        {"title": "", "role": "x", "support_kind": "y", "year": "2019"},
        form_url=card,
    )
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonProject)) == 1
    assert (
        post_form(client, f"{card}/achievements/{a.id}/delete", {}, form_url=card).status_code
        == 302
    )
    assert (
        post_form(client, f"{card}/projects/{pr.id}/delete", {}, form_url=card).status_code == 302
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonProject)) == 0
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "Person", AuditEntry.object_id == p.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "person.create",
        "person.achievement_add",
        "person.project_add",
        "person.achievement_delete",
        "person.person_project_delete",
    ]


ADMIN_ONLY = [
    ("get", "/admin/people"),
    ("get", "/admin/people/new"),
    ("get", "/admin/people/{id}"),
    ("get", "/admin/people/{id}/edit"),
    ("get", "/admin/people/{id}/data.json"),
    ("get", "/admin/people/export.xlsx"),
    ("get", "/admin/people/import"),
    ("get", "/admin/people/import/template.xlsx"),
    ("get", "/admin/people/social"),
    ("post", "/admin/people/{id}/status"),
    ("post", "/admin/people/{id}/anonymize"),
    ("post", "/admin/people/{id}/consents"),
    ("post", "/admin/people/{id}/achievements"),
    ("post", "/admin/people/{id}/projects"),
]
COORDINATOR_ONLY = [
    ("get", "/coordinator/people"),
    ("get", "/coordinator/people/{id}"),
    ("get", "/coordinator/people/export.csv"),
]


@pytest.mark.parametrize("role", ["admin", "coordinator", "organizer", "expert"])
def test_role_matrix(app, factory, role):
    t = factory.tenant()
    p = resident(t, "Матрицын")
    user = factory.user(t, role)
    client = app.test_client()
    dashboard = login(client, user.email).headers["Location"]
    token = csrf_token(client, dashboard)  # any page's token: POSTs reach the role check
    for method, url in ADMIN_ONLY + COORDINATOR_ONLY:
        url = url.format(id=p.id)
        resp = client.get(url) if method == "get" else client.post(url, data={"csrf_token": token})
        owner = "admin" if url.startswith("/admin") else "coordinator"
        if owner != role:
            assert resp.status_code == 403, (role, url)
        elif method == "get":
            assert resp.status_code == 200, (role, url)
        else:  # an empty form is refused with a message and changes nothing
            assert resp.status_code == 302, (role, url, resp.status_code)
    db.session.expire_all()
    assert db.session.get(Person, p.id).version == 1


def test_the_cards_empty_forms_follow_the_language_and_the_day(client, factory, monkeypatch):
    """The add-forms' fields are rendered once and kept (``blank_fields``), per language and
    per day: English after switching, today's date as the consent's default, and each form
    posts with its own tokens."""
    import mkr_web.web.forms as forms

    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = make_person(t, "Пустов", "Пётр", birth_on=date(2000, 1, 1))
    login(client, admin.email)

    class _Day(date):
        @classmethod
        def today(cls):
            return date(2031, 5, 6)

    def given_on(html: str) -> str:
        return re.search(r'<input[^>]*id="given_on"[^>]*>', html).group(0)

    ru = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert 'for="giver_name">ФИО давшего согласие</label>' in ru
    assert f'value="{date.today().isoformat()}"' in given_on(ru)
    assert ru.count('name="form_token"') >= 3
    from mkr_web.admin.people_forms import ConsentForm

    monkeypatch.setattr(forms, "date", _Day)  # the next day, for the kept fields and the form
    monkeypatch.setitem(ConsentForm.given_on.kwargs, "default", _Day.today)
    later = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert 'value="2031-05-06"' in given_on(later)
    page = f"/admin/people/{p.id}"
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, page)})
    en = client.get(f"/admin/people/{p.id}").get_data(as_text=True)
    assert "ФИО давшего согласие" not in en
    assert 'for="giver_name">' in en


def test_the_status_form_follows_the_persons_status_and_the_colleges(client, factory):
    """The status form's fields are kept per status, role, list of colleges, language and
    day (``admin/people.py::status_fields``): a change of status shows the new status's
    actions, a new university is offered at once, and the form posts with its tokens and
    the person's version."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    p = resident(t, "Статусов")
    login(client, admin.email)
    page = f"/admin/people/{p.id}"

    def actions(html: str) -> list[str]:
        select = re.search(r'<select[^>]*id="action"[^>]*>(.*?)</select>', html, re.S).group(1)
        return re.findall(r'<option value="([a-z_]+)"', select)

    def colleges(html: str) -> list[str]:
        select = re.search(r'<select[^>]*id="organization_id"[^>]*>(.*?)</select>', html, re.S)
        return re.findall(r"<option[^>]*>([^<]+)</option>", select.group(1))

    html = client.get(page).get_data(as_text=True)
    assert actions(html) == ["enrol_university", "graduate", "exclude"]
    assert colleges(html) == ["—"]
    university = factory.organization(t, name="Томский университет", kind="university")
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert colleges(html) == ["—", "Томский университет"]
    assert f'name="version" value="{p.version}"' in html
    r = client.post(
        f"/admin/people/{p.id}/status",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
            "version": str(p.version),
            "action": "enrol_university",
            "on": date.today().isoformat(),
            "organization_id": str(university.id),
        },
    )
    assert r.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Статус изменён" in html
    db.session.expire_all()
    assert db.session.get(Person, p.id).status.value == "resident_student"
    assert actions(html) == ["graduate", "exclude"]
    assert f'name="version" value="{db.session.get(Person, p.id).version}"' in html
