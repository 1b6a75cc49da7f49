"""The workflow engine without Flask: refusal messages, guards, ambiguous tables."""

from dataclasses import dataclass

import pytest

from workflows.admission import ADMISSION, CandidateState
from workflows.engine import Action, Machine, Transition, TransitionRefused, apply
from workflows.lifecycle import LIFECYCLE, PersonStatus
from workflows.review import ACCREDITATION, NOMINATION, ReviewState
from workflows.roles import Role


@dataclass
class Item:
    state: object


# The full state × action × role tables of every machine: tests/unit/test_workflow_tables.py.


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
