"""A person's lifecycle in the bank (DOMAIN 4.4).

``none`` is a person known to the bank only as a participant or contact.
"""

from __future__ import annotations

from workflows.engine import SYSTEM, Machine, Transition, comment_required
from workflows.roles import Role
from workflows.states import LabeledState, labels


class PersonStatus(LabeledState):
    NONE = "none"
    POTENTIAL = "potential"
    RESIDENT_SCHOOL = "resident_school"
    RESIDENT_STUDENT = "resident_student"
    ALUMNI = "alumni"
    EXCLUDED = "excluded"

    @property
    def is_resident(self) -> bool:
        return self in (PersonStatus.RESIDENT_SCHOOL, PersonStatus.RESIDENT_STUDENT)


labels(
    "PersonStatus",
    {
        "none": ("Участник", "secondary"),
        "potential": ("Потенциальный резидент", "info"),
        "resident_school": ("Резидент (школьник)", "success"),
        "resident_student": ("Резидент (студент)", "primary"),
        "alumni": ("Партнёр (бывший резидент)", "dark"),
        "excluded": ("Исключён", "danger"),
    },
)

S = PersonStatus
ACTIVE_RESIDENT = (S.RESIDENT_SCHOOL, S.RESIDENT_STUDENT)
ADMIN = [Role.ADMIN, SYSTEM]

LIFECYCLE = Machine(
    "lifecycle",
    PersonStatus,
    [
        # A coordinator proposes the status through a nomination; the admin decides.
        Transition.of([S.NONE], "mark_potential", S.POTENTIAL, ADMIN),
        Transition.of([S.NONE, S.POTENTIAL], "admit_school", S.RESIDENT_SCHOOL, ADMIN),
        Transition.of([S.NONE, S.POTENTIAL], "admit_student", S.RESIDENT_STUDENT, ADMIN),
        Transition.of([S.RESIDENT_SCHOOL], "enrol_university", S.RESIDENT_STUDENT, ADMIN),
        Transition.of(ACTIVE_RESIDENT, "graduate", S.ALUMNI, ADMIN),
        Transition.of(
            [S.POTENTIAL, *ACTIVE_RESIDENT, S.ALUMNI],
            "exclude",
            S.EXCLUDED,
            ADMIN,
            comment_required("Укажите причину исключения."),
        ),
    ],
    titles={
        "mark_potential": "Отметить как потенциального резидента",
        "admit_school": "Включить в банк (школьник)",
        "admit_student": "Включить в банк (студент)",
        "enrol_university": "Перевести в студенты (поступил в вуз)",
        "graduate": "Перевести в партнёры (выпуск из категории резидентов)",
        "exclude": "Исключить",
    },
)
