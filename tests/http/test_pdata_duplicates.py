"""Likely duplicates (issue 16): the search on demand lists pairs with a score on the admin's
page, a dismissed pair stays dismissed, the import preview flags a row close to an existing
person of the same school, and the admin merges a pair field by field."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Consent, DuplicatePair, Person, PersonMerge
from mkr_web.queries.duplicates import name_score
from tests.factories import make_person
from tests.http.test_imports import preview_url
from tests.support import login, post_form, upload_file, xlsx_bytes


def pairs_on_page(html: str) -> list[tuple[str, str, str]]:
    body = html.split('data-testid="duplicates"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-pair="\d+">(.*?)</tr>', body, re.S)
    out = []
    for r in rows:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        out.append((cells[0], " ".join(cells[1].split()), " ".join(cells[2].split()), cells[3]))
    return out


def _people(factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    school = factory.organization(t, "Первый район", name="Лицей № 1")
    a = make_person(t, "Иванова", "Мария", "Петровна", date(2006, 4, 5), organization=school)
    b = make_person(t, "Иванова", "Мария", None, date(2006, 4, 5), phone="+7 900 111-11-11")
    c = make_person(t, "Петров", "Иван", "Олегович", None, organization=school)
    d = make_person(t, "Петров", "Иван", "Олегович", date(2004, 1, 1), organization=school)
    make_person(t, "Сидорова", "Анна", None, date(2006, 4, 5))  # same birth, other name
    return t, admin, school, (a, b, c, d)


def test_name_score():
    assert name_score("иванова мария петровна", "иванова мария петровна") == 100
    assert name_score("иванова мария петровна", "мария иванова петровна") == 100
    assert name_score("иванова мария петровна", "иванова мария") == 90
    assert name_score("кузнецова марина", "кузнецова марна") == 97
    assert name_score("иванова мария", "сидорова анна") == 38


def test_search_lists_pairs_with_a_score_and_a_dismissed_pair_stays_dismissed(client, factory):
    t, admin, school, (a, b, c, d) = _people(factory)
    login(client, admin.email)
    resp = post_form(client, "/admin/duplicates/search", {}, form_url="/admin/duplicates")
    assert resp.status_code == 302
    html = client.get("/admin/duplicates").get_data(as_text=True)
    assert "Поиск завершён: пар 2." in html
    assert pairs_on_page(html) == [
        (
            "100",
            f"Петров Иван Олегович № {c.id}",
            f"Петров Иван Олегович, 01.01.2004 № {d.id}",
            "та же школа, похожее ФИО",
        ),
        (
            "90",
            f"Иванова Мария Петровна, 05.04.2006 № {a.id}",
            f"Иванова Мария, 05.04.2006 № {b.id}",
            "та же дата рождения, похожее ФИО",
        ),
    ]
    pair = db.session.execute(
        sa.select(DuplicatePair).where(DuplicatePair.person_a_id == c.id)
    ).scalar_one()
    post_form(client, f"/admin/duplicates/{pair.id}/dismiss", {}, form_url="/admin/duplicates")
    post_form(client, "/admin/duplicates/search", {}, form_url="/admin/duplicates")
    html = client.get("/admin/duplicates").get_data(as_text=True)
    assert [p[0] for p in pairs_on_page(html)] == ["90"]
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("duplicates.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["duplicates.search", "duplicates.dismiss", "duplicates.search"]


def test_import_preview_flags_a_row_close_to_a_person_of_the_same_school(client, factory):
    t, admin, school, (a, b, c, d) = _people(factory)
    login(client, admin.email)
    data = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Отчество", "Дата рождения", "Образовательная организация"],
            ["Петров", "Иван", "Олегрвич", "02.02.2004", "Лицей № 1"],  # a typo, same school
            ["Орлова", "Ольга", None, "03.03.2003", "Лицей № 1"],  # nobody like her
        ]
    )
    url = preview_url(upload_file(client, "/admin/people/import", data, "m.xlsx"))
    html = client.get(url).get_data(as_text=True)
    assert "строк 2, ошибок 0, новых людей 2" in html
    matches = html.split('data-testid="import-matches"')[1].split("</table>")[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", matches))
    # c has no birth date: the same school and a very similar name flag it; d was born on
    # another day, so it is someone else
    assert f'href="/admin/people/{c.id}"' in matches
    assert f'href="/admin/people/{d.id}"' not in matches
    assert "Петров Иван Олегович , — та же школа, похожее ФИО" in text
    assert "Орлова" not in text


def test_admin_merges_a_pair_field_by_field(client, factory):
    t, admin, school, (a, b, c, d) = _people(factory)
    a_id, b_id = a.id, b.id
    db.session.add(
        Consent(tenant_id=t.id, person_id=b_id, given_on=date(2020, 1, 1), given_by="parent")
    )
    db.session.commit()
    login(client, admin.email)
    post_form(client, "/admin/duplicates/search", {}, form_url="/admin/duplicates")
    pair = db.session.execute(
        sa.select(DuplicatePair).where(DuplicatePair.person_a_id == a.id)
    ).scalar_one()
    url = f"/admin/duplicates/{pair.id}/merge"
    page = client.get(url).get_data(as_text=True)
    # an empty value on the first record preselects the second's
    assert re.search(r'name="field-phone" value="b" id="phone-b" checked', page)
    assert re.search(r'name="field-patronymic" value="a" id="patronymic-a" checked', page)
    assert re.search(
        r'data-count="consents"><th scope="row">Согласий</th><td>0</td><td>1</td>', page
    )
    # without JavaScript the server asks first; nothing is merged yet
    resp = post_form(
        client,
        url,
        {"survivor": "a", "field-phone": "b", "version-a": "1", "version-b": "1"},
        confirm=False,
    )
    assert 'data-testid="confirm-question"' in resp.get_data(as_text=True)
    assert db.session.get(Person, b.id) is not None
    resp = post_form(
        client, url, {"survivor": "a", "field-phone": "b", "version-a": "1", "version-b": "1"}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == f"/admin/people/{a.id}#merges"
    db.session.expire_all()
    assert db.session.get(Person, b_id) is None
    survivor = db.session.get(Person, a_id)
    assert (survivor.full_name, survivor.phone) == ("Иванова Мария Петровна", "+7 900 111-11-11")
    merge = db.session.execute(sa.select(PersonMerge)).scalar_one()
    assert (merge.survivor_id, merge.merged_id, merge.fields) == (a_id, b_id, ["phone"])
    card = client.get(f"/admin/people/{a_id}").get_data(as_text=True)
    merges = card.split('data-testid="merges"')[1].split("</ul>")[0]
    assert f"присоединена запись № {b_id}; поля из неё: Телефон" in merges
    # another tenant's pair is 404
    other = factory.tenant()
    x = make_person(other, "Чужая")
    y = make_person(other, "Чужая")
    db.session.add(
        DuplicatePair(tenant_id=other.id, person_a_id=x.id, person_b_id=y.id, score=99, reason="-")
    )
    db.session.commit()
    foreign = db.session.execute(
        sa.select(DuplicatePair.id).where(DuplicatePair.tenant_id == other.id)
    ).scalar_one()
    assert client.get(f"/admin/duplicates/{foreign}/merge").status_code == 404


def test_participants_preview_flags_a_row_close_to_an_existing_person(app, factory):
    from tests.factories import World
    from tests.http.test_participants_upload import HEADER, client_for

    w = World(factory)
    anna = w.person("Соколова", "Анна", "Игоревна", date(2004, 4, 12))
    client = client_for(app, w.organizer)
    base = f"/organizer/editions/{w.satellite_edition.id}/participants"
    rows = [
        ["Соколова", "Ана", "Игоревна", date(2004, 4, 12), "Первый район", None, None, None, None],
        ["Орлова", "Ольга", None, date(2004, 4, 12), "Второй район", None, None, None, None],
    ]
    resp = upload_file(client, f"{base}/upload", xlsx_bytes(rows, HEADER), "участники.xlsx")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    first = html.split('data-row="2"')[1].split("</tr>")[0]
    second = html.split('data-row="3"')[1].split("</tr>")[0]
    assert f"новый, но похож на запись № {anna.id} — проверьте ФИО" in first
    assert 'data-testid="near-match"' not in second


def test_a_merge_the_lifecycle_forbids_is_refused_on_the_page_with_the_reason(client, factory):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    pupil = make_person(
        t, "Школьная", "Зоя", None, date(2004, 2, 2), history=[("admit_school", date(2019, 5, 1))]
    )
    student = make_person(
        t, "Школьная", "Зоя", None, date(2004, 2, 2), history=[("admit_student", date(2022, 9, 1))]
    )
    login(client, admin.email)
    post_form(client, "/admin/duplicates/search", {}, form_url="/admin/duplicates")
    pair = db.session.execute(sa.select(DuplicatePair)).scalar_one()
    url = f"/admin/duplicates/{pair.id}/merge"
    resp = post_form(client, url, {"survivor": "a", "version-a": "1", "version-b": "1"})
    assert resp.status_code == 200
    assert (
        "Объединение невозможно: в общей истории статусов переход 01.09.2022 «Включить в банк "
        "(студент)» из статуса «Резидент (школьник)» недопустим."
    ) in resp.get_data(as_text=True)
    db.session.expire_all()
    assert {p.id for p in db.session.scalars(sa.select(Person))} == {pupil.id, student.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonMerge)) == 0
