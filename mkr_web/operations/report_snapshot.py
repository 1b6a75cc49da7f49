"""The annual report served from stored snapshots that are provably the live query's result.

:func:`report_for` is :func:`mkr_web.queries.report.build_report` with a memory: it returns
the stored ``ReportSnapshot`` of (tenant, year, as-of date, scope) when the snapshot was built
at the tenant's current data version (and by this code), else it runs ``build_report`` and
stores the result tagged with the version it read *before* running it.

Why a served snapshot equals the live query
-------------------------------------------
``build_report(t, …)`` is a function of the rows of ``report_versions.REPORT_MODELS`` of
tenant ``t`` and of the code. :mod:`.report_versions` raises ``ReportVersion.version`` of
``t`` in the same transaction as every write of such a row (how, and what it does not see:
its docstring). So the rows a snapshot was built from are today's whenever its version is
today's version.

The version is read before ``build_report`` runs. A write committed after that read raises the
version, so the stored result is stale at once; a write committed before it is in the result.
Under READ COMMITTED (PostgreSQL's default) each statement sees what was committed when it
started, so a result can only be *newer* than its tag, never older. A reader inside a
transaction that has written report rows itself gets the live query and stores nothing.

The key holds every input of ``build_report``: tenant, year, the as-of date (the default
filled in), and the scope (the whole bank, or the sorted municipality ids of a coordinator's
report). Nothing in the report depends on today's date. ``CODE_VERSION`` (a hash of the
report's source files) retires the snapshots of an older release. The payload is the JSON
text of the result, and is stored only when ``json.loads`` of it gives back an equal dict.

Refresh: the first reader after a write pays the live query once. With a worker (not with
eager tasks), a commit that raised a tenant's version also queues ``mkr.report.refresh``
(debounced, see :func:`queue_refresh`), which rebuilds that tenant's stale year-end snapshots;
a nightly run (``mkr.report.refresh_all``) rebuilds every tenant's and drops old interim ones.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import ReportSnapshot, ReportVersion
from ..models.base import utcnow
from ..queries import report as report_queries
from ..queries.report import build_report, default_as_of
from .report_versions import (
    EVERY_TENANT,
    current_version,
    install as install_versions,
    writes_pending,
)

log = logging.getLogger(__name__)

REFRESH_TASK = "mkr.report.refresh"
REFRESH_KEYS = 12  # the most snapshots one refresh rebuilds (newest years first)
_queued_at: dict[int, float] = {}  # tenant -> when this process last queued its refresh


def _code_version() -> str:
    """A hash of the sources that shape the report's dict, and of the migrations' names (a
    migration may change rows behind the listeners' back: a new one retires every snapshot)."""
    from .. import models

    root = Path(report_queries.__file__).parent
    files = [
        root / "report.py",
        root / "report_events.py",
        root / "report_criteria.py",
        Path(models.__file__).parent / "programme.py",
        Path(models.__file__).parent / "events.py",
        Path(models.__file__).parent / "tenancy.py",
        Path(__file__),
    ]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    migrations = Path(models.__file__).parent.parent.parent / "migrations" / "versions"
    for name in sorted(p.name for p in migrations.glob("*.py")):
        digest.update(name.encode())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def install() -> None:
    """The version listeners, with the refresh queued after their commits; ``create_app``
    calls it."""
    install_versions(on_commit=queue_refresh)


# -- refreshing -----------------------------------------------------------------------------


def queue_refresh(tenants) -> None:
    """After a commit raised these tenants' versions: queue ``mkr.report.refresh`` for each,
    at most once per ``MKR_REPORT_REFRESH_SECONDS`` per tenant and process, delayed by as
    much (a burst of writes, one rebuild). Never with eager tasks (no worker: the next reader
    pays), never failing the write (a broker that is down loses the refresh; the next reader,
    or the nightly run, rebuilds)."""
    if not has_app_context() or EVERY_TENANT in tenants:
        return
    delay = current_app.config.get("MKR_REPORT_REFRESH_SECONDS", 0)
    celery = current_app.extensions.get("celery")
    if not delay or celery is None or celery.conf.task_always_eager:
        return
    now = time.monotonic()
    for tenant_id in sorted(tenants):
        if now - _queued_at.get(tenant_id, -delay) < delay:
            continue
        _queued_at[tenant_id] = now
        try:
            celery.tasks[REFRESH_TASK].apply_async(
                (tenant_id,),
                countdown=delay,
                ignore_result=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            )
        except Exception as exc:  # noqa: BLE001 - a broker that is down must not fail a write
            log.warning("report refresh of tenant %s not queued: %s", tenant_id, type(exc).__name__)
            return


def stale_snapshots(tenant_id: int | None = None, limit: int = REFRESH_KEYS) -> list:
    """(tenant_id, year, as_of, scope) of stored year-end reports that are stale, newest year
    first (interim reports, as of another date, are rebuilt only when read)."""
    s, rv = ReportSnapshot, ReportVersion
    current = sa.func.coalesce(rv.version, 0)
    query = (
        sa.select(s.tenant_id, s.year, s.as_of, s.scope)
        .outerjoin(rv, rv.tenant_id == s.tenant_id)
        .where(sa.or_(s.data_version != current, s.code_version != CODE_VERSION))
        .order_by(s.year.desc(), (s.scope == "*").desc(), s.built_at.desc())
        .limit(limit * 4)
    )
    if tenant_id is not None:
        query = query.where(s.tenant_id == tenant_id)
    rows = [r for r in db.session.execute(query).all() if r.as_of == default_as_of(r.year)]
    return rows[:limit]


REFRESH_LOCK = 1405  # the first key of the PostgreSQL advisory lock of a tenant's refresh


def refresh_stale(tenant_id: int | None = None, limit: int = REFRESH_KEYS) -> int:
    """Rebuild the stale year-end snapshots (of one tenant, or of all); returns how many. On
    PostgreSQL one refresh at a time per tenant: another one running, this one does nothing."""
    if tenant_id is None or db.engine.dialect.name != "postgresql":
        return _refresh(tenant_id, limit)
    with db.engine.connect() as lock:
        if not lock.scalar(sa.select(sa.func.pg_try_advisory_lock(REFRESH_LOCK, tenant_id))):
            return 0
        try:
            return _refresh(tenant_id, limit)
        finally:
            lock.execute(sa.select(sa.func.pg_advisory_unlock(REFRESH_LOCK, tenant_id)))
            lock.commit()


def _refresh(tenant_id: int | None, limit: int) -> int:
    done = 0
    for tid, year, as_of, scope in stale_snapshots(tenant_id, limit):
        ids = None if scope == "*" else [int(i) for i in scope.split(",") if i]
        report_for(tid, year, as_of, ids)
        db.session.rollback()  # the read's transaction; the snapshot was stored on its own
        done += 1
    return done


def forget_old_interim(days: int = 7) -> int:
    """Delete snapshots of interim reports (as of a date other than the year's end) built
    more than ``days`` ago: any date may be asked for, so they would pile up."""
    cutoff = utcnow() - timedelta(days=days)
    old = [
        (i, year, as_of)
        for i, year, as_of in db.session.execute(
            sa.select(ReportSnapshot.id, ReportSnapshot.year, ReportSnapshot.as_of).where(
                ReportSnapshot.built_at < cutoff
            )
        ).all()
        if as_of != default_as_of(year)
    ]
    if old:
        db.session.execute(
            sa.delete(ReportSnapshot).where(ReportSnapshot.id.in_([o[0] for o in old]))
        )
    return len(old)


# -- reading --------------------------------------------------------------------------------


def scope_key(municipality_ids: list[int] | None) -> str:
    if municipality_ids is None:
        return "*"
    return ",".join(str(i) for i in sorted(set(municipality_ids)))


def _stored_statement():
    s, rv = ReportSnapshot.__table__, ReportVersion.__table__
    tenant = sa.bindparam("tenant_id")
    current = sa.func.coalesce(
        sa.select(rv.c.version).where(rv.c.tenant_id == tenant).scalar_subquery(), 0
    )
    return sa.select(s.c.payload).where(
        s.c.tenant_id == tenant,
        s.c.year == sa.bindparam("year"),
        s.c.as_of == sa.bindparam("as_of", type_=sa.Date),
        s.c.scope == sa.bindparam("scope"),
        s.c.data_version == current,
        s.c.code_version == sa.bindparam("code_version"),
    )


#: built once (a Core statement: the compiled form is cached, the warm read is its one query)
STORED = _stored_statement()


def stored_report(tenant_id: int, year: int, as_of: date, scope: str) -> dict | None:
    """The snapshot's report when it is current (one query), else None."""
    payload = (
        db.session.connection()
        .execute(
            STORED,
            {
                "tenant_id": tenant_id,
                "year": year,
                "as_of": as_of,
                "scope": scope,
                "code_version": CODE_VERSION,
            },
        )
        .scalar()
    )
    return None if payload is None else json.loads(payload)


def _store(tenant_id: int, year: int, as_of: date, scope: str, version: int, report: dict):
    text = json.dumps(report, ensure_ascii=False)
    if json.loads(text) != report:
        log.warning("report of tenant %s, %s: not stored (no JSON round trip)", tenant_id, year)
        return
    values = {
        "tenant_id": tenant_id,
        "year": year,
        "as_of": as_of,
        "scope": scope,
        "data_version": version,
        "code_version": CODE_VERSION,
        "payload": text,
    }
    table = ReportSnapshot.__table__
    session_conn = db.session.connection()
    if (
        session_conn.dialect.name == "sqlite"
        and session_conn.connection.dbapi_connection.in_transaction
    ):
        return  # SQLite: this session holds the write lock; the next reader stores it
    try:
        # its own short transaction: a page that only reads commits nothing
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(table).values(**values, built_at=utcnow())
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "year", "as_of", "scope"],
                    set_={
                        "data_version": stmt.excluded.data_version,
                        "code_version": stmt.excluded.code_version,
                        "payload": stmt.excluded.payload,
                        "built_at": stmt.excluded.built_at,
                    },
                )
            )
    except SQLAlchemyError:  # a cache write never fails the read
        log.exception("report snapshot of tenant %s, %s not stored", tenant_id, year)


def report_for(
    tenant_id: int, year: int, as_of: date | None = None, municipality_ids: list[int] | None = None
) -> dict:
    """``build_report(tenant_id, year, as_of, municipality_ids)``, from its snapshot when current."""
    as_of = as_of or default_as_of(year)
    if writes_pending(db.session()):
        return build_report(tenant_id, year, as_of, municipality_ids)
    scope = scope_key(municipality_ids)
    stored = stored_report(tenant_id, year, as_of, scope)
    if stored is not None:
        return stored
    version = current_version(tenant_id)  # before the live query: a later write makes it stale
    report = build_report(tenant_id, year, as_of, municipality_ids)
    _store(tenant_id, year, as_of, scope, version, report)
    return report
