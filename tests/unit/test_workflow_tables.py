"""Every workflow machine against an explicit table written here, cell by cell.

Each expected table lists ``(from, action, to, roles, guard)`` in plain strings, independent of
the code under test. The tests walk every state × every action × every role (and SYSTEM) of a
machine and compare what the engine does with what the table here says: allowed (and to which
state), refused for the role, or refused for the state. A guarded row must refuse without its
data and name the reason; an unguarded row must pass without any. So changing any row of a
table in ``workflows/`` (a source, a target, a role, a guard, a new action or state) turns
``test_machine_matches_expected_table[<machine>]`` red, with every differing cell listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from workflows.admission import ADMISSION
from workflows.engine import Action, Machine, TransitionRefused, apply
from workflows.lifecycle import LIFECYCLE
from workflows.review import ACCREDITATION, ASSIGNMENT, NOMINATION

ADMIN, COORD, ORG, EXPERT, PLATFORM, SYSTEM = (
    "admin",
    "coordinator",
    "organizer",
    "expert",
    "platform-admin",
    "system",
)
ALL_ROLES = (ADMIN, COORD, ORG, EXPERT, PLATFORM, SYSTEM)

ROLE_REFUSAL = "недоступно для вашей роли"
STATE_REFUSAL = "невозможно в состоянии"

# Guard reasons, as the user reads them.
EXPERTS_NEEDED = "Назначьте не менее 2 экспертов."
REVIEWS_MISSING = "Не все эксперты завершили оценку."
VALIDITY_MISSING = "Укажите срок действия аккредитации (годы с… по…)."
REJECT_REASON = "Укажите причину отказа."
RETURN_REASON = "Укажите, что нужно исправить."
EXCLUDE_REASON = "Укажите причину исключения."
CONFLICT_REASON = "Опишите конфликт интересов."

#: Data and comment that satisfy every guard.
SATISFYING = {
    "comment": "причина",
    "data": {
        "experts_assigned": 2,
        "min_experts": 2,
        "all_reviews_in": True,
        "valid_from": 2020,
        "valid_to": 2022,
    },
}
#: What an action carries when the actor gives nothing (two experts are still required).
BARE = {"comment": "", "data": {"experts_assigned": 0, "min_experts": 2}}


@dataclass(frozen=True)
class Expected:
    name: str
    states: tuple[str, ...]
    # (from, action, to, roles, guard reason or None)
    rows: tuple[tuple[str, str, str, frozenset[str], str | None], ...]

    @property
    def actions(self) -> list[str]:
        return sorted({r[1] for r in self.rows})


def rows(*spec):
    return tuple((f, a, t, frozenset(roles), g) for f, a, t, roles, g in spec)


REVIEW_STATES = (
    "draft",
    "submitted",
    "in_review",
    "reviewed",
    "returned",
    "accredited",
    "approved",
    "rejected",
    "expired",
)

EXPECTED = {
    "accreditation": Expected(
        "accreditation",
        REVIEW_STATES,
        rows(
            ("draft", "submit", "submitted", {ORG}, None),
            ("returned", "resubmit", "submitted", {ORG}, None),
            ("submitted", "start_review", "in_review", {ADMIN}, EXPERTS_NEEDED),
            ("in_review", "complete_review", "reviewed", {SYSTEM}, REVIEWS_MISSING),
            ("reviewed", "accredit", "accredited", {ADMIN}, VALIDITY_MISSING),
            ("reviewed", "reject", "rejected", {ADMIN}, REJECT_REASON),
            ("submitted", "return", "returned", {ADMIN}, RETURN_REASON),
            ("in_review", "return", "returned", {ADMIN}, RETURN_REASON),
            ("reviewed", "return", "returned", {ADMIN}, RETURN_REASON),
            ("accredited", "expire", "expired", {SYSTEM}, None),
        ),
    ),
    "nomination": Expected(
        "nomination",
        REVIEW_STATES,
        rows(
            ("draft", "submit", "submitted", {COORD}, None),
            ("returned", "resubmit", "submitted", {COORD}, None),
            ("submitted", "start_review", "in_review", {ADMIN}, EXPERTS_NEEDED),
            ("in_review", "complete_review", "reviewed", {SYSTEM}, REVIEWS_MISSING),
            ("reviewed", "approve", "approved", {ADMIN}, None),
            ("reviewed", "reject", "rejected", {ADMIN}, REJECT_REASON),
            ("submitted", "return", "returned", {ADMIN}, RETURN_REASON),
            ("in_review", "return", "returned", {ADMIN}, RETURN_REASON),
            ("reviewed", "return", "returned", {ADMIN}, RETURN_REASON),
        ),
    ),
    "review_assignment": Expected(
        "review_assignment",
        ("assigned", "conflict", "submitted"),
        rows(
            ("assigned", "declare_conflict", "conflict", {EXPERT}, CONFLICT_REASON),
            ("assigned", "submit_scores", "submitted", {EXPERT}, None),
            ("submitted", "reopen", "assigned", {SYSTEM}, None),
        ),
    ),
    "admission": Expected(
        "admission",
        ("submitted", "needs_fix", "confirmed", "admitted", "rejected"),
        rows(
            ("submitted", "confirm", "confirmed", {COORD, ADMIN}, None),
            ("submitted", "return", "needs_fix", {COORD, ADMIN}, RETURN_REASON),
            ("needs_fix", "resubmit", "submitted", {ORG}, None),
            ("confirmed", "admit", "admitted", {ADMIN}, None),
            ("confirmed", "reject", "rejected", {ADMIN}, REJECT_REASON),
        ),
    ),
    "lifecycle": Expected(
        "lifecycle",
        ("none", "potential", "resident_school", "resident_student", "alumni", "excluded"),
        rows(
            ("none", "mark_potential", "potential", {ADMIN, SYSTEM}, None),
            ("none", "admit_school", "resident_school", {ADMIN, SYSTEM}, None),
            ("potential", "admit_school", "resident_school", {ADMIN, SYSTEM}, None),
            ("none", "admit_student", "resident_student", {ADMIN, SYSTEM}, None),
            ("potential", "admit_student", "resident_student", {ADMIN, SYSTEM}, None),
            ("resident_school", "enrol_university", "resident_student", {ADMIN, SYSTEM}, None),
            ("resident_school", "graduate", "alumni", {ADMIN, SYSTEM}, None),
            ("resident_student", "graduate", "alumni", {ADMIN, SYSTEM}, None),
            ("potential", "exclude", "excluded", {ADMIN, SYSTEM}, EXCLUDE_REASON),
            ("resident_school", "exclude", "excluded", {ADMIN, SYSTEM}, EXCLUDE_REASON),
            ("resident_student", "exclude", "excluded", {ADMIN, SYSTEM}, EXCLUDE_REASON),
            ("alumni", "exclude", "excluded", {ADMIN, SYSTEM}, EXCLUDE_REASON),
        ),
    ),
}

MACHINES: dict[str, Machine] = {
    m.name: m for m in (ACCREDITATION, NOMINATION, ASSIGNMENT, ADMISSION, LIFECYCLE)
}


@dataclass
class Item:
    state: object


def _attempt(machine: Machine, state: str, action: str, role: str, given: dict):
    """``("ok", target)`` or ``("refused", message)``; the item must not move on a refusal."""
    item = Item(machine.states(state))
    act = Action(action, role, actor_id=7, comment=given["comment"], data=given["data"])
    try:
        record = apply(machine, item, act, now=datetime(2020, 1, 1))
    except TransitionRefused as exc:
        assert item.state.value == state, f"{action} refused but moved the item"
        return "refused", str(exc)
    assert (record.from_state, record.to_state, record.role, record.actor_id) == (
        state,
        item.state.value,
        role,
        7,
    )
    return "ok", item.state.value


def _expected_refusal(expected: Expected, state: str, action: str, role: str) -> str:
    """Which refusal the actor hears, from the table written here: a role that may do the
    action from no state hears about its role; else, from a state with no such row, about the
    state; else (the row exists, another role) about its role."""
    roles_anywhere = {r for row in expected.rows if row[1] == action for r in row[3]}
    if role not in roles_anywhere:
        return ROLE_REFUSAL
    if not any(row[0] == state and row[1] == action for row in expected.rows):
        return STATE_REFUSAL
    return ROLE_REFUSAL


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_machine_matches_expected_table(name):
    machine, expected = MACHINES[name], EXPECTED[name]
    assert [s.value for s in machine.states] == list(expected.states), "states differ"
    machine_actions = sorted({t.action for t in machine.transitions})
    assert machine_actions == expected.actions, "actions differ"
    cells = {(f, a): (t, roles, g) for f, a, t, roles, g in expected.rows}
    wrong = []
    for state in expected.states:
        for action in expected.actions:
            for role in ALL_ROLES:
                cell = f"{state} × {action} × {role}"
                got_ok = _attempt(machine, state, action, role, SATISFYING)
                row = cells.get((state, action))
                if row is not None and role in row[1]:
                    target, _roles, guard = row
                    if got_ok != ("ok", target):
                        wrong.append(f"{cell}: expected → {target}, got {got_ok}")
                        continue
                    bare = _attempt(machine, state, action, role, BARE)
                    want = ("ok", target) if guard is None else ("refused", guard)
                    if bare != want:
                        wrong.append(f"{cell} without guard data: expected {want}, got {bare}")
                else:
                    refusal = _expected_refusal(expected, state, action, role)
                    if got_ok[0] != "refused" or refusal not in got_ok[1]:
                        wrong.append(f"{cell}: expected refusal «{refusal}», got {got_ok}")
    assert wrong == [], f"{name}: {len(wrong)} cells differ from the table:\n" + "\n".join(wrong)


def test_expected_tables_cover_every_machine():
    """A new machine in ``workflows/`` needs its expected table here."""
    import workflows.admission
    import workflows.lifecycle
    import workflows.review

    found = {
        value.name
        for module in (workflows.admission, workflows.lifecycle, workflows.review)
        for value in vars(module).values()
        if isinstance(value, Machine)
    }
    assert found == set(EXPECTED)


def test_refusal_messages_name_the_action_and_state():
    """The exact words a refused user reads."""
    assert _attempt(LIFECYCLE, "alumni", "admit_school", ADMIN, SATISFYING) == (
        "refused",
        "Действие «Включить в банк (школьник)» невозможно в состоянии «Партнёр (бывший резидент)».",
    )
    assert _attempt(ACCREDITATION, "reviewed", "accredit", ORG, SATISFYING) == (
        "refused",
        "Действие «Аккредитовать» недоступно для вашей роли.",
    )
    # a role that may never admit hears about its role even where admitting is impossible
    assert _attempt(ADMISSION, "admitted", "admit", COORD, SATISFYING) == (
        "refused",
        "Действие «Включить в банк» недоступно для вашей роли.",
    )


def test_available_actions_per_role():
    assert LIFECYCLE.available(LIFECYCLE.states("resident_school"), ADMIN) == [
        "enrol_university",
        "graduate",
        "exclude",
    ]
    assert LIFECYCLE.available(LIFECYCLE.states("none"), COORD) == []
    assert ACCREDITATION.available(ACCREDITATION.states("draft"), ORG) == ["submit"]
    assert ACCREDITATION.available(ACCREDITATION.states("reviewed"), ADMIN) == [
        "accredit",
        "reject",
        "return",
    ]
    assert ADMISSION.available(ADMISSION.states("submitted"), COORD) == ["confirm", "return"]
    assert NOMINATION.roles_of("submit") == frozenset({COORD})
