"""Builders for the nomination tests: the admission World plus a second expert and an
opportunity; nominations driven through the real operations. Names are synthetic."""

from __future__ import annotations

import io
from datetime import date

from werkzeug.datastructures import FileStorage

from mkr_web.extensions import db
from mkr_web.models import (
    AchievementLevel,
    NominationKind,
    Opportunity,
    OpportunityKind,
    ReviewAssignment,
    SubjectType,
)
from mkr_web.operations import nominations as ops
from mkr_web.operations import reviews
from tests.admission_helpers import World
from workflows.roles import Role

PDF = b"%PDF-1.4\n% diploma\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ST = SubjectType.NOMINATION


class NominationWorld(World):
    def __init__(self, factory, slug=None):
        super().__init__(factory, slug)
        self.expert2 = factory.user(self.tenant, "expert", email=f"expert2@{self.tenant.slug}.test")
        self.opportunity = Opportunity(
            tenant_id=self.tenant.id,
            kind=OpportunityKind.PROFILE_SHIFT,
            title="Профильная смена «Сириус»",
            year=date.today().year,
            starts_on=date(date.today().year, 1, 1),
        )
        db.session.add(self.opportunity)
        self.pupil = self.person("Лебедева", "Дарья", "Олеговна", date(2006, 9, 1))
        db.session.commit()


def pdf_upload(name="diploma.pdf", data=PDF) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def draft(w: NominationWorld, person=None, kind=NominationKind.ADMISSION, **kw):
    data = ops.NominationData(
        kind=kind,
        description=kw.pop("description", "Победитель всероссийской олимпиады"),
        achievement_level=kw.pop("level", AchievementLevel.ALL_RUSSIAN),
        opportunity=w.opportunity if kind is NominationKind.OPPORTUNITY else None,
    )
    n = ops.create_nomination(w.membership(w.coord1), person or w.pupil, data, **kw)
    db.session.commit()
    return n


def submitted(w: NominationWorld, **kw):
    n = draft(w, **kw)
    ops.add_evidence(n, w.membership(w.coord1), pdf_upload())
    ops.submit(n, w.membership(w.coord1))
    db.session.commit()
    return n


def in_review(w: NominationWorld, **kw):
    n = submitted(w, **kw)
    reviews.assign_experts(ST, n, [w.expert.id, w.expert2.id], role=Role.ADMIN, actor_id=w.admin.id)
    db.session.commit()
    return n


def assignment_of(n, expert) -> ReviewAssignment:
    return db.session.execute(
        db.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == ST,
            ReviewAssignment.subject_id == n.id,
            ReviewAssignment.expert_id == expert.id,
        )
    ).scalar_one()


def reviewed(w: NominationWorld, points=((8, 4, 9, 4), (9, 5, 8, 5)), **kw):
    n = in_review(w, **kw)
    rubric = reviews.ensure_rubric(w.tenant.id, ST)
    criteria = [c for c in rubric.criteria if c.is_active]
    for expert, pts in zip((w.expert, w.expert2), points, strict=True):
        reviews.save_scores(
            assignment_of(n, expert),
            {c.id: p for c, p in zip(criteria, pts, strict=True)},
            "Достижение подтверждено.",
            submit=True,
            role=Role.EXPERT,
            user_id=expert.id,
        )
    db.session.commit()
    return n
