"""Nominations (DOMAIN 4.3): the coordinator's drafts, evidence and submission; experts score
them through the one review machinery; the admin decides; approval admits, marks potential or
places the person; a returned nomination is revised and resubmitted. Real HTTP for pages and
access."""

import re
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AuditEntry,
    Job,
    Nomination,
    NominationKind,
    Notification,
    Person,
    PersonStatusChange,
    ReviewAssignment,
    SubjectType,
    TransitionLog,
)
from mkr_web.operations import reviews
from tests.factories import (
    DIPLOMA_PDF as PDF,
    assignment_of,
    nomination_in_review as in_review,
    nomination_reviewed as reviewed,
    nomination_submitted as submitted,
    nomination_world as NominationWorld,
)
from tests.support import (
    csrf_token,
    logged_in as client_for,
    post_form,
    upload_file,
    wait_for_job,
)
from workflows.lifecycle import PersonStatus
from workflows.review import AssignmentState, ReviewState
from workflows.roles import Role

ST = SubjectType.NOMINATION

YEAR = date.today().year


WORLD = NominationWorld  # the ``w`` fixture of tests/conftest.py


def _state(n):
    db.session.expire_all()
    return db.session.get(Nomination, n.id).state


def _alert(html: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'role="alert"[^>]*>(.*?)<', html, re.S)]


def _decide(admin, n, action: str, comment: str = ""):
    """The admin's decision form on the nomination's page: ``approve``, ``return`` or
    ``reject`` with its comment, as the browser posts it."""
    url = f"/admin/nominations/{n.id}"
    path = f"{url}/approve" if action == "approve" else f"{url}/decide/{action}"
    return post_form(
        admin,
        path,
        {f"{action}-comment": comment, f"{action}-version": str(n.version)},
        form_url=url,
    )


def test_coordinator_drafts_attaches_and_submits(app, w):
    coord = client_for(app, w.coord1)
    # the person: a name search within the coordinator's municipalities (POST: no name in the URL)
    other = w.person("Лебедев", "Дмитрий", None, date(2006, 1, 1), municipality=w.second)
    resp = post_form(coord, "/coordinator/nominations/new", {"s-q": "лебедев"})
    found = resp.get_data(as_text=True).split('data-testid="found"')[1]
    assert f"person_id={w.pupil.id}" in found and f"person_id={other.id}" not in found
    assert coord.get(f"/coordinator/nominations/new?person_id={other.id}").status_code == 404
    # the card offers the nomination
    assert f"/coordinator/nominations/new?person_id={w.pupil.id}" in coord.get(
        f"/coordinator/people/{w.pupil.id}"
    ).get_data(as_text=True)

    url = f"/coordinator/nominations/new?person_id={w.pupil.id}"
    assert 'data-testid="nominee">Лебедева Дарья Олеговна<' in coord.get(url).get_data(as_text=True)
    form = {
        "person_id": str(w.pupil.id),
        "kind": "admission",
        "achievement_level": "",
        "opportunity_id": "0",
        "description": "Призёр ВсОШ по физике",
    }
    resp = post_form(coord, url, form)
    assert _alert(resp.get_data(as_text=True)) == ["Укажите уровень достижения."]
    resp = post_form(coord, url, {**form, "achievement_level": "all_russian"})
    n = db.session.execute(sa.select(Nomination)).scalar_one()
    assert resp.headers["Location"] == f"/coordinator/nominations/{n.id}"
    assert (
        n.number,
        n.kind,
        n.state,
        n.person_id,
        n.municipality_id,
        n.achievement_level,
        n.created_by_id,
    ) == (
        f"ВЫДВ-{YEAR}-001",
        NominationKind.ADMISSION,
        ReviewState.DRAFT,
        w.pupil.id,
        w.first.id,
        "all_russian",
        w.coord1.id,
    )

    detail = f"/coordinator/nominations/{n.id}"
    html = post_form(coord, f"{detail}/submit", {"submit-version": str(n.version)}, form_url=detail)
    html = coord.get(detail).get_data(as_text=True)
    assert "Приложите хотя бы один подтверждающий документ (PDF)." in html
    upload_file(coord, f"{detail}/evidence", b"not a pdf", "diploma.pdf", form_url=detail)
    assert "Нужен файл PDF." in coord.get(detail).get_data(as_text=True)
    upload_file(coord, f"{detail}/evidence", PDF, "диплом.pdf", form_url=detail)
    html = coord.get(detail).get_data(as_text=True)
    assert "диплом.pdf" in html.split('data-testid="evidence"')[1].split("</ul>")[0]
    file_id = db.session.get(Nomination, n.id).files[0].id
    assert coord.get(f"{detail}/files/{file_id}").data == PDF
    db.session.expire_all()
    post_form(
        coord,
        f"{detail}/submit",
        {"submit-version": str(db.session.get(Nomination, n.id).version)},
        form_url=detail,
    )
    assert _state(n) is ReviewState.SUBMITTED
    page = coord.get(detail).get_data(as_text=True)
    assert "Выдвижение подано." in page
    # «выдвижение» is neuter: its state and its history agree with it
    assert 'data-testid="state">Подано</span>' in page
    assert "Черновик → Подано" in page
    listing = coord.get("/coordinator/nominations/").get_data(as_text=True)
    assert '<span class="badge bg-info">Подано</span>' in listing
    assert '<option value="approved">Одобрено</option>' in listing
    notes = db.session.execute(sa.select(Notification.user_id, Notification.subject)).all()
    assert sorted(notes) == sorted(
        [
            (w.admin.id, f"ВЫДВ-{YEAR}-001: выдвижение подано"),
            (w.admin2.id, f"ВЫДВ-{YEAR}-001: выдвижение подано"),
        ]
    )
    # a submitted nomination is no longer editable
    resp = post_form(
        coord,
        detail,
        {
            "kind": "admission",
            "achievement_level": "regional",
            "opportunity_id": "0",
            "description": "x",
            "version": "99",
        },
    )
    assert (
        "Выдвижение можно изменить только в черновике или после возврата на доработку."
        in _alert(resp.get_data(as_text=True))
    )
    assert db.session.get(Nomination, n.id).achievement_level == "all_russian"
    # the coordinator's view of the nomination is in the audit log (it shows a person)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "nomination.view", AuditEntry.user_id == w.coord1.id)
        )
        >= 1
    )


def test_experts_score_through_the_review_machinery(app, w):
    n = submitted(w)
    admin = client_for(app, w.admin)
    url = f"/admin/nominations/{n.id}"
    page = admin.get(url).get_data(as_text=True)
    assert 'data-testid="review-counts"' in page
    listed = admin.get("/admin/nominations").get_data(as_text=True)
    assert f'data-nomination="ВЫДВ-{YEAR}-001"' in listed and "Лебедева Дарья Олеговна" in listed
    assert "Уровень достижения (международный, всероссийский, региональный, муниципальный)" in page
    post_form(
        admin, f"{url}/assign", {"expert_ids": [str(w.expert.id), str(w.expert2.id)]}, form_url=url
    )
    assert _state(n) is ReviewState.IN_REVIEW
    # the experts find it in their existing queue, labelled without the person's name
    expert = client_for(app, w.expert)
    queue = expert.get("/expert/reviews").get_data(as_text=True)
    assert (
        f"ВЫДВ-{YEAR}-001 · Включение по индивидуальным достижениям" in queue
        and "Лебедева" not in queue
    )
    a1, a2 = assignment_of(n, w.expert), assignment_of(n, w.expert2)
    review = expert.get(f"/expert/reviews/{a1.id}").get_data(as_text=True)
    assert 'data-testid="nominee">Лебедева Дарья Олеговна, 9 класс<' in review
    assert "Всероссийский" in review and "01.09.2006" not in review  # no birth date for experts
    file_id = db.session.get(Nomination, n.id).files[0].id
    assert expert.get(f"/expert/reviews/{a1.id}/files/{file_id}").data == PDF
    assert expert.get(f"/expert/reviews/{a2.id}").status_code == 404  # not their assignment
    rubric = reviews.ensure_rubric(w.tenant.id, ST)
    criteria = [c for c in rubric.criteria if c.is_active]
    for client, a, pts in (
        (expert, a1, (8, 4, 9, 4)),
        (client_for(app, w.expert2), a2, (9, 5, 8, 5)),
    ):
        form = {f"c-{c.id}": str(p) for c, p in zip(criteria, pts, strict=True)}
        post_form(
            client,
            f"/expert/reviews/{a.id}",
            {**form, "action": "submit", "version": str(a.version), "comment": "ok"},
        )
    assert _state(n) is ReviewState.REVIEWED
    page = admin.get(url).get_data(as_text=True)
    # weights 2, 1, 1, 1: (16+4+9+4 + 18+5+8+5) / 2 = 34.5
    assert 'data-testid="mean">34,50<' in page
    log = db.session.scalars(
        sa.select(TransitionLog.action)
        .where(TransitionLog.subject_type == ST, TransitionLog.subject_id == n.id)
        .order_by(TransitionLog.id)
    ).all()
    assert log == [
        "submit",
        "assign",
        "assign",
        "start_review",
        "submit_scores",
        "submit_scores",
        "complete_review",
    ]


def test_approving_an_admission_admits_and_queues_the_certificate(app, w):
    n = reviewed(w)
    admin = client_for(app, w.admin)
    _decide(admin, n, "approve")
    assert _state(n) is ReviewState.APPROVED
    person = db.session.get(Person, w.pupil.id)
    assert (person.status, person.admission_on, person.admission_basis) == (
        PersonStatus.RESIDENT_SCHOOL,
        date.today(),
        f"Индивидуальные достижения: выдвижение ВЫДВ-{YEAR}-001",
    )
    change = db.session.execute(
        sa.select(PersonStatusChange).where(PersonStatusChange.person_id == person.id)
    ).scalar_one()
    assert (
        change.from_status,
        change.to_status,
        change.action,
        change.changed_on,
        change.user_id,
    ) == (PersonStatus.NONE, PersonStatus.RESIDENT_SCHOOL, "admit_school", date.today(), w.admin.id)
    nom = db.session.get(Nomination, n.id)
    assert (nom.decided_by_id, nom.decided_at is not None) == (w.admin.id, True)
    job = db.session.execute(sa.select(Job)).scalar_one()
    assert (job.kind, job.key) == ("certificate", f"resident:{person.id}")
    assert wait_for_job(job.id).state.value == "done"
    assert (w.coord1.id, f"ВЫДВ-{YEAR}-001: выдвижение одобрено") in db.session.execute(
        sa.select(Notification.user_id, Notification.subject)
    ).all()
    # a second click changes nothing
    _decide(admin, n, "approve")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonStatusChange)) == 1


def test_approval_refused_when_the_person_changed_meanwhile(app, w):
    n = reviewed(w)
    from mkr_web.operations.people import change_status

    change_status(
        db.session.get(Person, w.pupil.id),
        "admit_school",
        on=date.today(),
        role="admin",
        user_id=w.admin.id,
        basis="протокол",
    )
    db.session.commit()
    admin = client_for(app, w.admin)
    url = f"/admin/nominations/{n.id}"
    _decide(admin, n, "approve")
    html = admin.get(url).get_data(as_text=True)
    assert "Включить в банк по достижениям можно того, кто ещё не резидент" in html
    assert _state(n) is ReviewState.REVIEWED  # nothing written


def test_returned_then_revised_and_resubmitted(app, w):
    n = reviewed(w)
    admin = client_for(app, w.admin)
    url = f"/admin/nominations/{n.id}"
    _decide(admin, n, "return")
    assert _state(n) is ReviewState.REVIEWED
    assert "Укажите, что нужно исправить." in admin.get(url).get_data(as_text=True)
    _decide(admin, n, "return", "Приложите диплом победителя")
    assert _state(n) is ReviewState.RETURNED

    coord = client_for(app, w.coord1)
    detail = f"/coordinator/nominations/{n.id}"
    html = coord.get(detail).get_data(as_text=True)
    assert 'data-testid="returned">Возвращено на доработку: Приложите диплом победителя<' in html
    history = html.split('data-testid="history"')[1]
    assert (
        "Оценка отправлена" not in history and "Назначен эксперт" not in history
    )  # blind to the author
    db.session.expire_all()
    version = db.session.get(Nomination, n.id).version
    post_form(
        coord,
        detail,
        {
            "kind": "admission",
            "achievement_level": "international",
            "opportunity_id": "0",
            "description": "Победитель международной олимпиады",
            "version": str(version),
        },
    )
    upload_file(coord, f"{detail}/evidence", PDF, "diploma-2.pdf", form_url=detail)
    db.session.expire_all()
    post_form(
        coord,
        f"{detail}/submit",
        {"submit-version": str(db.session.get(Nomination, n.id).version)},
        form_url=detail,
    )
    db.session.expire_all()
    nom = db.session.get(Nomination, n.id)
    assert (nom.state, nom.achievement_level, len(nom.files)) == (
        ReviewState.SUBMITTED,
        "international",
        2,
    )
    # the next round reopens the experts' assignments
    reviews.start_review(ST, nom, role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    assert [a.state for a in db.session.scalars(sa.select(ReviewAssignment))] == [
        AssignmentState.ASSIGNED
    ] * 2
    assert _state(n) is ReviewState.IN_REVIEW


def test_reject(app, w):
    n = reviewed(w)
    admin = client_for(app, w.admin)
    url = f"/admin/nominations/{n.id}"
    _decide(admin, n, "reject", "Достижение муниципального уровня")
    nom = db.session.get(Nomination, n.id)
    db.session.refresh(nom)
    assert (nom.state, nom.decided_by_id) == (ReviewState.REJECTED, w.admin.id)
    assert db.session.get(Person, w.pupil.id).status is PersonStatus.NONE
    assert 'data-testid="state">Отклонено</span>' in admin.get(url).get_data(as_text=True)


def test_scope_and_roles(app, w, factory):
    n = in_review(w)
    file_id = n.files[0].id
    coord2 = client_for(app, w.coord2)  # another municipality
    for url in (
        f"/coordinator/nominations/{n.id}",
        f"/coordinator/nominations/{n.id}/files/{file_id}",
    ):
        assert coord2.get(url).status_code == 404
    assert "ВЫДВ-" not in coord2.get("/coordinator/nominations/").get_data(as_text=True)
    assert f"ВЫДВ-{YEAR}-001" in client_for(app, w.coord1).get(
        "/coordinator/nominations/"
    ).get_data(as_text=True)
    other = NominationWorld(factory, slug="other")
    other_admin = client_for(app, other.admin)
    for url in (f"/admin/nominations/{n.id}", f"/admin/nominations/{n.id}/files/{file_id}"):
        assert other_admin.get(url).status_code == 404
    token = csrf_token(other_admin, "/admin/")
    assert (
        other_admin.post(
            f"/admin/nominations/{n.id}/approve", data={"csrf_token": token}
        ).status_code
        == 404
    )
    for user in (w.coord1, w.organizer, w.expert):
        assert client_for(app, user).get(f"/admin/nominations/{n.id}").status_code == 403
    for user in (w.admin, w.organizer, w.expert):
        assert client_for(app, user).get(f"/coordinator/nominations/{n.id}").status_code == 403
    # an expert with a conflict sees no evidence any more
    a = assignment_of(n, w.expert)
    reviews.declare_conflict(a, "Мой ученик", role=Role.EXPERT, user_id=w.expert.id)
    db.session.commit()
    assert (
        client_for(app, w.expert).get(f"/expert/reviews/{a.id}/files/{file_id}").status_code == 404
    )
    assert app.test_client().get(f"/admin/nominations/{n.id}").status_code == 302
