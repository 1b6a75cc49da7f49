"""The whole demo (every loader, as ``flask mkr demo`` runs it): the 2019 admissions as
batches, partners, publications, placements, and nominations in several states; a second
run changes nothing."""

from datetime import date

import sqlalchemy as sa

from mkr_web.demo import load_demo
from mkr_web.demo.seed import ACCREDITED_EVENTS, ADMISSIONS_2019
from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionBatch,
    AdmissionCandidate,
    Consent,
    Nomination,
    NominationKind,
    Opportunity,
    OutletKind,
    Participation,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    ReviewAssignment,
    Score,
    SubjectType,
    TransitionLog,
    User,
)
from workflows.admission import CandidateState
from workflows.lifecycle import ACTIVE_RESIDENT, PersonStatus
from workflows.review import AssignmentState, ReviewState


def counts():
    tables = [
        AdmissionBatch,
        AdmissionCandidate,
        Consent,
        TransitionLog,
        Participation,
        PersonStatusChange,
        Person,
        Opportunity,
        Placement,
        Publication,
        Partnership,
        Nomination,
        ReviewAssignment,
        Score,
    ]
    return {
        t.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables
    }


def test_the_whole_demo(app_ctx):
    created = load_demo("demo-password-1")
    db.session.commit()
    assert (
        created["admission_batches"],
        created["admission_candidates"],
        created["nominations"],
    ) == (5, 124, 8)
    after = counts()

    # criterion 1: 124 admitted in 2019, batch by batch as in the seed, each the plan's person
    batches = db.session.scalars(sa.select(AdmissionBatch).order_by(AdmissionBatch.number)).all()
    assert [b.number for b in batches] == [f"ПРОТ-2019-00{i}" for i in range(1, 6)]
    assert {b.edition.event.title: len(b.candidates) for b in batches} == {
        ACCREDITED_EVENTS[k][0]: n for k, n in ADMISSIONS_2019.items()
    }
    candidates = db.session.scalars(sa.select(AdmissionCandidate)).all()
    assert {c.state for c in candidates} == {CandidateState.ADMITTED} and len(candidates) == 124
    assert all(
        c.person_id and c.consent_id and c.decided_by_id and c.confirmed_by_id for c in candidates
    )
    admitted_2019 = set(
        db.session.scalars(
            sa.select(Person.id).where(
                Person.admission_on.between(date(2019, 1, 1), date(2019, 12, 31))
            )
        )
    )
    assert len(admitted_2019) == 124 and {c.person_id for c in candidates} == admitted_2019
    roles = dict(
        ((a, r), n)
        for a, r, n in db.session.execute(
            sa.select(TransitionLog.action, TransitionLog.role, sa.func.count())
            .where(TransitionLog.subject_type == SubjectType.CANDIDATE)
            .group_by(TransitionLog.action, TransitionLog.role)
        ).all()
    )
    assert roles[("admit", "admin")] == 124 and roles[("confirm", "coordinator")] > 0

    # criterion 5: at least 50 distinct active Residents placed in 2019
    placed = db.session.scalars(
        sa.select(Person)
        .join(Placement, Placement.person_id == Person.id)
        .join(Opportunity, Opportunity.id == Placement.opportunity_id)
        .where(Opportunity.year == 2019)
        .distinct()
    ).all()
    assert len(placed) >= 50 and all(p.status in ACTIVE_RESIDENT for p in placed)
    # criterion 3: more than 20 partners, at least 2 new in 2019
    starts = db.session.scalars(sa.select(Partnership.started_on)).all()
    assert len(starts) > 20 and sum(s.year == 2019 for s in starts) >= 2
    # criterion 6: partner sites and news agencies
    kinds = db.session.scalars(
        sa.select(Publication.outlet_kind).where(
            Publication.published_on.between(date(2019, 1, 1), date(2019, 12, 31))
        )
    ).all()
    assert len(kinds) >= 5 and {OutletKind.PARTNER_SITE, OutletKind.NEWS_AGENCY} <= set(kinds)

    # nominations in several states, of every kind, by the two demo coordinators
    emails = dict(db.session.execute(sa.select(User.id, User.email)).all())
    noms = db.session.scalars(sa.select(Nomination).order_by(Nomination.number)).all()
    assert [
        (n.number, n.kind, n.state, n.municipality.name, emails[n.created_by_id]) for n in noms
    ] == [
        (
            "ВЫДВ-2019-001",
            NominationKind.POTENTIAL,
            ReviewState.APPROVED,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2019-002",
            NominationKind.OPPORTUNITY,
            ReviewState.APPROVED,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2019-003",
            NominationKind.ADMISSION,
            ReviewState.REJECTED,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2020-001",
            NominationKind.ADMISSION,
            ReviewState.IN_REVIEW,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2020-002",
            NominationKind.OPPORTUNITY,
            ReviewState.REVIEWED,
            "Первомайский район",
            "pervomayskiy@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2020-003",
            NominationKind.ADMISSION,
            ReviewState.RETURNED,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2020-004",
            NominationKind.OPPORTUNITY,
            ReviewState.SUBMITTED,
            "Первомайский район",
            "pervomayskiy@tomsk.mkr.demo",
        ),
        (
            "ВЫДВ-2020-005",
            NominationKind.ADMISSION,
            ReviewState.DRAFT,
            "ЗАТО Северск",
            "seversk@tomsk.mkr.demo",
        ),
    ]
    assert all(len(n.files) == 1 and n.person.municipality_id == n.municipality_id for n in noms)
    by_number = {n.number: n for n in noms}
    # the approved ones are the records behind a status and a placement of the other loaders
    potential = by_number["ВЫДВ-2019-001"]
    assert (
        potential.person.status is PersonStatus.POTENTIAL
        and potential.decided_at.date() == potential.person.status_since
    )
    placement = db.session.execute(
        sa.select(Placement).where(Placement.nomination_id == by_number["ВЫДВ-2019-002"].id)
    ).scalar_one()
    assert placement.person_id == by_number["ВЫДВ-2019-002"].person_id
    # open admission nominations name pupils who may still be admitted
    for number in ("ВЫДВ-2020-001", "ВЫДВ-2020-003", "ВЫДВ-2020-005"):
        assert by_number[number].person.status is PersonStatus.POTENTIAL
    states = db.session.execute(
        sa.select(ReviewAssignment.subject_id, ReviewAssignment.state).where(
            ReviewAssignment.subject_type == SubjectType.NOMINATION
        )
    ).all()
    in_review = sorted(s for i, s in states if i == by_number["ВЫДВ-2020-001"].id)
    assert in_review == sorted([AssignmentState.ASSIGNED, AssignmentState.SUBMITTED])
    history = db.session.scalars(
        sa.select(TransitionLog.action)
        .where(
            TransitionLog.subject_type == SubjectType.NOMINATION,
            TransitionLog.subject_id == by_number["ВЫДВ-2020-003"].id,
        )
        .order_by(TransitionLog.id)
    ).all()
    assert history == [
        "submit",
        "assign",
        "assign",
        "start_review",
        "submit_scores",
        "submit_scores",
        "complete_review",
        "return",
    ]
    for n in noms:  # the history happened in the nomination's year
        at = db.session.scalars(
            sa.select(TransitionLog.at).where(
                TransitionLog.subject_type == SubjectType.NOMINATION,
                TransitionLog.subject_id == n.id,
            )
        ).all()
        assert {t.year for t in at} <= {int(n.number.split("-")[1])} and (
            at or n.state is ReviewState.DRAFT
        )

    # a second run changes nothing
    assert load_demo("demo-password-1") == {}
    db.session.commit()
    assert counts() == after
