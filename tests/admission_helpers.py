"""Builders shared by the admission tests: an accredited event with a 2019 edition, an
organiser, coordinators, persons and protocol rows. All names are synthetic."""

from __future__ import annotations

from datetime import date

from mkr_web.extensions import db
from mkr_web.models import (
    Direction,
    Event,
    EventEdition,
    EventKind,
    Person,
    PersonStatusChange,
)
from workflows.lifecycle import PersonStatus


class World:
    """A tenant with two municipalities with coordinators and one without ("Третий район")."""

    def __init__(self, factory, slug=None):
        self.tenant = factory.tenant(
            slug, municipalities=("Первый район", "Второй район", "Третий район")
        )
        t = self.tenant
        self.first = factory.municipality(t, "Первый район")
        self.second = factory.municipality(t, "Второй район")
        self.third = factory.municipality(t, "Третий район")
        self.school1 = factory.organization(t, self.first, name="МБОУ «СОШ № 1»")
        self.school2 = factory.organization(t, self.second, name="МБОУ «СОШ № 2»")
        self.school3 = factory.organization(t, self.third, name="МБОУ «СОШ № 3»")
        self.university = factory.organization(t, self.first, name="Университет", kind="university")
        self.rcro = factory.organization(t, self.first, name="Центр развития", kind="supplementary")
        self.other_org = factory.organization(
            t, self.first, name="Другой организатор", kind="supplementary"
        )
        self.admin = factory.user(t, "admin", email=f"admin@{t.slug}.test")
        self.admin2 = factory.user(t, "admin", email=f"admin2@{t.slug}.test")
        self.coord1 = factory.user(
            t, "coordinator", email=f"c1@{t.slug}.test", municipalities=[self.first]
        )
        self.coord2 = factory.user(
            t, "coordinator", email=f"c2@{t.slug}.test", municipalities=[self.second]
        )
        self.organizer = factory.user(
            t, "organizer", email=f"org@{t.slug}.test", organization=self.rcro
        )
        self.other_organizer = factory.user(
            t, "organizer", email=f"org2@{t.slug}.test", organization=self.other_org
        )
        self.expert = factory.user(t, "expert", email=f"expert@{t.slug}.test")
        self.event = Event(
            tenant_id=t.id,
            title="Конференция «Шаг в науку»",
            kind=EventKind.ACCREDITED,
            direction=Direction.PROJECT_RESEARCH,
            organizer_id=self.rcro.id,
        )
        self.satellite = Event(
            tenant_id=t.id,
            title="Фестиваль идей",
            kind=EventKind.SATELLITE,
            direction=Direction.PROJECT_RESEARCH,
            organizer_id=self.rcro.id,
        )
        db.session.add_all([self.event, self.satellite])
        db.session.flush()
        self.edition = EventEdition(
            tenant_id=t.id,
            event_id=self.event.id,
            year=2019,
            starts_on=date(2019, 3, 25),
            ends_on=date(2019, 3, 27),
        )
        self.satellite_edition = EventEdition(
            tenant_id=t.id,
            event_id=self.satellite.id,
            year=2019,
            starts_on=date(2019, 4, 1),
            ends_on=date(2019, 4, 1),
        )
        db.session.add_all([self.edition, self.satellite_edition])
        db.session.commit()

    def membership(self, user):
        return next(m for m in user.memberships if m.tenant_id == self.tenant.id)

    def person(
        self,
        surname,
        name,
        patronymic,
        birth_on,
        status=PersonStatus.NONE,
        municipality=None,
        reason=None,
    ):
        p = Person(
            tenant_id=self.tenant.id,
            surname=surname,
            name=name,
            patronymic=patronymic,
            birth_on=birth_on,
            status=status,
            municipality_id=(municipality or self.first).id,
            organization_id=self.school1.id,
            grade="9 класс",
            status_reason=reason,
        )
        p.refresh_search_name()
        db.session.add(p)
        db.session.flush()
        if status is not PersonStatus.NONE:
            db.session.add(
                PersonStatusChange(
                    tenant_id=self.tenant.id,
                    person_id=p.id,
                    from_status=PersonStatus.NONE,
                    to_status=status,
                    changed_on=date(2018, 5, 1),
                    action="admit_school",
                )
            )
        db.session.commit()
        return p


def row(**over) -> dict:
    base = {
        "surname": "Соколова",
        "name": "Анна",
        "patronymic": "Игоревна",
        "birth_date": "12.04.2004",
        "organization": "МБОУ «СОШ № 1»",
        "grade": "9 класс",
        "municipality": "Первый район",
        "result": "победитель",
        "place": "1",
        "section": "Экология",
        "parent_contact": "Соколова Ирина Павловна, +7 913 555-01-02",
    }
    base.update(over)
    return base


def settle_jobs(timeout: float = 60) -> None:
    """Wait until no job is pending or running (admitting queues certificate jobs), so that a
    real worker never works on rows the test's cleanup is deleting."""
    import time

    import sqlalchemy as sa

    from mkr_web.models import Job, JobState

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
