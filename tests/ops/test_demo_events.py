"""The demo's events: accredited events with their accreditation history, the 2020 candidates,
satellites with their counts, and Table 2's coverage with the seed's yearly totals."""

from collections import defaultdict

import pytest
import sqlalchemy as sa

from mkr_web.demo import load_demo, reference, seed
from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    Certificate,
    CertificateKind,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    Municipality,
    Organization,
    ParticipationCount,
    ReviewAssignment,
    SubjectType,
    TransitionLog,
    User,
)
from workflows.review import AssignmentState, ReviewState


@pytest.fixture
def demo(app_ctx):
    first = load_demo("demo-password")
    db.session.commit()
    return first


def _apps() -> dict[str, AccreditationApplication]:
    return {a.number: a for a in db.session.scalars(sa.select(AccreditationApplication))}


def test_accredited_events_with_their_history(demo):
    assert (demo["event_applications"], demo["event_certificates"]) == (7, 5)
    apps = _apps()
    emails = dict(db.session.execute(sa.select(User.id, User.email)).all())
    operator = db.session.execute(
        sa.select(Organization).where(Organization.name == reference.OPERATOR_ORG)
    ).scalar_one()
    for i, (title, short, direction) in enumerate(seed.ACCREDITED_EVENTS.values(), start=1):
        a = apps[f"ЗАЯВ-2016-{i:03d}"]
        assert (
            a.state,
            a.valid_from_year,
            a.valid_to_year,
            a.organizer_id,
            a.title,
            a.direction,
        ) == (ReviewState.ACCREDITED, 2016, 2021, operator.id, title, direction)
        assert emails[a.decided_by_id] == "admin@tomsk.mkr.demo" and a.decided_at.year == 2016
        log = db.session.execute(
            sa.select(TransitionLog.action, TransitionLog.user_id)
            .where(
                TransitionLog.subject_type == SubjectType.ACCREDITATION,
                TransitionLog.subject_id == a.id,
            )
            .order_by(TransitionLog.id)
        ).all()
        assert [(action, emails.get(u)) for action, u in log] == [
            ("submit", "organizer@tomsk.mkr.demo"),
            ("assign", "admin@tomsk.mkr.demo"),
            ("assign", "admin@tomsk.mkr.demo"),
            ("start_review", "admin@tomsk.mkr.demo"),
            ("submit_scores", "expert1@tomsk.mkr.demo"),
            ("submit_scores", "expert2@tomsk.mkr.demo"),
            ("complete_review", None),
            ("accredit", "admin@tomsk.mkr.demo"),
        ]
        assert {
            t.year
            for t in db.session.scalars(
                sa.select(TransitionLog.at).where(
                    TransitionLog.subject_id == a.id,
                    TransitionLog.subject_type == SubjectType.ACCREDITATION,
                )
            )
        } == {2016}
        assignments = db.session.scalars(
            sa.select(ReviewAssignment)
            .where(
                ReviewAssignment.subject_id == a.id,
                ReviewAssignment.subject_type == SubjectType.ACCREDITATION,
            )
            .order_by(ReviewAssignment.id)
        ).all()
        assert [(emails[x.expert_id], x.state, len(x.scores)) for x in assignments] == [
            ("expert1@tomsk.mkr.demo", AssignmentState.SUBMITTED, 5),
            ("expert2@tomsk.mkr.demo", AssignmentState.SUBMITTED, 5),
        ]
        event = db.session.get(Event, a.event_id)
        assert (
            event.kind,
            event.title,
            event.short_title,
            event.direction,
            event.organizer_id,
        ) == (EventKind.ACCREDITED, title, short, direction, operator.id)
        cert = db.session.execute(
            sa.select(Certificate).where(
                Certificate.kind == CertificateKind.ACCREDITATION, Certificate.subject_id == a.id
            )
        ).scalar_one()
        assert cert.number == f"АКР-2016-{i:03d}"


def test_candidates_of_2020_are_in_review(demo):
    apps = _apps()
    emails = dict(db.session.execute(sa.select(User.id, User.email)).all())
    for i, (title, direction) in enumerate(seed.CANDIDATES_2020, start=1):
        a = apps[f"ЗАЯВ-2020-{i:03d}"]
        assert (a.state, a.title, a.direction, a.submitted_at.year) == (
            ReviewState.IN_REVIEW,
            title,
            direction,
            2020,
        )
        states = db.session.execute(
            sa.select(ReviewAssignment.expert_id, ReviewAssignment.state)
            .where(
                ReviewAssignment.subject_id == a.id,
                ReviewAssignment.subject_type == SubjectType.ACCREDITATION,
            )
            .order_by(ReviewAssignment.id)
        ).all()
        assert [(emails[e], s) for e, s in states] == [
            ("expert1@tomsk.mkr.demo", AssignmentState.SUBMITTED),
            ("expert2@tomsk.mkr.demo", AssignmentState.ASSIGNED),
        ]


def _totals_by(query):
    return {k: int(v) for k, v in db.session.execute(query).all()}


def test_satellites_with_their_counts_and_directions(demo):
    events = {
        e.title: e
        for e in db.session.scalars(sa.select(Event).where(Event.kind == EventKind.SATELLITE))
    }
    assert len(events) == 11
    totals = defaultdict(dict)
    for title, year, n in db.session.execute(
        sa.select(Event.title, EventEdition.year, sa.func.sum(ParticipationCount.count))
        .join(EventEdition, EventEdition.event_id == Event.id)
        .join(ParticipationCount)
        .where(Event.kind == EventKind.SATELLITE)
        .group_by(Event.title, EventEdition.year)
    ):
        totals[title][year] = int(n)
    accredited = {
        e.id: e.title
        for e in db.session.scalars(sa.select(Event).where(Event.kind == EventKind.ACCREDITED))
    }
    for index, (title, direction, n2018, n2019) in enumerate(seed.SATELLITES):
        assert events[title].direction is direction
        assert totals[title] == {2018: n2018, 2019: n2019}
        related = seed.SATELLITE_RELATED.get(index)
        expected = seed.ACCREDITED_EVENTS[related][0] if related else None
        assert accredited.get(events[title].related_event_id) == expected
    assert (
        sum(t[2019] for t in totals.values()) == 2457
        and sum(t[2018] for t in totals.values()) == 2501
    )


def test_accredited_editions_cover_table2_with_the_seed_totals(demo):
    titles = {key: spec[0] for key, spec in seed.ACCREDITED_EVENTS.items()}
    key_of = {v: k for k, v in titles.items()}
    rows = db.session.execute(
        sa.select(
            Event.title, EventEdition.year, Municipality.name, sa.func.sum(ParticipationCount.count)
        )
        .join(EventEdition, EventEdition.event_id == Event.id)
        .join(ParticipationCount)
        .join(Municipality, Municipality.id == ParticipationCount.municipality_id)
        .where(Event.kind == EventKind.ACCREDITED)
        .group_by(Event.title, EventEdition.year, Municipality.name)
    ).all()
    coverage = defaultdict(dict)
    by_year = defaultdict(int)
    for title, year, muni, n in rows:
        coverage[(year, key_of[title])][muni] = int(n)
        by_year[year] += int(n)
    assert dict(by_year) == seed.PARTICIPANT_TOTALS
    for year, per_event in seed.TABLE2.items():
        for key, munis in per_event.items():
            got = coverage.get((year, key), {})
            assert sorted(got) == sorted(munis), (year, key)
            assert all(n > 0 for n in got.values())
    categories = {
        c.value for c in db.session.scalars(sa.select(ParticipationCount.category).distinct())
    }
    assert categories == {"students", "teachers", "experts"}

    editions = {(e.event.title, e.year): e for e in db.session.scalars(sa.select(EventEdition))}
    not_held = editions[(titles["assembly"], 2018)]
    assert (not_held.state, not_held.note, not_held.starts_on) == (
        EditionState.NOT_HELD,
        seed.NOT_HELD_NOTE,
        None,
    )
    moved = editions[(titles["assembly"], 2019)]
    assert (moved.state, moved.note, moved.starts_on, moved.ends_on) == (
        EditionState.MOVED,
        seed.MOVED_NOTE,
        *seed.edition_dates("assembly", 2019),
    )
    forum = editions[(titles["forum"], 2018)]
    assert (forum.state, (forum.starts_on, forum.ends_on)) == (
        EditionState.HELD,
        seed.edition_dates("forum", 2018),
    )


def test_second_load_changes_nothing(demo):
    def counts():
        return {
            m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (
                AccreditationApplication,
                Event,
                EventEdition,
                ParticipationCount,
                ReviewAssignment,
                TransitionLog,
                Certificate,
            )
        }

    before = counts()
    again = load_demo("demo-password")
    db.session.commit()
    assert not any(k.startswith("event_") for k in again)
    assert counts() == before
