"""Reviewed applications: accreditation of an event (DOMAIN 4.1) and nomination by a
coordinator (DOMAIN 4.3) share one shape, so they share one table builder."""

from __future__ import annotations

from workflows.engine import SYSTEM, Action, Machine, Transition, comment_required
from workflows.roles import Role
from workflows.states import LabeledState, labels


class ReviewState(LabeledState):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    RETURNED = "returned"
    ACCREDITED = "accredited"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def title_neuter(self) -> str:
        """The title agreeing with a neuter noun («выдвижение»: «Подано», «Одобрено»); the
        plain titles agree with «заявка» (feminine)."""
        return NEUTER_TITLES.get(self.value, self.title_ru)


labels(
    "ReviewState",
    {
        "draft": ("Черновик", "secondary"),
        "submitted": ("Подана", "info"),
        "in_review": ("На экспертизе", "warning"),
        "reviewed": ("Экспертиза завершена", "primary"),
        "returned": ("Возвращена на доработку", "warning"),
        "accredited": ("Аккредитовано", "success"),
        "approved": ("Одобрена", "success"),
        "rejected": ("Отклонена", "danger"),
        "expired": ("Срок аккредитации истёк", "dark"),
    },
)

#: A nomination is «выдвижение» (neuter): its states agree with it.
NEUTER_TITLES = {
    "submitted": "Подано",
    "returned": "Возвращено на доработку",
    "approved": "Одобрено",
    "rejected": "Отклонено",
}

S = ReviewState


def _experts_assigned(item, action: Action) -> str | None:
    needed = action.data.get("min_experts", 2)
    if action.data.get("experts_assigned", 0) < needed:
        return f"Назначьте не менее {needed} экспертов."
    return None


def _all_reviews_in(item, action: Action) -> str | None:
    return None if action.data.get("all_reviews_in") else "Не все эксперты завершили оценку."


def _validity_given(item, action: Action) -> str | None:
    start, end = action.data.get("valid_from"), action.data.get("valid_to")
    if not start or not end or end < start:
        return "Укажите срок действия аккредитации (годы с… по…)."
    return None


def reviewed_machine(
    name: str,
    author_role: Role,
    approve_action: str,
    approved: ReviewState,
    extra: list[Transition] = (),
) -> Machine:
    author = [author_role]
    admin = [Role.ADMIN]
    approve_guard = _validity_given if approve_action == "accredit" else None
    return Machine(
        name,
        ReviewState,
        [
            Transition.of([S.DRAFT], "submit", S.SUBMITTED, author),
            Transition.of([S.RETURNED], "resubmit", S.SUBMITTED, author),
            Transition.of([S.SUBMITTED], "start_review", S.IN_REVIEW, admin, _experts_assigned),
            # Automatic: the last expert's submission (or conflict) ends the review.
            Transition.of([S.IN_REVIEW], "complete_review", S.REVIEWED, [SYSTEM], _all_reviews_in),
            Transition.of([S.REVIEWED], approve_action, approved, admin, approve_guard),
            Transition.of(
                [S.REVIEWED],
                "reject",
                S.REJECTED,
                admin,
                comment_required("Укажите причину отказа."),
            ),
            Transition.of(
                [S.SUBMITTED, S.IN_REVIEW, S.REVIEWED],
                "return",
                S.RETURNED,
                admin,
                comment_required("Укажите, что нужно исправить."),
            ),
            *extra,
        ],
        titles={
            "submit": "Подать",
            "resubmit": "Подать повторно",
            "start_review": "Передать на экспертизу",
            "complete_review": "Завершить экспертизу",
            approve_action: "Аккредитовать" if approve_action == "accredit" else "Одобрить",
            "reject": "Отклонить",
            "return": "Вернуть на доработку",
            "expire": "Истёк срок аккредитации",
        },
    )


ACCREDITATION = reviewed_machine(
    "accreditation",
    Role.ORGANIZER,
    "accredit",
    S.ACCREDITED,
    extra=[Transition.of([S.ACCREDITED], "expire", S.EXPIRED, [SYSTEM])],
)

NOMINATION = reviewed_machine("nomination", Role.COORDINATOR, "approve", S.APPROVED)


class AssignmentState(LabeledState):
    """One expert's part in a review: assigned, then scores submitted or a conflict declared."""

    ASSIGNED = "assigned"
    CONFLICT = "conflict"
    SUBMITTED = "submitted"


labels(
    "AssignmentState",
    {
        "assigned": ("Ожидает оценки", "warning"),
        "conflict": ("Конфликт интересов", "danger"),
        "submitted": ("Оценка отправлена", "success"),
    },
)

A = AssignmentState

#: Who assigns experts to a review and removes them. Not a state change of the reviewed item
#: (so not a row of a table), but decided here beside the tables.
EXPERT_MANAGERS = frozenset({Role.ADMIN.value})


def may_manage_experts(role) -> bool:
    return str(role) in EXPERT_MANAGERS


#: An expert's assignment. ``reopen`` (system) sends a submitted review back to the expert
#: when a returned application comes back for a new round of review.
ASSIGNMENT = Machine(
    "review_assignment",
    AssignmentState,
    [
        Transition.of(
            [A.ASSIGNED],
            "declare_conflict",
            A.CONFLICT,
            [Role.EXPERT],
            comment_required("Опишите конфликт интересов."),
        ),
        Transition.of([A.ASSIGNED], "submit_scores", A.SUBMITTED, [Role.EXPERT]),
        Transition.of([A.SUBMITTED], "reopen", A.ASSIGNED, [SYSTEM]),
    ],
    titles={
        "assign": "Назначен эксперт",
        "declare_conflict": "Заявлен конфликт интересов",
        "submit_scores": "Оценка отправлена",
        "reopen": "Оценка открыта для нового раунда",
        "unassign": "Эксперт снят с экспертизы",
    },
)
