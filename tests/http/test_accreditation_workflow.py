"""Accreditation (DOMAIN 4.1) through HTTP: the organiser drafts and submits with the
regulation PDF, the admin assigns experts, decides (accredit / reject / return), the organiser
revises and resubmits; numbering, history, stale forms, access."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    Event,
    EventKind,
    Notification,
    StoredFile,
    TransitionLog,
)
from mkr_web.operations import accreditation as acc, reviews
from tests.factories import (
    REGULATION_PDF as PDF,
    application,
    application_in_review as in_review,
    application_reviewed as reviewed,
    assignment_of,
    score,
    world,
)
from tests.support import login, post_form, settle_jobs, upload_file
from workflows.review import ReviewState
from workflows.roles import Role

YEAR = date.today().year


def _reload(app_id) -> AccreditationApplication:
    db.session.expire_all()
    return db.session.get(AccreditationApplication, app_id)


def _form(**extra):
    data = {
        "title": "Фестиваль «Медиашкола»",
        "direction": "media",
        "level": "regional",
        "regularity": "ежегодно",
        "audience": "школьники 8–11 классов",
        "expected_participants": "250",
        "selection_method": "Жюри",
        "event_id": "0",
    }
    return data | extra


def _upload(client, url, data, file_bytes, filename="polozhenie.pdf"):
    """The application form with its regulation file (none when ``file_bytes`` is None)."""
    return upload_file(client, url, file_bytes, filename, field="regulation", fields=data)


def test_organizer_drafts_with_regulation_and_submits(app, w):
    client = app.test_client()
    login(client, w.organizer.email)
    munis = [str(m.id) for m in w.tenant.municipalities]
    resp = _upload(client, "/organizer/accreditation/new", _form(municipality_ids=munis), PDF)
    assert resp.status_code == 302
    a = db.session.execute(sa.select(AccreditationApplication)).scalar_one()
    assert resp.headers["Location"] == f"/organizer/accreditation/{a.id}"
    assert (
        a.number,
        a.state,
        a.title,
        a.expected_participants,
        a.organizer_id,
        a.created_by_id,
    ) == (
        f"ЗАЯВ-{YEAR}-001",
        ReviewState.DRAFT,
        "Фестиваль «Медиашкола»",
        250,
        w.org.id,
        w.organizer.id,
    )
    assert sorted(m.id for m in a.municipalities) == sorted(int(m) for m in munis)
    stored = db.session.get(StoredFile, a.regulation_file_id)
    assert (stored.kind, stored.filename, stored.content_type, stored.size) == (
        "regulation",
        "polozhenie.pdf",
        "application/pdf",
        len(PDF),
    )
    assert client.get(f"/organizer/accreditation/{a.id}/regulation").data == PDF

    resp = post_form(
        client,
        f"/organizer/accreditation/{a.id}/submit",
        {"version": str(a.version)},
        form_url=f"/organizer/accreditation/{a.id}",
    )
    assert resp.status_code == 302
    a = _reload(a.id)
    assert a.state is ReviewState.SUBMITTED and a.submitted_at is not None
    assert db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == w.admin.id)
    ).all() == [f"ЗАЯВ-{YEAR}-001: заявка на аккредитацию подана"]
    page = client.get(f"/organizer/accreditation/{a.id}").get_data(as_text=True)
    assert "Подана" in page and "Изменить заявку" not in page  # no edits after submitting


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"GIF89a not a pdf", "x.pdf", "Нужен файл PDF."),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf", "больше 10 МБ"),
    ],
)
def test_regulation_type_and_size_are_checked(app, w, content, filename, message):
    client = app.test_client()
    login(client, w.organizer.email)
    resp = _upload(client, "/organizer/accreditation/new", _form(), content, filename)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccreditationApplication)) == 0


def test_submit_requires_the_regulation(app, w):
    a = application(w, with_regulation=False)
    client = app.test_client()
    login(client, w.organizer.email)
    resp = post_form(
        client,
        f"/organizer/accreditation/{a.id}/submit",
        {"version": str(a.version)},
        form_url=f"/organizer/accreditation/{a.id}",
    )
    assert "Приложите положение о мероприятии (PDF)." in client.get(
        resp.headers["Location"]
    ).get_data(as_text=True)
    assert _reload(a.id).state is ReviewState.DRAFT


def test_admin_assigns_two_experts_through_the_page(app, w):
    a = application(w, submitted=True)
    client = app.test_client()
    login(client, w.admin.email)
    page = client.get(f"/admin/accreditation/{a.id}").get_data(as_text=True)
    select = page[
        page.index('id="expert_ids"') : page.index("</select>", page.index('id="expert_ids"'))
    ]
    options = {(e.id, e.full_name) for e in (w.expert1, w.expert2, w.expert3)}
    assert {
        (int(i), n) for i, n in re.findall(r'<option value="(\d+)">([^<]+)</option>', select)
    } == options
    resp = post_form(
        client,
        f"/admin/accreditation/{a.id}/assign",
        {"expert_ids": [str(w.expert1.id), str(w.expert2.id)]},
        form_url=f"/admin/accreditation/{a.id}",
    )
    assert resp.status_code == 302
    assert _reload(a.id).state is ReviewState.IN_REVIEW
    page = client.get(f"/admin/accreditation/{a.id}").get_data(as_text=True)
    assert "Назначено: 2 · оценили: 0 · конфликт интересов: 0 · нужно не менее 2" in page


def test_admin_sees_mean_spread_and_accredits(app, w):
    a = reviewed(
        w, points1=(10, 10, 10, 10, 5), points2=(4, 4, 4, 4, 2)
    )  # 50 and 20: they disagree
    client = app.test_client()
    login(client, w.admin.email)
    page = client.get(f"/admin/accreditation/{a.id}").get_data(as_text=True)
    assert 'data-testid="mean">35,00<' in page and 'data-testid="spread">30,00<' in page
    assert 'data-testid="disagreement"' in page
    listing = client.get("/admin/accreditation?state=reviewed").get_data(as_text=True)
    assert a.number in listing and "35,00" in listing
    assert a.number not in client.get("/admin/accreditation?state=draft").get_data(as_text=True)

    resp = post_form(
        client,
        f"/admin/accreditation/{a.id}/accredit",
        {
            "accredit-valid_from": "2020",
            "accredit-valid_to": "2019",
            "accredit-comment": "",
            "accredit-version": str(a.version),
        },
        form_url=f"/admin/accreditation/{a.id}",
    )
    assert "Укажите срок действия аккредитации" in client.get(resp.headers["Location"]).get_data(
        as_text=True
    )
    assert _reload(a.id).state is ReviewState.REVIEWED

    resp = post_form(
        client,
        f"/admin/accreditation/{a.id}/accredit",
        {
            "accredit-valid_from": "2020",
            "accredit-valid_to": "2022",
            "accredit-comment": "Рекомендовано",
            "accredit-version": str(_reload(a.id).version),
        },
        form_url=f"/admin/accreditation/{a.id}",
    )
    assert resp.status_code == 302
    a = _reload(a.id)
    assert (a.state, a.valid_from_year, a.valid_to_year, a.decided_by_id) == (
        ReviewState.ACCREDITED,
        2020,
        2022,
        w.admin.id,
    )
    event = db.session.get(Event, a.event_id)
    assert (event.kind, event.title, event.direction, event.organizer_id) == (
        EventKind.ACCREDITED,
        a.title,
        a.direction,
        w.org.id,
    )
    settle_jobs()  # the certificate job (a real worker on CI's PostgreSQL leg)
    db.session.expire_all()
    organiser_notes = db.session.scalars(
        sa.select(Notification.subject)
        .where(Notification.user_id == w.organizer.id)
        .order_by(Notification.id)
    ).all()
    assert organiser_notes == [
        f"{a.number}: мероприятие аккредитовано",
        f"{a.number}: свидетельство об аккредитации готово",  # the certificate job ran
    ]


def test_return_revise_resubmit_and_reject(app, w):
    a = in_review(w)
    admin = app.test_client()
    login(admin, w.admin.email)
    url = f"/admin/accreditation/{a.id}"
    resp = post_form(
        admin,
        f"{url}/decide/return",
        {"return-comment": "", "return-version": str(a.version)},
        form_url=url,
    )
    assert "Укажите, что нужно исправить." in admin.get(resp.headers["Location"]).get_data(
        as_text=True
    )
    post_form(
        admin,
        f"{url}/decide/return",
        {
            "return-comment": "Добавьте критерии отбора",
            "return-version": str(_reload(a.id).version),
        },
        form_url=url,
    )
    assert _reload(a.id).state is ReviewState.RETURNED

    organiser = app.test_client()
    login(organiser, w.organizer.email)
    ourl = f"/organizer/accreditation/{a.id}"
    page = organiser.get(ourl).get_data(as_text=True)
    assert "Добавьте критерии отбора" in page and "Подать повторно" in page
    resp = _upload(
        organiser, ourl, _form(selection_method="Жюри из трёх экспертов, открытый протокол"), None
    )
    assert resp.status_code == 302
    assert _reload(a.id).selection_method == "Жюри из трёх экспертов, открытый протокол"
    post_form(organiser, f"{ourl}/submit", {"version": str(_reload(a.id).version)}, form_url=ourl)
    assert _reload(a.id).state is ReviewState.SUBMITTED

    post_form(
        admin, f"{url}/start-review", {"start-version": str(_reload(a.id).version)}, form_url=url
    )
    assert _reload(a.id).state is ReviewState.IN_REVIEW  # the same two experts review again
    post_form(
        admin,
        f"{url}/decide/return",
        {"return-comment": "Ещё раз", "return-version": str(_reload(a.id).version)},
        form_url=url,
    )
    post_form(organiser, f"{ourl}/submit", {"version": str(_reload(a.id).version)}, form_url=ourl)
    a = _reload(a.id)
    assert a.state is ReviewState.SUBMITTED
    with pytest.raises(OperationError, match="не идёт"):  # experts score only while in review
        reviews.save_scores(
            assignment_of(a, w.expert1), {}, submit=False, role=Role.EXPERT, user_id=w.expert1.id
        )


def test_reject_needs_a_reason_and_is_final(app, w):
    a = reviewed(w)
    client = app.test_client()
    login(client, w.admin.email)
    url = f"/admin/accreditation/{a.id}"
    post_form(
        client,
        f"{url}/decide/reject",
        {"reject-comment": "Не соответствует", "reject-version": str(a.version)},
        form_url=url,
    )
    a = _reload(a.id)
    assert (a.state, a.decided_by_id) == (ReviewState.REJECTED, w.admin.id)
    page = client.get(url).get_data(as_text=True)
    assert "Аккредитовать</button>" not in page and "Отклонить</button>" not in page


def test_stale_form_is_refused_double_submit_is_harmless(app, w):
    a = reviewed(w)
    client = app.test_client()
    login(client, w.admin.email)
    url = f"/admin/accreditation/{a.id}"
    old_version = str(a.version)
    data = {
        "accredit-valid_from": "2020",
        "accredit-valid_to": "2021",
        "accredit-comment": "",
        "accredit-version": old_version,
    }
    post_form(client, f"{url}/accredit", data, form_url=url)
    resp = post_form(client, f"{url}/accredit", data, form_url=url)  # the same form again
    assert "Мероприятие аккредитовано." in client.get(resp.headers["Location"]).get_data(
        as_text=True
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TransitionLog)
            .where(TransitionLog.action == "accredit")
        )
        == 1
    )
    resp = post_form(
        client,
        f"{url}/decide/return",
        {"return-comment": "x", "return-version": old_version},
        form_url=url,
    )
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Запись изменилась, пока вы её просматривали." in page
    assert _reload(a.id).state is ReviewState.ACCREDITED


def test_history_shows_who_did_what_with_comments(app, w):
    a = in_review(w)
    acc.decide(_reload(a.id), "return", "Нужны партнёры", role=Role.ADMIN, user_id=w.admin.id)
    db.session.commit()
    organiser = app.test_client()
    login(organiser, w.organizer.email)
    page = organiser.get(f"/organizer/accreditation/{a.id}").get_data(as_text=True)
    history = page[page.index('data-testid="history"') :]
    assert history.count("<tr>") == 4  # header + submit, start_review, return (no expert steps)
    assert (
        "Нужны партнёры" in history
        and w.admin.full_name in history
        and w.expert1.full_name not in history
    )
    admin = app.test_client()
    login(admin, w.admin.email)
    history = admin.get(f"/admin/accreditation/{a.id}").get_data(as_text=True)
    history = history[history.index('data-testid="history"') :]
    assert f"Эксперт: {w.expert1.full_name}" in history and "Назначен эксперт" in history


def test_access_scope_and_tenants(app, w, factory):
    a = application(w, submitted=True)
    other_org = factory.organization(w.tenant, "Второй район", name="Другая организация")
    other_organizer = factory.user(w.tenant, "organizer", organization=other_org)
    client = app.test_client()
    login(client, other_organizer.email)
    for url in (
        f"/organizer/accreditation/{a.id}",
        f"/organizer/accreditation/{a.id}/regulation",
        f"/organizer/accreditation/{a.id}/certificate",
    ):
        assert client.get(url).status_code == 404, url
    assert a.number not in client.get("/organizer/accreditation").get_data(as_text=True)

    other = world(factory)
    client = app.test_client()
    login(client, other.admin.email)
    for url in (f"/admin/accreditation/{a.id}", f"/admin/accreditation/{a.id}/regulation"):
        assert client.get(url).status_code == 404, url
    resp = post_form(
        client,
        f"/admin/accreditation/{a.id}/assign",
        {"expert_ids": [str(other.expert1.id)]},
        form_url="/admin/accreditation",
    )
    assert resp.status_code == 404

    for role, urls in {
        "expert": ["/admin/accreditation", "/organizer/accreditation"],
        "coordinator": ["/admin/accreditation", "/organizer/accreditation", "/expert/reviews"],
    }.items():
        user = factory.user(w.tenant, role)
        client = app.test_client()
        login(client, user.email)
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)


def test_review_progress_bar_counts_scores_in_of_experts_assigned(app, w):
    """Issue 12, item 1: the admin's application page shows scores in / experts assigned."""
    a = in_review(w)  # two experts
    client = app.test_client()
    login(client, w.admin.email)

    def bar(url):
        html = client.get(url).get_data(as_text=True)
        found = re.search(
            r'role="progressbar"[^>]*aria-valuenow="(\d+)"[^>]*aria-valuemax="(\d+)"', html
        )
        return found and (int(found.group(1)), int(found.group(2)))

    page = f"/admin/accreditation/{a.id}"
    assert bar(page) == (0, 2)
    score(a, w.expert1, [8, 8, 8, 8, 4])
    assert bar(page) == (1, 2)
    score(a, w.expert2, [9, 9, 9, 9, 5])
    assert bar(page) == (2, 2)
