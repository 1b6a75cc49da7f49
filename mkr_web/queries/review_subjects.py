"""What the one review machinery needs to know about each kind of reviewed item.

The machinery (:mod:`..operations.reviews`, :mod:`.reviews`, the expert pages) works over
``(SubjectType, subject_id)``; this table tells it, per subject type, the model, its
workflow machine, which rubric scores it, how to name it and link to it, which files an
expert may open, and who may not review it. A new reviewed item (a nomination) adds one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workflows.engine import Machine
from workflows.review import ACCREDITATION, NOMINATION
from workflows.roles import Role

from ..extensions import db
from ..models import (
    AccreditationApplication,
    Membership,
    Nomination,
    Organization,
    StoredFile,
    SubjectType,
)
from ..navigation import app_path


@dataclass(frozen=True)
class ReviewSubject:
    subject_type: SubjectType
    model: type
    machine: Machine
    rubric_kind: SubjectType
    label: Callable[[Any], str]
    admin_url: Callable[[Any], str]
    expert_template: str  # included in the expert's review page with ``subject`` in context
    admin_endpoint: str  # the admin's page of one item, with ``{id_arg: subject.id}``
    id_arg: str
    files: Callable[[Any], list[StoredFile]] = field(default=lambda subject: [])
    # Users who may not review the item (e.g. the applicant organisation's organisers).
    excluded_user_ids: Callable[[Any], set[int]] = field(default=lambda subject: set())
    excluded_reason: str = "Эксперт представляет организацию-заявителя и не может оценивать заявку."


def _accreditation_excluded(application: AccreditationApplication) -> set[int]:
    return set(
        db.session.scalars(
            db.select(Membership.user_id).where(
                Membership.tenant_id == application.tenant_id,
                Membership.organization_id == application.organizer_id,
            )
        )
    )


def _nomination_excluded(nomination: Nomination) -> set[int]:
    """The coordinator who nominated may not score their own nomination, nor an expert who
    works in the nominee's municipality."""
    local = set(
        db.session.scalars(
            db.select(Membership.user_id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.tenant_id == nomination.tenant_id,
                Membership.role == Role.EXPERT,
                Organization.municipality_id == nomination.municipality_id,
            )
        )
    )
    return local | ({nomination.created_by_id} if nomination.created_by_id else set())


SUBJECTS: dict[SubjectType, ReviewSubject] = {
    # Labels name the number and kind, never the person: they go into notifications and e-mails.
    SubjectType.NOMINATION: ReviewSubject(
        subject_type=SubjectType.NOMINATION,
        model=Nomination,
        machine=NOMINATION,
        rubric_kind=SubjectType.NOMINATION,
        label=lambda n: f"{n.number} · {n.kind.title_ru}",
        admin_url=lambda n: app_path("admin.nomination_detail", nomination_id=n.id),
        expert_template="expert/subject_nomination.html",
        admin_endpoint="admin.nomination_detail",
        id_arg="nomination_id",
        files=lambda n: list(n.files),
        excluded_user_ids=_nomination_excluded,
        excluded_reason=(
            "Автор выдвижения и эксперты из муниципалитета выдвинутого не могут его оценивать."
        ),
    ),
    SubjectType.ACCREDITATION: ReviewSubject(
        subject_type=SubjectType.ACCREDITATION,
        model=AccreditationApplication,
        machine=ACCREDITATION,
        rubric_kind=SubjectType.ACCREDITATION,
        label=lambda a: f"{a.number} · {a.title}",
        admin_url=lambda a: app_path("admin.accreditation_detail", application_id=a.id),
        expert_template="expert/subject_accreditation.html",
        admin_endpoint="admin.accreditation_detail",
        id_arg="application_id",
        files=lambda a: [a.regulation_file] if a.regulation_file else [],
        excluded_user_ids=_accreditation_excluded,
    ),
}


def subject_spec(subject_type: SubjectType) -> ReviewSubject:
    return SUBJECTS[SubjectType(subject_type)]
