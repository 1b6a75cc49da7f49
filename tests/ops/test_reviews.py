"""The generic review machinery over (SubjectType, subject_id): rubrics, assignments,
conflicts, scores, blind review, automatic end of review, the summary."""

import pytest
import sqlalchemy as sa

from mkr_web.errors import OperationError, TransitionRefused
from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    AssignmentState,
    ReviewAssignment,
    Rubric,
    SubjectType,
    TransitionLog,
)
from mkr_web.operations import reviews
from mkr_web.operations.tenancy import grant_role
from mkr_web.queries.reviews import history_rows, review_summary
from tests.factories import (
    application,
    application_in_review as in_review,
    assignment_of,
    score,
)
from tests.support import notification_subjects
from workflows.review import ReviewState
from workflows.roles import Role

ST = SubjectType.ACCREDITATION


def _reload(app) -> AccreditationApplication:
    db.session.expire_all()
    return db.session.get(AccreditationApplication, app.id)


def test_default_rubric_on_first_use(w):
    rubric = reviews.ensure_rubric(w.tenant.id, SubjectType.ACCREDITATION)
    db.session.commit()
    assert [(c.title, c.max_points, c.weight, c.sort_order) for c in rubric.criteria] == [
        ("Соответствие целям и тематическим направлениям программы", 10, 1.0, 1),
        ("Уровень и масштаб мероприятия, охват муниципалитетов", 10, 1.0, 2),
        ("Прозрачность и объективность отбора победителей", 10, 1.5, 3),
        ("Качество положения о мероприятии", 10, 1.0, 4),
        ("Участие организаций-партнёров", 5, 1.0, 5),
    ]
    assert reviews.ensure_rubric(w.tenant.id, SubjectType.ACCREDITATION).id == rubric.id
    nomination = reviews.ensure_rubric(w.tenant.id, SubjectType.NOMINATION)
    db.session.commit()
    assert nomination.id != rubric.id and len(nomination.criteria) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rubric)) == 2


def test_rubric_edits(w):
    rubric = reviews.ensure_rubric(w.tenant.id, ST)
    added = reviews.add_criterion(rubric, "Новизна", 20, 0.5)
    assert (added.sort_order, added.max_points, added.weight) == (6, 20, 0.5)
    reviews.update_criterion(
        rubric.criteria[0], title="Цели", max_points=5, weight=2.0, sort_order=1, is_active=False
    )
    db.session.commit()
    assert (rubric.criteria[0].title, rubric.criteria[0].is_active) == ("Цели", False)
    for bad in (
        dict(title="", max_points=5, weight=1.0),
        dict(title="X", max_points=0, weight=1.0),
        dict(title="X", max_points=5, weight=0),
    ):
        with pytest.raises(OperationError):
            reviews.add_criterion(rubric, **bad)


def test_assignment_starts_review_once_enough_experts(w):
    app = application(w, submitted=True)
    reviews.assign_experts(ST, app, [w.expert1.id], role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    assert _reload(app).state is ReviewState.SUBMITTED  # 1 of 2
    reviews.assign_experts(
        ST, app, [w.expert1.id, w.expert2.id], role=Role.ADMIN, actor_id=w.admin.id
    )  # expert1 kept once
    db.session.commit()
    app = _reload(app)
    assert app.state is ReviewState.IN_REVIEW
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment)) == 2
    assert notification_subjects(w.expert1) == [f"Назначена экспертиза: {app.number} · {app.title}"]
    assert notification_subjects(w.expert2) == [f"Назначена экспертиза: {app.number} · {app.title}"]


def test_min_experts_is_a_tenant_setting(w):
    w.tenant.settings = {"min_experts": 3}
    db.session.commit()
    app = in_review(w)  # two experts: not enough
    assert _reload(app).state is ReviewState.SUBMITTED
    with pytest.raises(TransitionRefused, match="не менее 3 экспертов"):
        reviews.start_review(ST, _reload(app), role=Role.ADMIN, actor_id=w.admin.id)
    db.session.rollback()
    reviews.assign_experts(ST, _reload(app), [w.expert3.id], role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    assert _reload(app).state is ReviewState.IN_REVIEW


def test_only_experts_of_the_tenant_not_of_the_applicant(w, factory):
    app = application(w, submitted=True)
    coordinator = factory.user(w.tenant, "coordinator")
    outsider = factory.user(factory.tenant(), "expert")
    for user in (coordinator, outsider):
        with pytest.raises(OperationError, match="только экспертов этого проекта"):
            reviews.assign_experts(ST, app, [user.id], role=Role.ADMIN, actor_id=w.admin.id)
    grant_role(w.organizer, w.tenant, Role.EXPERT)  # the applicant's organiser is also an expert
    db.session.commit()
    with pytest.raises(OperationError, match="организацию-заявителя"):
        reviews.assign_experts(ST, app, [w.organizer.id], role=Role.ADMIN, actor_id=w.admin.id)
    draft = application(w)
    with pytest.raises(OperationError, match="поданной заявке"):
        reviews.assign_experts(ST, draft, [w.expert1.id], role=Role.ADMIN, actor_id=w.admin.id)


def test_scores_validated_drafts_allowed(w):
    app = in_review(w)
    rubric = reviews.ensure_rubric(w.tenant.id, ST)
    db.session.commit()
    c = [x.id for x in rubric.criteria]
    a = assignment_of(app, w.expert1)
    with pytest.raises(reviews.ScoreError) as exc:
        reviews.save_scores(
            a, {c[0]: 11, c[1]: 5}, submit=True, role=Role.EXPERT, user_id=w.expert1.id
        )
    assert exc.value.errors == {
        c[0]: "«Соответствие целям и тематическим направлениям программы»: балл от 0 до 10",
        c[2]: "«Прозрачность и объективность отбора победителей»: поставьте балл",
        c[3]: "«Качество положения о мероприятии»: поставьте балл",
        c[4]: "«Участие организаций-партнёров»: поставьте балл",
    }
    db.session.rollback()
    reviews.save_scores(
        a, {c[0]: 7}, "черновик", submit=False, role=Role.EXPERT, user_id=w.expert1.id
    )
    db.session.commit()
    a = assignment_of(app, w.expert1)
    assert a.state is AssignmentState.ASSIGNED and [
        (s.criterion_id, s.points) for s in a.scores
    ] == [(c[0], 7)]


def test_review_completes_automatically_and_admin_is_told(w):
    app = in_review(w)
    score(app, w.expert1, [8, 8, 8, 8, 4])
    assert _reload(app).state is ReviewState.IN_REVIEW
    score(app, w.expert2, [9, 9, 9, 9, 5])
    app = _reload(app)
    assert app.state is ReviewState.REVIEWED
    last = db.session.scalars(
        sa.select(TransitionLog)
        .where(TransitionLog.subject_id == app.id)
        .order_by(TransitionLog.id.desc())
    ).first()
    assert (last.action, last.role, last.user_id, last.from_state, last.to_state) == (
        "complete_review",
        "system",
        None,
        "in_review",
        "reviewed",
    )
    assert notification_subjects(w.admin)[-1] == f"Экспертиза завершена: {app.number} · {app.title}"
    with pytest.raises(OperationError, match="нельзя изменить"):
        reviews.save_scores(
            assignment_of(app, w.expert1), {}, submit=False, role=Role.EXPERT, user_id=w.expert1.id
        )


def test_summary_mean_spread_and_disagreement(w):
    app = in_review(w)
    score(app, w.expert1, [8, 8, 8, 8, 4])  # 8+8+12+8+4 = 40
    score(app, w.expert2, [9, 9, 9, 9, 5])  # 9+9+13.5+9+5 = 45.5
    s = review_summary(w.tenant, ST, app.id)
    assert (s.max_total, s.totals, s.mean, s.spread, s.stdev, s.disagree) == (
        50.0,
        [40.0, 45.5],
        42.75,
        5.5,
        2.75,
        False,
    )
    other = in_review(w, title="Другое")
    score(other, w.expert1, [10, 10, 10, 10, 5])  # 50
    score(other, w.expert2, [5, 5, 5, 5, 2])  # 24.5: spread 25.5 > 12.5 (25 % of 50)
    s = review_summary(w.tenant, ST, other.id)
    assert (s.mean, s.spread, s.disagree) == (37.25, 25.5, True)
    w.tenant.settings = {"review_disagreement_pct": 60}
    db.session.commit()
    assert review_summary(w.tenant, ST, other.id).disagree is False


def test_conflict_tells_admin_and_reassignment_finishes_review(w):
    app = in_review(w)
    score(app, w.expert1, [8, 8, 8, 8, 4])
    a2 = assignment_of(app, w.expert2)
    with pytest.raises(TransitionRefused, match="конфликт"):
        reviews.declare_conflict(a2, "  ", role=Role.EXPERT, user_id=w.expert2.id)
    db.session.rollback()
    reviews.declare_conflict(
        assignment_of(app, w.expert2),
        "Я член жюри этого конкурса",
        role=Role.EXPERT,
        user_id=w.expert2.id,
    )
    db.session.commit()
    a2 = assignment_of(app, w.expert2)
    assert (a2.state, a2.conflict_reason) == (
        AssignmentState.CONFLICT,
        "Я член жюри этого конкурса",
    )
    assert notification_subjects(w.admin)[-1] == f"Конфликт интересов: {app.number} · {app.title}"
    assert _reload(app).state is ReviewState.IN_REVIEW  # one active expert is not enough
    with pytest.raises(OperationError, match="нельзя изменить"):
        reviews.save_scores(a2, {}, submit=True, role=Role.EXPERT, user_id=w.expert2.id)
    db.session.rollback()
    reviews.assign_experts(ST, _reload(app), [w.expert3.id], role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    assert notification_subjects(w.expert3) == [f"Назначена экспертиза: {app.number} · {app.title}"]
    score(app, w.expert3, [7, 7, 7, 7, 3])
    assert _reload(app).state is ReviewState.REVIEWED
    s = review_summary(w.tenant, ST, app.id)
    assert (s.n_submitted, s.n_conflict, s.totals) == (2, 1, [40.0, 34.5])


def test_unassign_only_a_pending_expert(w):
    app = in_review(w, experts=(w.expert1, w.expert2, w.expert3))
    score(app, w.expert1, [8, 8, 8, 8, 4])
    with pytest.raises(OperationError, match="ещё не отправил"):
        reviews.unassign(assignment_of(app, w.expert1), role=Role.ADMIN, actor_id=w.admin.id)
    db.session.rollback()
    score(app, w.expert2, [8, 8, 8, 8, 4])
    reviews.unassign(assignment_of(app, w.expert3), role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    # the remaining two have submitted: the review is over
    assert _reload(app).state is ReviewState.REVIEWED


def test_returned_and_resubmitted_application_is_reviewed_again(w):
    from mkr_web.operations import accreditation as acc

    app = in_review(w)
    score(app, w.expert1, [8, 8, 8, 8, 4])
    acc.decide(
        _reload(app), "return", "Уточните критерии отбора", role=Role.ADMIN, user_id=w.admin.id
    )
    acc.submit(_reload(app), role=Role.ORGANIZER, user_id=w.organizer.id)
    reviews.start_review(ST, _reload(app), role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    a1 = assignment_of(app, w.expert1)
    assert (a1.state, a1.submitted_at) == (AssignmentState.ASSIGNED, None)
    assert [s.points for s in a1.scores] == [8, 8, 8, 8, 4]  # kept as the expert's draft
    actions = db.session.scalars(
        sa.select(TransitionLog.action)
        .where(TransitionLog.subject_id == app.id)
        .order_by(TransitionLog.id)
    ).all()
    assert actions == [
        "submit",
        "assign",
        "assign",
        "start_review",
        "submit_scores",
        "return",
        "resubmit",
        "start_review",
        "reopen",
    ]


def test_history_hides_review_steps_from_the_author(w):
    app = in_review(w)
    reviews.declare_conflict(
        assignment_of(app, w.expert2), "Родственник", role=Role.EXPERT, user_id=w.expert2.id
    )
    db.session.commit()
    full = history_rows(ST, app.id, include_review_steps=True)
    assert [(h.action, h.to_state) for h in full] == [
        ("Подать", "Подана"),
        ("Назначен эксперт", "Ожидает оценки"),
        ("Назначен эксперт", "Ожидает оценки"),
        ("Передать на экспертизу", "На экспертизе"),
        ("Заявлен конфликт интересов", "Конфликт интересов"),
    ]
    assert full[-1].comment == "Родственник" and full[-1].who == w.expert2.full_name
    assert (
        full[1].comment == f"Эксперт: {w.expert1.full_name}"
        and full[1].role == "Оператор (администратор)"
    )
    author = history_rows(ST, app.id, include_review_steps=False)
    assert [h.action for h in author] == ["Подать", "Передать на экспертизу"]


# ---- the expert's pages ----------------------------------------------------------------------


def test_two_experts_submitting_at_once_end_the_review(w, data_app):
    """Expert A has submitted but not committed when expert B submits: B waits for A's commit
    (the item's row is locked) and then ends the review."""
    import threading

    application_ = in_review(w)
    rubric = reviews.ensure_rubric(w.tenant.id, ST)
    db.session.commit()
    points = {c.id: 5 for c in rubric.criteria}
    ids = {
        "a": assignment_of(application_, w.expert1).id,
        "b": assignment_of(application_, w.expert2).id,
    }
    a_scored, release_a, errors = threading.Event(), threading.Event(), []

    def expert(key, user_id, before_commit):
        try:
            with data_app.app_context():
                reviews.save_scores(
                    db.session.get(ReviewAssignment, ids[key]),
                    dict(points),
                    submit=True,
                    role=Role.EXPERT,
                    user_id=user_id,
                )
                before_commit()
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            a_scored.set()

    def a_waits():
        a_scored.set()
        release_a.wait(10)

    thread_a = threading.Thread(target=expert, args=("a", w.expert1.id, a_waits))
    thread_a.start()
    assert a_scored.wait(10)
    thread_b = threading.Thread(target=expert, args=("b", w.expert2.id, lambda: None))
    thread_b.start()
    thread_b.join(1.0)  # B is blocked behind A's lock meanwhile
    release_a.set()
    thread_a.join(20)
    thread_b.join(20)
    assert errors == []
    assert _reload(application_).state is ReviewState.REVIEWED
