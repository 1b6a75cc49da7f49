"""The report's data versions: ``ReportVersion.version`` of a tenant goes up by one in the same
transaction as every write of a row the annual report reads (:data:`REPORT_MODELS`).
:mod:`.report_snapshot` serves a stored report only while its version is the current one.

``build_report(t, …)`` is a function of the rows of :data:`REPORT_MODELS` with ``tenant_id =
t`` (and of tenant ``t``'s own row) and of the code. ``ReportVersion.version`` of ``t`` goes
up by one in the same transaction as every write of such a row, so the rows a snapshot was
built from are the rows of today whenever its version is today's version:

* ORM writes: an ``after_flush`` listener notes the tenants of every new or deleted object of
  those models, and of every changed one whose change touches a column the report reads
  (:data:`READ_COLUMNS`) or a relationship; ``before_commit`` flushes, then raises the noted
  tenants' versions.
* ORM-enabled DML (``session.execute(sa.update(Model)…)``, ``delete``, ``insert``): a
  ``do_orm_execute`` listener notes the tenants: an INSERT's from its rows' ``tenant_id``, an
  UPDATE's or DELETE's by selecting the distinct ``tenant_id`` of the rows its WHERE matches,
  just before it runs. What it cannot tell (no WHERE, rows without ``tenant_id``) raises the
  version of every tenant.
* ``COPY`` (``operations.bulk.insert_rows`` on PostgreSQL) calls :func:`note_rows`.
* A database cascade (ON DELETE CASCADE / SET NULL) only starts from a row of these models
  (``tests/ops/test_report_versions.py`` checks the foreign keys).

A write outside the ORM session (raw SQL on a connection) is not seen: write through the
session, or call :func:`note_rows`. The version is raised at commit (not at the first flush),
so a long import holds the tenant's version row only for its commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import ColumnProperty, Session

from ..extensions import db
from ..models import (
    AccreditationApplication,
    Event,
    EventEdition,
    Municipality,
    Opportunity,
    Organization,
    Participation,
    ParticipationCount,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    ReportVersion,
    Tenant,
)

#: Every model whose rows ``build_report`` reads (a test compares this with the tables in the
#: SQL it runs).
REPORT_MODELS = (
    Tenant,
    Municipality,
    Organization,
    Person,
    PersonStatusChange,
    Event,
    EventEdition,
    Participation,
    ParticipationCount,
    AccreditationApplication,
    Opportunity,
    Placement,
    Publication,
    Partnership,
)
REPORT_TABLES = frozenset(m.__table__.name for m in REPORT_MODELS)

#: Per table, the columns the report's SQL names (``tests/ops/test_report_versions.py``
#: derives them from the SQL it runs and checks that these cover them). A change of other
#: columns of an existing row (a person's phone, a status change's comment) cannot change
#: the report, so it leaves the version as it is. New and deleted rows always raise it.
READ_COLUMNS = {
    "accreditation_application": frozenset(
        {"decided_at", "number", "state", "tenant_id", "title", "valid_from_year", "valid_to_year"}
    ),
    "event": frozenset({"direction", "id", "kind", "title", "tenant_id"}),
    "event_edition": frozenset({"event_id", "id", "note", "state", "tenant_id", "title", "year"}),
    "municipality": frozenset({"id", "kind", "name", "sort_order", "tenant_id"}),
    "opportunity": frozenset({"id", "kind", "tenant_id"}),
    # "kind" for the lists kept under the version (queries.people.higher_education_choices)
    "organization": frozenset(
        {"id", "is_regional_subordination", "kind", "municipality_id", "name", "tenant_id"}
    ),
    "participation": frozenset({"edition_id", "person_id", "tenant_id"}),
    "participation_count": frozenset({"count", "edition_id", "id", "municipality_id", "tenant_id"}),
    "partnership": frozenset({"ended_on", "started_on", "tenant_id"}),
    # "status", "admission_on" for the registry's counts kept under the version
    # (queries.people._count); the report reads them from the status changes
    "person": frozenset(
        {"admission_on", "id", "municipality_id", "organization_id", "status", "tenant_id"}
    ),
    "person_status_change": frozenset({"changed_on", "id", "person_id", "tenant_id", "to_status"}),
    "placement": frozenset({"opportunity_id", "person_id", "placed_on", "tenant_id"}),
    "publication": frozenset({"outlet", "outlet_kind", "published_on", "tenant_id"}),
    # tenant: every column (no entry)
}

EVERY_TENANT = "*"
_NOTED = "mkr_report_tenants"  # session.info: tenants whose version this transaction raises
_BUMPED = "mkr_report_bumped"  # session.info: tenants whose version the commit raised
_on_commit = []  # callbacks(tenants) after a commit raised versions (the refresh)


def current_version(tenant_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(ReportVersion.version).where(ReportVersion.tenant_id == tenant_id)
        )
        or 0
    )


def writes_pending(session: Session) -> bool:
    """Whether this session's transaction has written (or holds unflushed) report rows."""
    return bool(session.info.get(_NOTED)) or any(
        _is_report_row(o) for o in (*session.new, *session.dirty, *session.deleted)
    )


# -- invalidation ---------------------------------------------------------------------------


def _note(session: Session, tenants) -> None:
    session.info.setdefault(_NOTED, set()).update(tenants)


def note_rows(model, rows: list[dict]) -> None:
    """Rows of ``model`` written outside the unit of work (COPY): their tenants' reports
    change at this transaction's commit."""
    if model.__table__.name not in REPORT_TABLES:
        return
    tenants = {r.get("tenant_id") for r in rows}
    _note(db.session(), {EVERY_TENANT} if None in tenants else tenants)


def _tenant_of(obj):
    if isinstance(obj, Tenant):
        return obj.id
    return getattr(obj, "tenant_id", None)


def _is_report_row(obj) -> bool:
    return getattr(type(obj), "__tablename__", None) in REPORT_TABLES


def _changes_what_the_report_reads(obj) -> bool:
    """Whether a changed (dirty) object has a changed column the report reads, or a changed
    relationship (conservatively: its foreign keys are set only during the flush)."""
    read = READ_COLUMNS.get(type(obj).__tablename__)
    if read is None:
        return True
    state = sa.inspect(obj)
    for prop in state.mapper.attrs:
        if not state.attrs[prop.key].history.has_changes():
            continue
        if not isinstance(prop, ColumnProperty):
            return True
        if any(getattr(c, "name", None) in read for c in prop.columns):
            return True
    return False


def _after_flush(session: Session, _context) -> None:
    tenants = set()
    changed = [o for o in session.dirty if _is_report_row(o) and _changes_what_the_report_reads(o)]
    for obj in (*session.new, *changed, *session.deleted):
        if _is_report_row(obj):
            tenant = _tenant_of(obj)
            if tenant is None and not isinstance(obj, Tenant):
                tenant = EVERY_TENANT
            if tenant is not None:
                tenants.add(tenant)
    if tenants:
        _note(session, tenants)


def _dml_tenants(state) -> set:
    stmt = state.statement
    table = stmt.table
    key = table.c.id if table.name == "tenant" else table.c.get("tenant_id")
    if key is None:
        return {EVERY_TENANT}
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        tenants = {r.get(key.key) for r in rows}
        if table.name == "tenant":
            return set()  # a new tenant has no report yet
        return {EVERY_TENANT} if not rows or None in tenants else tenants
    where = stmt.whereclause
    if where is None:
        return {EVERY_TENANT}
    return set(state.session.scalars(sa.select(key).where(where).distinct()))


def _on_orm_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) not in REPORT_TABLES:
        return
    _note(state.session, _dml_tenants(state))


def bump_versions(connection, tenants) -> None:
    """Raise the report version of ``tenants`` (or of every tenant) by one."""
    rv = ReportVersion.__table__
    source = sa.select(Tenant.id, sa.literal(1)).order_by(Tenant.id)
    if EVERY_TENANT not in tenants:
        source = source.where(Tenant.id.in_(sorted(t for t in tenants if t is not None)))
    else:
        source = source.where(sa.true())  # SQLite's INSERT … SELECT … ON CONFLICT needs a WHERE
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = (
        insert(rv)
        .from_select(["tenant_id", "version"], source)
        .on_conflict_do_update(index_elements=[rv.c.tenant_id], set_={"version": rv.c.version + 1})
    )
    connection.execute(stmt)


def _before_commit(session: Session) -> None:
    session.flush()  # a no-op when clean; else after_flush notes its rows first
    tenants = session.info.pop(_NOTED, None)
    if tenants:
        bump_versions(session.connection(), tenants)
        session.info.setdefault(_BUMPED, set()).update(tenants)


def _after_commit(session: Session) -> None:
    tenants = session.info.pop(_BUMPED, None)
    if tenants:
        for callback in _on_commit:
            callback(tenants)


def _after_soft_rollback(session: Session, previous) -> None:
    if previous.parent is None:
        session.info.pop(_NOTED, None)
        session.info.pop(_BUMPED, None)


_LISTENERS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _on_orm_execute),
    ("before_commit", _before_commit),
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
)


def install(on_commit=None) -> None:
    """Listen on every ORM session (idempotent); ``on_commit(tenants)`` runs after a commit
    that raised their versions."""
    if on_commit is not None and on_commit not in _on_commit:
        _on_commit.append(on_commit)
    for name, fn in _LISTENERS:
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)


def uninstall() -> None:
    """Stop listening (tests: shows that the equality test needs the listeners)."""
    for name, fn in _LISTENERS:
        if sa.event.contains(Session, name, fn):
            sa.event.remove(Session, name, fn)
