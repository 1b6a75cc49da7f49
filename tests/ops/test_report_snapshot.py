"""The report's snapshots (``operations.report_snapshot``) equal the live query after every
write: a seeded random tenant (``tests/report_bank.py``), a random sequence of writes through
the operations (and the builders' ORM writes, ORM DML, the bulk COPY path), and after each one
``report_for`` against ``build_report`` for every year, as-of date and scope. The live query is
the oracle (its numbers are checked against literal values in ``test_report.py``). Without the
listeners, with a table or a column left out, or with the version read after the query, the
same checks go red."""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import OutletKind, Publication, ReportSnapshot, ReportVersion
from mkr_web.operations import report_snapshot as rs, report_versions as rv
from mkr_web.queries.report import build_report
from tests import factories as b
from tests.report_bank import RandomBank, check, count_queries, run


def test_snapshots_equal_the_live_report_after_every_write(factory):
    served = run(factory, seed=1405, steps=40)
    assert served > 0  # after the writes the report does not read, the snapshots were served


@pytest.mark.parametrize(
    "mutation, write",
    [
        ("no listeners", "edit_counts"),
        ("participation_count left out", "edit_counts"),
        pytest.param("COPY rows not noted", "bulk_persons", marks=pytest.mark.postgresql),
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
        assert bulk.copies()  # COPY is PostgreSQL's (elsewhere the rows go through ORM DML)
        monkeypatch.setattr(bulk, "note_rows", lambda *a: None)
    try:
        rng = random.Random(1405)
        bank = RandomBank(rng, factory)
        check(bank, "start")
        with pytest.raises(AssertionError):
            for _ in range(30):
                bank.write(write)
                check(bank, write)
    finally:
        rs.install()


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
