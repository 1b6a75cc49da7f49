"""The report's snapshots (``operations.report_snapshot``) equal the live query after every
write: a seeded random tenant, a random sequence of writes through the operations (and the
builders' ORM writes, ORM DML, the bulk COPY path), and after each one ``report_for`` against
``build_report`` for every year, as-of date and scope. The live query is the oracle (its
numbers are checked against literal values in ``test_report.py``). Without the listeners, or
with a model left out of the invalidating set, the same sequence goes red."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from mkr_web.errors import REFUSALS
from mkr_web.extensions import db
from mkr_web.models import (
    CountCategory,
    EditionState,
    EventKind,
    OutletKind,
    Participation,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    ReportSnapshot,
    ReportVersion,
    Tenant,
)
from mkr_web.operations import report_snapshot as rs, report_versions as rv
from mkr_web.operations.events import EditionData, save_counts, save_edition
from mkr_web.operations.people import Step, add_persons_bulk, change_status, update_person
from mkr_web.operations.programme import delete_opportunity, delete_publication
from mkr_web.queries.report import build_report
from tests import factories as b
from workflows.lifecycle import LIFECYCLE, PersonStatus as S

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
            rs_accredited(),
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


def rs_accredited():
    from workflows.review import ReviewState

    return ReviewState.ACCREDITED


def _check(bank: RandomBank, step: str) -> int:
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


def _run(factory, seed: int, steps: int) -> int:
    rng = random.Random(seed)
    bank = RandomBank(rng, factory)
    served = _check(bank, "start")
    assert served == 0
    assert _check(bank, "warm") == len(list(bank.keys()))
    for i in range(steps):
        name = rng.choice(RandomBank.WRITES)
        bank.write(name)
        served += _check(bank, f"{i}: {name}")
    return served


def test_snapshots_equal_the_live_report_after_every_write(factory):
    served = _run(factory, seed=1405, steps=40)
    assert served > 0  # after the writes the report does not read, the snapshots were served


def test_versions_rise_once_per_committed_write_and_not_on_rollback(factory):
    t = factory.tenant("ver")
    other = factory.tenant("ver2")
    version = rv.current_version
    v0, w0 = version(t.id), version(other.id)
    b.publication(t, date(2019, 5, 1), "сайт")
    db.session.commit()
    assert (version(t.id), version(other.id)) == (v0 + 1, w0)
    b.publication(t, date(2019, 5, 2), "сайт")
    db.session.rollback()
    db.session.commit()
    assert version(t.id) == v0 + 1
    db.session.commit()  # nothing written: nothing raised
    assert version(t.id) == v0 + 1
    pub = db.session.scalars(sa.select(Publication)).one()
    delete_publication(pub)
    db.session.commit()
    assert version(t.id) == v0 + 2
    b.publication(other, date(2019, 5, 2), "сайт")
    db.session.commit()
    assert (version(t.id), version(other.id)) == (v0 + 2, w0 + 1)
    # ORM DML with a WHERE: only the tenants of the rows it matches
    db.session.execute(sa.delete(Publication).where(Publication.outlet == "нет такого"))
    db.session.commit()
    assert (version(t.id), version(other.id)) == (v0 + 2, w0 + 1)
    db.session.execute(sa.delete(Publication).where(Publication.tenant_id == other.id))
    db.session.commit()
    assert (version(t.id), version(other.id)) == (v0 + 2, w0 + 2)
    # a person's phone (not read by the report): unchanged; the person's municipality: raised
    p = b.person(t, b.municipality(t, "Первый район"))
    db.session.commit()
    v = version(t.id)
    update_person(p, {"phone": "+7 900 000 00 00"}, expected_version=None)
    db.session.commit()
    assert version(t.id) == v
    update_person(
        p, {"municipality_id": b.municipality(t, "Второй район").id}, expected_version=None
    )
    db.session.commit()
    assert version(t.id) == v + 1
    # ORM DML without a WHERE: every tenant
    db.session.execute(sa.update(Publication).values(outlet="x"))
    db.session.commit()
    assert (version(t.id), version(other.id)) == (v + 2, w0 + 3)


def test_a_warm_read_is_one_query_and_a_write_makes_it_cold(factory):
    bank = RandomBank(random.Random(7), factory)
    tid = bank.tenant.id
    first = rs.report_for(tid, 2019)
    db.session.expire_all()
    with count_queries() as warm:
        again = rs.report_for(tid, 2019)
    assert again == first
    assert len(warm) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSnapshot)) == 1
    bank.write("accredit")
    db.session.expire_all()
    with count_queries() as cold:
        rs.report_for(tid, 2019)
    assert len(cold) > 10  # the live query ran again
    snap = db.session.scalars(sa.select(ReportSnapshot)).one()
    assert (
        snap.data_version == rv.current_version(tid) == db.session.get(ReportVersion, tid).version
    )


def test_a_reader_with_its_own_uncommitted_writes_stores_nothing(factory):
    bank = RandomBank(random.Random(3), factory)
    tid = bank.tenant.id
    b.publication(bank.tenant, date(2019, 7, 1), "ещё сайт")
    report = rs.report_for(tid, 2019)
    assert report == build_report(tid, 2019)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSnapshot)) == 0


@pytest.mark.parametrize(
    "mutation, write",
    [
        ("no listeners", "edit_counts"),
        ("participation_count left out", "edit_counts"),
        ("COPY rows not noted", "bulk_persons"),
        ("person.municipality_id not among the columns read", "move_person"),
    ],
)
def test_the_equality_test_catches_a_missed_write(factory, monkeypatch, mutation, write):
    from mkr_web.operations import bulk

    if mutation == "no listeners":
        rv.uninstall()
    elif mutation == "participation_count left out":
        monkeypatch.setattr(rv, "REPORT_TABLES", rv.REPORT_TABLES - {"participation_count"})
    elif mutation.startswith("person.municipality_id"):
        read = {**rv.READ_COLUMNS, "person": rv.READ_COLUMNS["person"] - {"municipality_id"}}
        monkeypatch.setattr(rv, "READ_COLUMNS", read)
    else:
        if not bulk.copies():
            pytest.skip("COPY is PostgreSQL's (elsewhere the rows go through ORM DML)")
        monkeypatch.setattr(bulk, "note_rows", lambda *a: None)
    try:
        rng = random.Random(1405)
        bank = RandomBank(rng, factory)
        _check(bank, "start")
        with pytest.raises(AssertionError):
            for _ in range(30):
                bank.write(write)
                _check(bank, write)
    finally:
        rs.install()


def test_the_invalidating_set_holds_every_table_the_report_reads(factory):
    """Every table named in the report's SQL is in ``REPORT_TABLES``. And a row the report
    reads changes under ON DELETE CASCADE / SET NULL only when a row the listeners see is
    deleted, or in a column the report's SQL never names."""
    bank = RandomBank(random.Random(11), factory)
    names = set(db.metadata.tables)
    seen = set()
    tid, first = bank.tenant.id, bank.munis[0].id  # loaded before counting
    db.session.expire_all()
    with count_queries() as statements:
        build_report(tid, 2019, None, [first])
        build_report(tid, 2020, date(2020, 6, 1))
    for sql in statements:
        seen |= {n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", sql)}
    assert seen >= {"person", "person_status_change", "participation", "placement"}
    assert seen <= rv.REPORT_TABLES, seen - rv.REPORT_TABLES
    text = "\n".join(statements)
    for name in sorted(seen):
        table = db.metadata.tables[name]
        named = {
            c.name
            for c in table.columns
            if re.search(rf"(?<![\w.]){name}(?:_\d+)?\.{c.name}(?!\w)", text)
        }
        read = rv.READ_COLUMNS.get(name, {c.name for c in table.columns})
        assert named <= read, (name, named - read)
    assert {c for c in rv.READ_COLUMNS["person"]} == {
        "id",
        "municipality_id",
        "organization_id",
        "tenant_id",
    }
    outside = []
    for name in sorted(rv.REPORT_TABLES):
        for fk in db.metadata.tables[name].foreign_keys:
            if (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                if fk.column.table.name not in rv.REPORT_TABLES:
                    outside.append((name, fk.parent.name, fk.column.table.name))
    assert sorted(outside) == [
        ("accreditation_application", "created_by_id", "user"),
        ("accreditation_application", "decided_by_id", "user"),
        ("accreditation_application", "regulation_file_id", "stored_file"),
        ("person_status_change", "user_id", "user"),
        ("placement", "nomination_id", "nomination"),
    ]
    text = "\n".join(statements)
    for table, column, _target in outside:
        assert not re.search(rf"\b{column}\b", text), (table, column)


from contextlib import contextmanager  # noqa: E402


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


def test_refresh_rebuilds_the_stale_year_end_snapshots(factory):
    bank = RandomBank(random.Random(5), factory)
    tid = bank.tenant.id
    for year, as_of, ids in bank.keys():
        rs.report_for(tid, year, as_of, ids)
    assert rs.stale_snapshots(tid) == []
    bank.write("accredit")
    stale = rs.stale_snapshots(tid)
    assert len(stale) == 10  # 2 years × 5 scopes; the interim report (30.06.2020) is left
    assert rs.refresh_stale(tid) == 10
    assert rs.stale_snapshots(tid) == []
    for year, as_of, ids in bank.keys():
        if as_of is None:
            stored = rs.stored_report(tid, year, date(year + 1, 1, 1), rs.scope_key(ids))
            assert stored == build_report(tid, year, None, ids)
    assert rs.stored_report(tid, 2020, date(2020, 6, 30), "*") is None


def test_a_broker_that_is_down_does_not_fail_the_write(factory, monkeypatch):
    from flask import current_app

    celery = current_app.extensions["celery"]
    sent = []

    def down(*args, **kw):
        sent.append(args)
        raise ConnectionError("no broker")

    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    monkeypatch.setitem(current_app.config, "MKR_REPORT_REFRESH_SECONDS", 30)
    monkeypatch.setattr(celery.tasks[rs.REFRESH_TASK], "apply_async", down)
    monkeypatch.setattr(rs, "_queued_at", {})
    t = factory.tenant("down")
    v = rv.current_version(t.id)
    b.publication(t, date(2019, 5, 1), "сайт")
    db.session.commit()
    assert sent == [((t.id,),)]
    assert rv.current_version(t.id) == v + 1
    b.publication(t, date(2019, 5, 2), "сайт")
    db.session.commit()  # within the debounce: not queued again
    assert len(sent) == 1 and rv.current_version(t.id) == v + 2


def test_a_write_committed_during_the_live_query_leaves_the_snapshot_stale(factory, monkeypatch):
    """Another transaction commits a publication right after the live query has run (before
    the result is stored): the stored result lacks it and must not be served."""
    from sqlalchemy.orm import Session

    bank = RandomBank(random.Random(9), factory)
    tid = bank.tenant.id
    real = rs.build_report

    def build_then_race(*args, **kw):
        report = real(*args, **kw)
        with Session(db.engine) as other:
            b_pub = Publication(
                tenant_id=tid,
                title="Гонка",
                outlet="гонка",
                outlet_kind=OutletKind.PARTNER_SITE,
                published_on=date(2019, 9, 1),
            )
            other.add(b_pub)
            other.commit()
        return report

    monkeypatch.setattr(rs, "build_report", build_then_race)
    raced = rs.report_for(tid, 2019)
    monkeypatch.setattr(rs, "build_report", real)
    db.session.expire_all()
    live = build_report(tid, 2019)
    assert raced != live  # the race changed criterion 6
    assert rs.report_for(tid, 2019) == live


def test_the_nightly_run_refreshes_year_end_reports_and_drops_old_interim_ones(factory):
    from mkr_web.tasks import refresh_all_report_snapshots

    bank = RandomBank(random.Random(13), factory)
    tid = bank.tenant.id
    rs.report_for(tid, 2019)
    rs.report_for(tid, 2019, date(2019, 6, 30))
    rs.report_for(tid, 2020, date(2020, 3, 1))
    db.session.execute(
        sa.update(ReportSnapshot)
        .where(ReportSnapshot.as_of == date(2019, 6, 30))
        .values(built_at=datetime(2020, 1, 1))
    )
    db.session.commit()
    bank.write("accredit")
    assert refresh_all_report_snapshots() == {"refreshed": 1, "dropped": 1}
    rows = db.session.execute(
        sa.select(ReportSnapshot.year, ReportSnapshot.as_of).order_by(ReportSnapshot.as_of)
    ).all()
    assert rows == [(2019, date(2020, 1, 1)), (2020, date(2020, 3, 1))]
    assert rs.stored_report(tid, 2019, date(2020, 1, 1), "*") == build_report(tid, 2019)
    assert rs.stored_report(tid, 2020, date(2020, 3, 1), "*") is None  # stale, left to readers
