"""The expert's review pages: assigned items only, bad points kept, conflicts, regulation download."""

from __future__ import annotations

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    AssignmentState,
    SubjectType,
)
from mkr_web.operations import reviews
from tests.factories import (
    application_in_review as in_review,
    assignment_of,
    score,
)
from tests.support import logged_in, login, notification_subjects, post_form
from workflows.review import ReviewState

ST = SubjectType.ACCREDITATION


def _first_expert(app, w):
    """An application in review, its first expert's assignment, and that expert's client."""
    application_ = in_review(w)
    return application_, assignment_of(application_, w.expert1), logged_in(app, w.expert1)


def _score_form(app_id, assignment, points, action="submit"):
    rubric = reviews.ensure_rubric(assignment.tenant_id, ST)
    db.session.commit()
    data = {f"c-{c.id}": str(p) for c, p in zip(rubric.criteria, points, strict=True)}
    return data | {
        "action": action,
        "comment": "Хорошая заявка",
        "version": str(assignment.version),
    }


def test_expert_sees_only_assigned_items_and_no_other_scores_before_own(app, w, factory):
    application_ = in_review(w)
    other_app = in_review(w, experts=(w.expert2, w.expert3), title="Чужая заявка")
    score(application_, w.expert1, [10, 10, 10, 10, 5])
    c1 = app.test_client()
    login(c1, w.expert2.email)
    listing = c1.get("/expert/reviews").get_data(as_text=True)
    assert application_.number in listing and other_app.number in listing
    c3 = app.test_client()
    login(c3, w.expert3.email)
    mine = assignment_of(application_, w.expert2)
    assert c3.get(f"/expert/reviews/{mine.id}").status_code == 404  # not assigned to expert3
    assert application_.number not in c3.get("/expert/reviews").get_data(as_text=True)

    page = c1.get(f"/expert/reviews/{mine.id}").get_data(as_text=True)
    assert 'data-testid="other-scores"' not in page and "50,00" not in page
    assert "Конференция «Шаг в науку»" in page  # the application itself
    resp = post_form(
        c1, f"/expert/reviews/{mine.id}", _score_form(application_.id, mine, [6, 6, 6, 6, 3])
    )
    assert resp.status_code == 302
    page = c1.get(f"/expert/reviews/{mine.id}").get_data(as_text=True)
    assert 'data-testid="other-scores"' in page
    # weights 1, 1, 1.5, 1, 1: 6+6+9+6+3 = 30; the other expert stays anonymous
    assert '<tr><td>Эксперт 1</td><td class="num">50,00</td></tr>' in page
    assert '<tr><td>Моя оценка</td><td class="num">30,00</td></tr>' in page
    assert "Средний балл: 40,00 из 50,00" in page and w.expert1.full_name not in page
    db.session.expire_all()
    assert db.session.get(AccreditationApplication, application_.id).state is ReviewState.REVIEWED

    outsider = factory.user(factory.tenant(), "expert")
    c4 = app.test_client()
    login(c4, outsider.email)
    assert c4.get(f"/expert/reviews/{mine.id}").status_code == 404


def test_expert_page_refuses_bad_points_and_keeps_them(app, w):
    application_, a, client = _first_expert(app, w)
    resp = post_form(
        client, f"/expert/reviews/{a.id}", _score_form(application_.id, a, [11, 1, 1, 1, 1])
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "балл от 0 до 10" in html and 'value="11"' in html
    db.session.expire_all()
    assert assignment_of(application_, w.expert1).state is AssignmentState.ASSIGNED
    # a stale version (opened before a concurrent change) is refused
    data = _score_form(application_.id, a, [5, 5, 5, 5, 5]) | {"version": "999"}
    html = post_form(
        client, f"/expert/reviews/{a.id}", data, form_url=f"/expert/reviews/{a.id}"
    ).get_data(as_text=True)
    assert "Запись изменилась" in html


def test_expert_declares_conflict_through_the_page(app, w):
    application_, a, client = _first_expert(app, w)
    resp = post_form(
        client,
        f"/expert/reviews/{a.id}/conflict",
        {"conflict-reason": "Научный руководитель участника", "conflict-version": str(a.version)},
        form_url=f"/expert/reviews/{a.id}",
    )
    assert resp.status_code == 302
    db.session.expire_all()
    a = assignment_of(application_, w.expert1)
    assert (a.state, a.conflict_reason) == (
        AssignmentState.CONFLICT,
        "Научный руководитель участника",
    )
    assert (
        notification_subjects(w.admin)[-1]
        == f"Конфликт интересов: {application_.number} · {application_.title}"
    )
    # the regulation is no longer served to a conflicted expert
    file_id = application_.regulation_file_id
    assert client.get(f"/expert/reviews/{a.id}/files/{file_id}").status_code == 404


def test_assigned_expert_downloads_the_regulation(app, w):
    application_, a, client = _first_expert(app, w)
    resp = client.get(f"/expert/reviews/{a.id}/files/{application_.regulation_file_id}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert (
        client.get(
            f"/expert/reviews/{a.id}/files/{application_.regulation_file_id + 1000}"
        ).status_code
        == 404
    )


def test_admin_adds_a_rubric_criterion_and_returns_to_the_rubric(client, w):
    login(client, w.admin.email)
    resp = post_form(
        client,
        "/admin/rubrics/accreditation",
        {"new-title": "Охват муниципалитетов", "new-max_points": "5", "new-weight": "1"},
    )
    assert (resp.status_code, resp.headers["Location"]) == (302, "/admin/rubrics/accreditation")
    rubric = reviews.ensure_rubric(w.tenant.id, SubjectType.ACCREDITATION)
    assert rubric.criteria[-1].title == "Охват муниципалитетов"
