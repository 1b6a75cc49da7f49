"""What the one review machinery needs to know about each kind of reviewed item.

The machinery (:mod:`.reviews`, :mod:`..queries.reviews`, the expert pages) works over
``(SubjectType, subject_id)``; this table tells it, per subject type, the model, its
workflow machine, which rubric scores it, how to name it and link to it, which files an
expert may open, and who may not review it. A new reviewed item (a nomination) adds one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workflows.engine import Machine
from workflows.review import ACCREDITATION

from ..models import AccreditationApplication, Membership, StoredFile, SubjectType
from .notifications import app_path


@dataclass(frozen=True)
class ReviewSubject:
    subject_type: SubjectType
    model: type
    machine: Machine
    rubric_kind: SubjectType
    label: Callable[[Any], str]
    admin_url: Callable[[Any], str]
    expert_template: str  # included in the expert's review page with ``subject`` in context
    files: Callable[[Any], list[StoredFile]] = field(default=lambda subject: [])
    # Users who may not review the item (e.g. the applicant organisation's organisers).
    excluded_user_ids: Callable[[Any], set[int]] = field(default=lambda subject: set())


def _accreditation_excluded(application: AccreditationApplication) -> set[int]:
    from ..extensions import db

    return set(db.session.scalars(
        db.select(Membership.user_id).where(Membership.tenant_id == application.tenant_id,
                                            Membership.organization_id == application.organizer_id)
    ))


SUBJECTS: dict[SubjectType, ReviewSubject] = {
    SubjectType.ACCREDITATION: ReviewSubject(
        subject_type=SubjectType.ACCREDITATION,
        model=AccreditationApplication,
        machine=ACCREDITATION,
        rubric_kind=SubjectType.ACCREDITATION,
        label=lambda a: f"{a.number} · {a.title}",
        admin_url=lambda a: app_path("admin.accreditation_detail", application_id=a.id),
        expert_template="expert/subject_accreditation.html",
        files=lambda a: [a.regulation_file] if a.regulation_file else [],
        excluded_user_ids=_accreditation_excluded,
    ),
}


def subject_spec(subject_type: SubjectType) -> ReviewSubject:
    return SUBJECTS[SubjectType(subject_type)]
