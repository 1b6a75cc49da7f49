"""Builders shared by the events, reviews and accreditation tests (rows are committed)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    Direction,
    EventLevel,
    Job,
    JobState,
    ReviewAssignment,
    SubjectType,
)
from workflows.roles import Role

PDF = b"%PDF-1.4\n% test regulation\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ST = SubjectType.ACCREDITATION


@dataclass
class World:
    tenant: object
    admin: object
    organizer: object
    org: object
    expert1: object
    expert2: object
    expert3: object


def world(factory, slug: str | None = None) -> World:
    tenant = factory.tenant(slug)
    org = factory.organization(
        tenant, "Первый район", name=f"Центр {tenant.slug}", kind="supplementary"
    )
    return World(
        tenant=tenant,
        admin=factory.user(tenant, "admin"),
        organizer=factory.user(tenant, "organizer", organization=org),
        org=org,
        expert1=factory.user(tenant, "expert"),
        expert2=factory.user(tenant, "expert"),
        expert3=factory.user(tenant, "expert"),
    )


def application(
    w: World,
    *,
    title="Конференция «Шаг в науку»",
    submitted=False,
    number=None,
    with_regulation=True,
) -> AccreditationApplication:
    from mkr_web.documents.storage import save_bytes
    from mkr_web.operations import accreditation as acc

    regulation = (
        save_bytes(w.tenant.id, "regulation", "reg.pdf", PDF, "application/pdf")
        if with_regulation
        else None
    )
    app = acc.create_application(
        w.tenant.id,
        w.org,
        acc.ApplicationData(
            title=title,
            direction=Direction.PROJECT_RESEARCH,
            level=EventLevel.REGIONAL,
            expected_participants=300,
        ),
        user_id=w.organizer.id,
        regulation=regulation,
        number=number,
    )
    if submitted:
        acc.submit(app, role=Role.ORGANIZER, user_id=w.organizer.id)
    db.session.commit()
    return app


def in_review(w: World, experts=None, **kw) -> AccreditationApplication:
    from mkr_web.operations import reviews

    app = application(w, submitted=True, **kw)
    reviews.assign_experts(
        ST,
        app,
        [e.id for e in (experts or (w.expert1, w.expert2))],
        role=Role.ADMIN,
        actor_id=w.admin.id,
    )
    db.session.commit()
    return app


def assignment_of(app, expert) -> ReviewAssignment:
    return db.session.execute(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == ST,
            ReviewAssignment.subject_id == app.id,
            ReviewAssignment.expert_id == expert.id,
        )
    ).scalar_one()


def score(app, expert, points: list[int], submit=True) -> ReviewAssignment:
    from mkr_web.operations import reviews

    rubric = reviews.ensure_rubric(app.tenant_id, ST)
    criteria = [c for c in rubric.criteria if c.is_active]
    a = assignment_of(app, expert)
    reviews.save_scores(
        a,
        {c.id: p for c, p in zip(criteria, points, strict=True)},
        "",
        submit=submit,
        role=Role.EXPERT,
        user_id=expert.id,
    )
    db.session.commit()
    return a


def reviewed(
    w: World, points1=(8, 8, 8, 8, 4), points2=(9, 9, 9, 9, 5), **kw
) -> AccreditationApplication:
    app = in_review(w, **kw)
    score(app, w.expert1, list(points1))
    score(app, w.expert2, list(points2))
    return app


def accredited(w: World, valid=(2020, 2022), **kw) -> AccreditationApplication:
    from mkr_web.operations import accreditation as acc

    app = reviewed(w, **kw)
    acc.accredit(app, *valid, role=Role.ADMIN, user_id=w.admin.id)
    db.session.commit()
    return app


def wait_for_job(job_id: int, timeout: float = 60) -> Job:
    """Poll the committed Job row (a real worker may run it)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.state in (JobState.DONE, JobState.FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def settle_jobs(timeout: float = 60) -> None:
    """Wait until no job is pending or running, so that a real worker never works on rows
    the test's cleanup is deleting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        busy = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Job)
            .where(Job.state.in_([JobState.PENDING, JobState.RUNNING]))
        )
        if not busy:
            return
        time.sleep(0.2)
