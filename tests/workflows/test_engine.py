"""The workflow machines without Flask: every allowed and every refused transition."""

from dataclasses import dataclass
from datetime import datetime

import pytest

from workflows.admission import ADMISSION, CandidateState
from workflows.engine import SYSTEM, Action, Machine, Transition, TransitionRefused, apply
from workflows.lifecycle import LIFECYCLE, PersonStatus
from workflows.review import ACCREDITATION, ASSIGNMENT, NOMINATION, ReviewState
from workflows.roles import Role

MACHINES = [LIFECYCLE, ACCREDITATION, NOMINATION, ADMISSION, ASSIGNMENT]
ALL_ROLES = [r.value for r in Role] + [SYSTEM]
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


@dataclass
class Item:
    state: object


def cases(machine: Machine):
    actions = sorted({t.action for t in machine.transitions})
    for state in machine.states:
        for action in actions:
            for role in ALL_ROLES:
                t = machine.find(state, action)
                yield machine, state, action, role, t is not None and role in t.roles


ALL_CASES = [c for m in MACHINES for c in cases(m)]


@pytest.mark.parametrize(
    "machine,state,action,role,allowed",
    ALL_CASES,
    ids=[f"{c[0].name}-{c[1].value}-{c[2]}-{c[3]}" for c in ALL_CASES],
)
def test_transition_table(machine, state, action, role, allowed):
    item = Item(state)
    act = Action(action, role, actor_id=7, comment=SATISFYING["comment"], data=SATISFYING["data"])
    if allowed:
        record = apply(machine, item, act, now=datetime(2020, 1, 1))
        expected = machine.find(state, action).target
        assert item.state is expected
        assert (record.from_state, record.to_state, record.role, record.actor_id) == (
            state.value,
            expected.value,
            role,
            7,
        )
        assert record.machine == machine.name and record.comment == "причина"
    else:
        with pytest.raises(TransitionRefused):
            apply(machine, item, act)
        assert item.state is state  # nothing changed


def test_refusal_messages_are_russian_and_specific():
    item = Item(PersonStatus.ALUMNI)
    with pytest.raises(TransitionRefused, match="невозможно в состоянии «Партнёр"):
        apply(LIFECYCLE, item, Action("admit_school", Role.ADMIN))
    item = Item(PersonStatus.NONE)
    with pytest.raises(TransitionRefused, match="недоступно для вашей роли"):
        apply(LIFECYCLE, item, Action("admit_school", Role.COORDINATOR))


@pytest.mark.parametrize(
    "machine,state,action,data,message",
    [
        (LIFECYCLE, PersonStatus.RESIDENT_SCHOOL, "exclude", {}, "причину исключения"),
        (
            ACCREDITATION,
            ReviewState.SUBMITTED,
            "start_review",
            {"experts_assigned": 1, "min_experts": 2},
            "не менее 2 экспертов",
        ),
        (
            ACCREDITATION,
            ReviewState.IN_REVIEW,
            "complete_review",
            {"all_reviews_in": False},
            "Не все эксперты",
        ),
        (
            ACCREDITATION,
            ReviewState.REVIEWED,
            "accredit",
            {"valid_from": 2021, "valid_to": 2020},
            "срок действия",
        ),
        (NOMINATION, ReviewState.REVIEWED, "reject", {}, "причину отказа"),
        (ADMISSION, CandidateState.SUBMITTED, "return", {}, "что нужно исправить"),
    ],
)
def test_guards_refuse(machine, state, action, data, message):
    item = Item(state)
    role = machine.find(state, action).roles
    with pytest.raises(TransitionRefused, match=message):
        apply(machine, item, Action(action, sorted(role)[0], comment="", data=data))
    assert item.state is state


def test_table_rejects_ambiguous_rows():
    with pytest.raises(ValueError, match="two transitions"):
        Machine(
            "bad",
            PersonStatus,
            [
                Transition.of([PersonStatus.NONE], "x", PersonStatus.POTENTIAL, ["admin"]),
                Transition.of([PersonStatus.NONE], "x", PersonStatus.ALUMNI, ["admin"]),
            ],
        )


def test_available_actions():
    assert LIFECYCLE.available(PersonStatus.RESIDENT_SCHOOL, Role.ADMIN) == [
        "enrol_university",
        "graduate",
        "exclude",
    ]
    assert ACCREDITATION.available(ReviewState.DRAFT, Role.ORGANIZER) == ["submit"]
    assert ADMISSION.available(CandidateState.SUBMITTED, Role.COORDINATOR) == ["confirm", "return"]


def test_engine_imports_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, workflows.engine, workflows.lifecycle, workflows.review, "
        "workflows.admission; bad=[m for m in sys.modules if m.split('.')[0] in "
        "('flask','sqlalchemy')]; print(bad); sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
