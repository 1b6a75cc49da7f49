"""Admission of an accredited edition's winners, per candidate row (DOMAIN 4.2)."""

from __future__ import annotations

from workflows.engine import Machine, Transition, comment_required
from workflows.roles import Role
from workflows.states import LabeledState, labels


class CandidateState(LabeledState):
    SUBMITTED = "submitted"
    NEEDS_FIX = "needs_fix"
    CONFIRMED = "confirmed"
    ADMITTED = "admitted"
    REJECTED = "rejected"


labels(
    "CandidateState",
    {
        "submitted": ("На проверке у координатора", "info"),
        "needs_fix": ("Требует исправления", "warning"),
        "confirmed": ("Подтверждён координатором", "primary"),
        "admitted": ("Включён в банк", "success"),
        "rejected": ("Отклонён", "danger"),
    },
)

C = CandidateState
CHECKERS = [Role.COORDINATOR, Role.ADMIN]

ADMISSION = Machine(
    "admission",
    CandidateState,
    [
        Transition.of([C.SUBMITTED], "confirm", C.CONFIRMED, CHECKERS),
        Transition.of(
            [C.SUBMITTED],
            "return",
            C.NEEDS_FIX,
            CHECKERS,
            comment_required("Укажите, что нужно исправить."),
        ),
        Transition.of([C.NEEDS_FIX], "resubmit", C.SUBMITTED, [Role.ORGANIZER]),
        Transition.of([C.CONFIRMED], "admit", C.ADMITTED, [Role.ADMIN]),
        Transition.of(
            [C.CONFIRMED],
            "reject",
            C.REJECTED,
            [Role.ADMIN],
            comment_required("Укажите причину отказа."),
        ),
    ],
    titles={
        "confirm": "Подтвердить данные и согласие",
        "return": "Вернуть на исправление",
        "resubmit": "Отправить повторно",
        "admit": "Включить в банк",
        "reject": "Отклонить",
    },
)
