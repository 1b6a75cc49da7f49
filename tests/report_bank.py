"""A seeded random tenant for the report's snapshot tests: rows over 2017–2020 and a random
writer (operations, the builders' ORM writes, ORM DML, the bulk path), the keys (years,
as-of dates, scopes) to compare, and a statement counter."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

from mkr_web.errors import REFUSALS
from mkr_web.extensions import db
from mkr_web.models import (
    CountCategory,
    EditionState,
    EventKind,
    Participation,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    Tenant,
)
from mkr_web.operations import report_snapshot as rs
from mkr_web.operations.events import EditionData, save_counts, save_edition
from mkr_web.operations.people import change_status, update_person
from mkr_web.operations.people_bulk import Step, add_persons_bulk
from mkr_web.operations.programme import delete_opportunity, delete_publication
from mkr_web.queries.report import build_report
from tests import factories as b
from workflows.lifecycle import LIFECYCLE, PersonStatus as S
from workflows.review import ReviewState

YEARS = (2019, 2020)
HISTORIES = (
    (S.POTENTIAL,),
    (S.POTENTIAL, S.RESIDENT_SCHOOL),
    (S.RESIDENT_SCHOOL,),
    (S.POTENTIAL, S.RESIDENT_SCHOOL, S.RESIDENT_STUDENT),
    (S.RESIDENT_SCHOOL, S.ALUMNI),
)


def _day(rng, first=date(2017, 6, 1), last=date(2020, 12, 31)) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


class RandomBank:
    """A tenant with random rows over 2017–2020 and a random writer."""

    def __init__(self, rng: random.Random, factory):
        self.rng = rng
        self.tenant = factory.tenant(
            "snap", municipalities=("Первый район", "Второй район", "Третий район")
        )
        t = self.tenant
        self.munis = [
            b.municipality(t, n) for n in ("Первый район", "Второй район", "Третий район")
        ]
        self.munis.append(b.other_region(t))
        self.orgs = [b.org(t, m, f"Школа {i}", regional=i == 0) for i, m in enumerate(self.munis)]
        self.orgs.append(b.org(t, self.munis[0], "Лицей без района"))
        self.persons = [self._person(i) for i in range(30)]
        self.events = [
            b.event(t, f"Событие {i}", EventKind.ACCREDITED if i < 3 else EventKind.SATELLITE)
            for i in range(5)
        ]
        self.editions = []
        for ev in self.events:
            for year in (2018, 2019, 2020):
                if rng.random() < 0.8:
                    ed = b.edition(
                        ev,
                        year,
                        rng.choice([EditionState.HELD] * 3 + [EditionState.MOVED]),
                        note="перенос",
                    )
                    self.editions.append(ed)
                    if rng.random() < 0.5:
                        self._counts(ed)
                    else:
                        for p in rng.sample(self.persons, 8):
                            b.participate(ed, p)
        for p in rng.sample(self.persons, 6):
            b.placement(t, p, _day(rng, date(2019, 1, 1)))
        for i in range(4):
            b.publication(t, _day(rng, date(2019, 1, 1)), f"сайт {i % 2}")
        b.partnership(t, self.orgs[1], date(2019, 3, 1))
        db.session.commit()

    def _person(self, i: int, surname: str = "Случайный") -> Person:
        rng = self.rng
        days = sorted(_day(rng) for _ in range(3))
        history = list(zip(days, rng.choice(HISTORIES), strict=False))
        muni = rng.choice(self.munis + [None])
        org = rng.choice(self.orgs + [None, None])
        return b.person(self.tenant, muni, org, history, surname=f"{surname}{i}")

    def _counts(self, ed) -> None:
        grid = {
            (m.id, c): self.rng.randrange(0, 30)
            for m in self.munis
            for c in (CountCategory.STUDENTS, CountCategory.TEACHERS)
            if self.rng.random() < 0.6
        }
        save_counts(ed, grid)

    # -- the writes ----------------------------------------------------------------------

    def change_status(self):
        p = self.rng.choice(self.persons)
        actions = LIFECYCLE.available(p.status, "admin")
        if not actions:
            return "no action"
        last = db.session.scalar(
            sa.select(sa.func.max(PersonStatusChange.changed_on)).where(
                PersonStatusChange.person_id == p.id
            )
        )
        on = _day(self.rng, last or date(2018, 1, 1), date(2021, 2, 1))
        change_status(p, self.rng.choice(actions), on=on, role="admin", user_id=None)

    def add_participation(self):
        ed, p = self.rng.choice(self.editions), self.rng.choice(self.persons)
        if not db.session.scalar(
            sa.select(Participation.id).where(
                Participation.edition_id == ed.id, Participation.person_id == p.id
            )
        ):
            b.participate(ed, p)

    def remove_participation(self):
        rows = db.session.scalars(
            sa.select(Participation).where(Participation.tenant_id == self.tenant.id)
        ).all()
        if rows:
            db.session.delete(self.rng.choice(rows))

    def move_person(self):
        p = self.rng.choice(self.persons)
        update_person(p, {"municipality_id": self.rng.choice(self.munis).id}, expected_version=None)

    def edit_contact(self):
        """Columns the report does not read: the tenant's version stays."""
        p = self.rng.choice(self.persons)
        update_person(
            p,
            {"phone": f"+7 900 {self.rng.randrange(10**7):07d}", "surname": f"Новиков{p.id}"},
            expected_version=None,
        )
        change = db.session.scalars(
            sa.select(PersonStatusChange).where(PersonStatusChange.person_id == p.id)
        ).first()
        if change is not None:
            change.comment = "уточнено"

    def move_school(self):
        o = self.rng.choice(self.orgs)
        o.municipality_id = (
            self.rng.choice(self.munis + [None]).id if self.rng.random() < 0.8 else None
        )

    def move_edition(self):
        ed = self.rng.choice(self.editions)
        year = self.rng.choice([2018, 2019, 2020, 2021])
        state = self.rng.choice(list(EditionState))
        note = "примечание" if state is not EditionState.HELD else None
        save_edition(ed.event, EditionData(year=year, state=state, note=note), ed)

    def edit_counts(self):
        ed = self.rng.choice(self.editions)
        if ed.state is not EditionState.NOT_HELD:
            self._counts(ed)

    def bulk_persons(self):
        items = []
        for i in range(self.rng.randrange(1, 6)):
            data = {
                "surname": f"Импортов{self.rng.randrange(10**6)}",
                "name": "Пётр",
                "municipality_id": self.rng.choice(self.munis).id,
                "organization_id": self.rng.choice(self.orgs).id,
            }
            on = _day(self.rng, date(2019, 1, 1))
            steps = [Step("mark_potential", on)]
            if i % 2:
                steps.append(Step("admit_school", on + timedelta(days=3)))
            items.append((data, steps))
        self.persons += add_persons_bulk(
            self.tenant.id, items, role="admin", user_id=None, source="import"
        )

    def delete_placements(self):
        placement = db.session.scalars(
            sa.select(Placement).where(Placement.tenant_id == self.tenant.id)
        ).first()
        if placement is not None:
            delete_opportunity(placement.opportunity)  # ORM DML: DELETE … placement

    def delete_publication(self):
        pub = db.session.scalars(
            sa.select(Publication).where(Publication.tenant_id == self.tenant.id)
        ).first()
        if pub is not None:
            delete_publication(pub)

    def partner(self):
        existing = db.session.scalars(
            sa.select(Partnership).where(Partnership.tenant_id == self.tenant.id)
        ).all()
        if existing and self.rng.random() < 0.5:
            existing[0].ended_on = _day(self.rng, date(2019, 1, 1))
        else:
            org = b.org(self.tenant, self.munis[1], f"Партнёр {self.rng.randrange(10**6)}")
            b.partnership(self.tenant, org, _day(self.rng, date(2019, 1, 1)))

    def accredit(self):
        n = self.rng.randrange(10**6)
        b.accreditation(
            self.tenant,
            b.decider(),
            f"ЗАЯВ-2019-{n}",
            ReviewState.ACCREDITED,
            valid=(2019, self.rng.choice([2019, 2020, 2021])),
        )

    def thresholds(self):
        t = db.session.get(Tenant, self.tenant.id)
        t.settings = {**t.settings, "thresholds": {"1": self.rng.randrange(1, 20)}}

    def rename_municipality(self):
        m = self.rng.choice(self.munis[:3])
        m.name = f"{m.name.split(' #')[0]} #{self.rng.randrange(100)}"

    def placement(self):
        b.placement(self.tenant, self.rng.choice(self.persons), _day(self.rng, date(2019, 1, 1)))

    WRITES = (
        "edit_contact",
        "edit_contact",
        "change_status",
        "change_status",
        "add_participation",
        "remove_participation",
        "move_person",
        "move_school",
        "move_edition",
        "edit_counts",
        "bulk_persons",
        "delete_placements",
        "delete_publication",
        "partner",
        "accredit",
        "thresholds",
        "rename_municipality",
        "placement",
    )

    def write(self, name: str) -> None:
        try:
            getattr(self, name)()
            db.session.commit()
        except REFUSALS:
            db.session.rollback()

    def keys(self):
        own = [m.id for m in self.munis[:3]]
        for year in YEARS:
            yield year, None, None
            yield year, None, own[:2]
            for m in own:
                yield year, None, [m]
        yield 2020, date(2020, 6, 30), None


def check(bank: RandomBank, step: str) -> int:
    """report_for == build_report for every key; returns how many came from a snapshot."""
    served = 0
    for year, as_of, ids in bank.keys():
        db.session.expire_all()
        stored = rs.stored_report(
            bank.tenant.id, year, as_of or date(year + 1, 1, 1), rs.scope_key(ids)
        )
        got = rs.report_for(bank.tenant.id, year, as_of, ids)
        live = build_report(bank.tenant.id, year, as_of, ids)
        assert got == live, (step, year, as_of, ids)
        served += stored is not None
    return served


def run(factory, seed: int, steps: int) -> int:
    rng = random.Random(seed)
    bank = RandomBank(rng, factory)
    served = check(bank, "start")
    assert served == 0
    assert check(bank, "warm") == len(list(bank.keys()))
    for i in range(steps):
        name = rng.choice(RandomBank.WRITES)
        bank.write(name)
        served += check(bank, f"{i}: {name}")
    return served


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith("SET LOCAL"):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
