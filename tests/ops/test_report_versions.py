"""The report's data versions (``operations.report_versions``): which writes raise them and
which do not, the invalidating set against the report's SQL, and the refresh of stale
snapshots (queued after a commit, nightly)."""

from __future__ import annotations

import random
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Publication, ReportSnapshot
from mkr_web.operations import report_snapshot as rs, report_versions as rv
from mkr_web.operations.people import update_person
from mkr_web.operations.programme import delete_publication
from mkr_web.queries.report import build_report
from tests import factories as b
from tests.report_bank import RandomBank, count_queries


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
        "admission_on",
        "id",
        "municipality_id",
        "organization_id",
        "status",
        "tenant_id",
    }
    outside = []
    for name in sorted(rv.REPORT_TABLES):
        for fk in db.metadata.tables[name].foreign_key_constraints:
            # "SET NULL (x_id)" on PostgreSQL: a composite key (x_id, tenant_id) clears the id
            action = (fk.ondelete or "").upper().split(" (")[0]
            if action in ("CASCADE", "SET NULL") and fk.referred_table.name not in rv.REPORT_TABLES:
                for column in fk.column_keys:
                    if column != "tenant_id":  # never changed by the cascade: it is the row's
                        outside.append((name, column, fk.referred_table.name))
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


@pytest.mark.postgresql  # an advisory lock of PostgreSQL
def test_one_refresh_at_a_time_per_tenant_on_postgresql(factory):
    bank = RandomBank(random.Random(5), factory)
    tid = bank.tenant.id
    rs.report_for(tid, 2019)
    bank.write("accredit")
    with db.engine.connect() as other:
        other.scalar(sa.select(sa.func.pg_advisory_lock(rs.REFRESH_LOCK, tid)))
        assert rs.refresh_stale(tid) == 0  # another refresh of this tenant runs
        other.scalar(sa.select(sa.func.pg_advisory_unlock(rs.REFRESH_LOCK, tid)))
        other.commit()
    assert rs.refresh_stale(tid) == 1
    assert rs.refresh_stale(tid) == 0  # nothing stale left
