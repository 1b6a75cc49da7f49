"""Roles decide in one place: the tables in ``workflows/``.

For every workflow action, the operation that performs it is called as each of the five roles
a user can act in, on an item in the action's source state. A role in the table's row gets
the target state; any other role is refused with a message and changes no row: the test even
commits after the refusal and compares every table before and after. Actions only the system
performs (``complete_review``, ``expire``, ``reopen``) go through the one ``transition``
function every operation uses. The routes that perform the actions declare the same roles as
the rows (``test_routes_and_tables_agree``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from mkr_web.errors import OperationError
from mkr_web.extensions import db
from mkr_web.models import ReviewAssignment, SubjectType
from mkr_web.operations import accreditation as acc, admission as adm, nominations as nom, reviews
from mkr_web.operations.people import change_status
from mkr_web.operations.transitions import transition
from tests.factories import Actor, Side, assignment_of, changed_tables, table_rows
from workflows.admission import ADMISSION
from workflows.engine import SYSTEM, TransitionRefused
from workflows.lifecycle import LIFECYCLE
from workflows.review import ACCREDITATION, ASSIGNMENT, EXPERT_MANAGERS, NOMINATION
from workflows.roles import Role

ACC, NOM = SubjectType.ACCREDITATION, SubjectType.NOMINATION
USER_ROLES = ("admin", "coordinator", "organizer", "expert", "platform-admin")
ROLE_REFUSAL = "недоступно для вашей роли"
MACHINES = {m.name: m for m in (ACCREDITATION, NOMINATION, ASSIGNMENT, ADMISSION, LIFECYCLE)}


@dataclass(frozen=True)
class Case:
    machine: str
    action: str
    source: str
    build: Callable[[Side], object]
    act: Callable[[Side, object, Actor], object]
    state: Callable[[object], str] = lambda item: item.state.value
    refusal: str = ROLE_REFUSAL

    @property
    def id(self) -> str:
        return f"{self.machine}.{self.action}@{self.source}"


def _submitted_with_experts(kind: SubjectType):
    """A submitted item with two experts assigned but the review not started yet."""

    def build(side: Side):
        item = (side.application_in if kind is ACC else side.nomination_in)("submitted")
        for expert in (side.expert, side.expert2):
            db.session.add(
                ReviewAssignment(
                    tenant_id=side.tenant.id,
                    subject_type=kind,
                    subject_id=item.id,
                    expert_id=expert.id,
                    assigned_by_id=side.admin.id,
                )
            )
        db.session.commit()
        return item

    return build


def _assignment(state: str):
    def build(side: Side):
        app = side.application_in("in_review")
        reviews.ensure_rubric(side.tenant.id, ACC)
        db.session.commit()
        a = assignment_of(app, side.expert)
        if state == "submitted":
            _scores(a, side.expert.id, Actor(Role.EXPERT, side.expert, None))
            db.session.commit()
        return a

    return build


def _scores(a: ReviewAssignment, user_id: int, actor: Actor):
    rubric = reviews.ensure_rubric(a.tenant_id, ACC)
    points = {c.id: 5 for c in rubric.criteria if c.is_active}
    return reviews.save_scores(a, points, "", submit=True, role=actor.role, user_id=user_id)


def _system(machine, subject_type, action, **kw):
    """A system-only action, attempted through the one ``transition`` function."""

    def act(side, item, actor):
        return transition(
            machine, item, subject_type, action, role=actor.role, user_id=actor.user.id, **kw
        )

    return act


def _app(state):
    return lambda side: side.application_in(state)


def _nom(state):
    return lambda side: side.nomination_in(state)


def _cand(state):
    return lambda side: side.candidate_in(state)


def _person(status):
    return lambda side: side.person_in(status)


def _fix_row(side: Side) -> dict:
    return {
        "surname": "Соколова",
        "name": "Анна",
        "patronymic": "Игоревна",
        "birth_date": "12.04.2004",
        "organization": side.school1.name,
        "grade": "9 класс",
        "municipality": side.first.name,
        "result": "победитель",
        "place": "1",
        "section": "Экология",
        "parent_contact": "Соколова Ирина Павловна, +7 913 555-01-02",
    }


def _lifecycle(action, source, **kw):
    def act(side, person, actor):
        extra = dict(kw)
        if extra.pop("university", False):
            extra["organization_id"] = side.university.id
        return change_status(
            person, action, on=date.today(), role=actor.role, user_id=actor.user.id, **extra
        )

    return Case("lifecycle", action, source, _person(source), act, lambda p: p.status.value)


CASES = [
    # ---- accreditation (organiser applies, admin decides) ------------------------------------
    *(
        Case(
            "accreditation",
            action,
            source,
            _app(source),
            lambda s, app, a: acc.submit(app, role=a.role, user_id=a.user.id),
        )
        for action, source in (("submit", "draft"), ("resubmit", "returned"))
    ),
    Case(
        "accreditation",
        "start_review",
        "submitted",
        _submitted_with_experts(ACC),
        lambda s, app, a: reviews.start_review(ACC, app, role=a.role, actor_id=a.user.id),
    ),
    Case(
        "accreditation",
        "complete_review",
        "in_review",
        _app("in_review"),
        _system(ACCREDITATION, ACC, "complete_review", data={"all_reviews_in": True}),
    ),
    Case(
        "accreditation",
        "accredit",
        "reviewed",
        _app("reviewed"),
        lambda s, app, a: acc.accredit(app, 2020, 2022, role=a.role, user_id=a.user.id),
    ),
    Case(
        "accreditation",
        "reject",
        "reviewed",
        _app("reviewed"),
        lambda s, app, a: acc.decide(app, "reject", "Не подходит", role=a.role, user_id=a.user.id),
    ),
    *(
        Case(
            "accreditation",
            "return",
            source,
            _app(source),
            lambda s, app, a: acc.decide(
                app, "return", "Исправьте", role=a.role, user_id=a.user.id
            ),
        )
        for source in ("submitted", "in_review", "reviewed")
    ),
    Case(
        "accreditation",
        "expire",
        "accredited",
        _app("accredited"),
        _system(ACCREDITATION, ACC, "expire", comment="Срок истёк"),
    ),
    # ---- nomination (coordinator nominates, admin decides) ------------------------------------
    *(
        Case(
            "nomination",
            action,
            source,
            _nom(source),
            lambda s, n, a: nom.submit(n, a.membership),
            refusal="Выдвигает муниципальный координатор.",
        )
        for action, source in (("submit", "draft"), ("resubmit", "returned"))
    ),
    Case(
        "nomination",
        "start_review",
        "submitted",
        _submitted_with_experts(NOM),
        lambda s, n, a: reviews.start_review(NOM, n, role=a.role, actor_id=a.user.id),
    ),
    Case(
        "nomination",
        "complete_review",
        "in_review",
        _nom("in_review"),
        _system(NOMINATION, NOM, "complete_review", data={"all_reviews_in": True}),
    ),
    Case(
        "nomination",
        "approve",
        "reviewed",
        _nom("reviewed"),
        lambda s, n, a: nom.approve(n, a.membership, "Одобрено"),
    ),
    Case(
        "nomination",
        "reject",
        "reviewed",
        _nom("reviewed"),
        lambda s, n, a: nom.decide(n, a.membership, "reject", "Нет оснований"),
    ),
    *(
        Case(
            "nomination",
            "return",
            source,
            _nom(source),
            lambda s, n, a: nom.decide(n, a.membership, "return", "Исправьте"),
        )
        for source in ("submitted", "in_review", "reviewed")
    ),
    # ---- an expert's assignment ---------------------------------------------------------------
    Case(
        "review_assignment",
        "declare_conflict",
        "assigned",
        _assignment("assigned"),
        lambda s, x, a: reviews.declare_conflict(x, "Родственник", role=a.role, user_id=a.user.id),
    ),
    Case(
        "review_assignment",
        "submit_scores",
        "assigned",
        _assignment("assigned"),
        lambda s, x, a: _scores(x, a.user.id, a),
    ),
    Case(
        "review_assignment",
        "reopen",
        "submitted",
        _assignment("submitted"),
        lambda s, x, a: transition(
            ASSIGNMENT, x, ACC, "reopen", role=a.role, user_id=a.user.id, subject_id=x.subject_id
        ),
    ),
    # ---- admission of winners (per candidate, and the admin's whole-batch decisions) -----------
    Case(
        "admission",
        "confirm",
        "submitted",
        _cand("submitted"),
        lambda s, c, a: adm.confirm_candidate(
            c, a.membership, consent_on=date(2019, 4, 1), on_file=True
        ),
    ),
    Case(
        "admission",
        "return",
        "submitted",
        _cand("submitted"),
        lambda s, c, a: adm.return_candidate(c, a.membership, "Опечатка"),
    ),
    Case(
        "admission",
        "resubmit",
        "needs_fix",
        _cand("needs_fix"),
        lambda s, c, a: adm.fix_candidate(c, _fix_row(s), a.membership),
    ),
    Case(
        "admission",
        "admit",
        "confirmed",
        _cand("confirmed"),
        lambda s, c, a: adm.admit_candidate(c, a.membership, on=date(2019, 5, 1)),
    ),
    Case(
        "admission",
        "admit",
        "confirmed (whole batch)",
        _cand("confirmed"),
        lambda s, c, a: adm.admit_confirmed(c.batch, a.membership, on=date(2019, 5, 1)),
    ),
    Case(
        "admission",
        "reject",
        "confirmed",
        _cand("confirmed"),
        lambda s, c, a: adm.reject_candidate(c, a.membership, "Нет диплома"),
    ),
    Case(
        "admission",
        "reject",
        "confirmed (whole batch)",
        _cand("confirmed"),
        lambda s, c, a: adm.reject_confirmed(c.batch, a.membership, "Нет диплома"),
    ),
    # ---- a person's lifecycle ------------------------------------------------------------------
    _lifecycle("mark_potential", "none"),
    _lifecycle("admit_school", "none"),
    _lifecycle("admit_school", "potential"),
    _lifecycle("admit_student", "none"),
    _lifecycle("admit_student", "potential"),
    _lifecycle("enrol_university", "resident_school", university=True),
    _lifecycle("graduate", "resident_school"),
    _lifecycle("graduate", "resident_student"),
    *(
        _lifecycle("exclude", source, comment="Нарушение правил")
        for source in ("potential", "resident_school", "resident_student", "alumni")
    ),
]


def test_every_action_of_every_table_has_a_case():
    """A row added to a table needs its operation here."""
    covered = {(c.machine, c.action, c.source.split(" ")[0]) for c in CASES}
    rows = {
        (name, t.action, s.value)
        for name, machine in MACHINES.items()
        for t in machine.transitions
        for s in t.sources
    }
    assert rows - covered == set()


def _source(case: Case):
    machine = MACHINES[case.machine]
    return machine.find(machine.states(case.source.split(" ")[0]), case.action)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_only_the_rows_roles_may_act(factory, case):
    side = Side(factory, "roles")
    row = _source(case)
    problems = []
    for role in USER_ROLES:
        item = case.build(side)
        actor = side.actor(role)
        if role in row.roles:
            case.act(side, item, actor)
            db.session.commit()
            if case.state(item) != row.target.value:
                problems.append(f"{role}: allowed, but the item is {case.state(item)}")
            continue
        before = table_rows()
        try:
            case.act(side, item, actor)
        except (TransitionRefused, OperationError) as exc:
            if case.refusal not in str(exc):
                problems.append(f"{role}: refused for another reason: {exc}")
        else:
            problems.append(f"{role}: not in the row {sorted(row.roles)}, but not refused")
        # Commit whatever the refused operation left behind: there must be nothing.
        db.session.commit()
        changed = changed_tables(before, table_rows())
        if changed:
            problems.append(f"{role}: refused, but rows changed: {changed}")
    assert problems == [], f"{case.id}: " + "; ".join(problems)


@pytest.mark.parametrize("step", ["assign", "unassign"])
def test_only_expert_managers_assign_and_unassign(factory, step):
    """Assigning and removing experts is not a row of a table (the item's state does not
    change), so ``workflows.review.EXPERT_MANAGERS`` decides it, beside the tables."""
    assert EXPERT_MANAGERS == frozenset({"admin"})
    side = Side(factory, "managers")
    problems = []
    for role in USER_ROLES:
        app = side.application_in("submitted")
        actor = side.actor(role)
        if step == "unassign":
            reviews.assign_experts(
                ACC, app, [side.expert.id], role=Role.ADMIN, actor_id=side.admin.id
            )
            db.session.commit()

        def act(app=app, actor=actor):
            if step == "assign":
                return reviews.assign_experts(
                    ACC, app, [side.expert.id], role=actor.role, actor_id=actor.user.id
                )
            a = assignment_of(app, side.expert)
            return reviews.unassign(a, role=actor.role, actor_id=actor.user.id)

        if role == "admin":
            act()
            db.session.commit()
            count = len(reviews.assignments_of(ACC, app.id))
            if count != (1 if step == "assign" else 0):
                problems.append(f"admin: {count} assignments after {step}")
            continue
        before = table_rows()
        with pytest.raises(OperationError, match="Экспертов назначает и снимает оператор"):
            act()
        db.session.commit()
        if changed_tables(before, table_rows()):
            problems.append(f"{role}: refused, but rows changed")
    assert problems == []


# ---- the routes that perform each action declare the roles of its row ------------------------

#: endpoint → the (machine, action) rows it performs.
ROUTE_ACTIONS = {
    "organizer.accreditation_submit": [("accreditation", "submit"), ("accreditation", "resubmit")],
    "admin.accreditation_assign": [("accreditation", "start_review")],
    "admin.accreditation_start_review": [("accreditation", "start_review")],
    "admin.accreditation_accredit": [("accreditation", "accredit")],
    "admin.accreditation_decide": [("accreditation", "reject"), ("accreditation", "return")],
    "coordinator.nomination_submit": [("nomination", "submit"), ("nomination", "resubmit")],
    "admin.nomination_assign": [("nomination", "start_review")],
    "admin.nomination_start_review": [("nomination", "start_review")],
    "admin.nomination_approve": [("nomination", "approve")],
    "admin.nomination_decide": [("nomination", "reject"), ("nomination", "return")],
    "expert.review": [("review_assignment", "submit_scores")],
    "expert.review_conflict": [("review_assignment", "declare_conflict")],
    "coordinator.admission_confirm": [("admission", "confirm")],
    "coordinator.admission_return": [("admission", "return")],
    "admin.admission_confirm": [("admission", "confirm")],
    "admin.admission_return": [("admission", "return")],
    "organizer.admission_fix": [("admission", "resubmit")],
    "admin.admission_admit": [("admission", "admit")],
    "admin.admission_admit_all": [("admission", "admit")],
    "admin.admission_reject": [("admission", "reject")],
    "admin.admission_reject_all": [("admission", "reject")],
    "admin.person_status": [
        ("lifecycle", a)
        for a in ("admit_school", "admit_student", "enrol_university", "graduate", "exclude")
    ],
    "admin.people_social_preview": [("lifecycle", "mark_potential")],
    "admin.people_import_preview": [("lifecycle", "admit_school"), ("lifecycle", "admit_student")],
    # the API's routes of the same actions
    "api.confirm": [("admission", "confirm")],
    "api.return_": [("admission", "return")],
    "api.admit": [("admission", "admit")],
    "api.reject": [("admission", "reject")],
}


def test_routes_and_tables_agree(app):
    """Each route admits only roles its rows allow, and together the routes admit every
    user role of every row: a role the table names but no route lets in, or a route that lets
    in a role the table refuses, is a disagreement."""
    from mkr_web.access import policy_of

    reached: dict[tuple[str, str], set[str]] = {}
    problems = []
    for endpoint, performed in ROUTE_ACTIONS.items():
        policy = {str(r) for r in policy_of(app, endpoint)}
        for machine, action in performed:
            allowed = MACHINES[machine].roles_of(action) - {SYSTEM}
            if not policy <= allowed:
                problems.append(f"{endpoint} admits {sorted(policy - allowed)} to {action}")
            reached.setdefault((machine, action), set()).update(policy)
    for name, machine in MACHINES.items():
        for action in sorted({t.action for t in machine.transitions}):
            users = machine.roles_of(action) - {SYSTEM}
            if reached.get((name, action), set()) != users:
                problems.append(
                    f"{name}.{action}: table {sorted(users)}, "
                    f"routes {sorted(reached.get((name, action), set()))}"
                )
    assert problems == []
