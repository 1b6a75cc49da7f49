"""How the app uses its database driver: when a pooled connection is pinged, which cursor
PostgreSQL's connections hand out, and that their prepared statements outlive a request.
All three are installed by :func:`tune` on the app's engine; SQLite's connections are left
as they are.

**Ping.** A pooled database connection is tested before use only after it has lain idle.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout, so every request paid
a round trip to PostgreSQL before its first query (~0.3 ms in-process, more under load,
where each round trip is two context switches on a busy machine). A connection handed back
a moment ago by the previous request is as alive as the pool can know; the one that may
have died (a PostgreSQL restart, a failover, an idle timeout in a proxy) is the one that
lay in the pool. So here a connection is pinged only when it was checked in more than
``MKR_DB_PING_IDLE`` seconds ago (default 2; 0 pings every checkout, as ``pool_pre_ping``
did). A dead one is thrown away and the pool tries a fresh connection (SQLAlchemy's
``DisconnectionError`` contract, up to three times), so the request that finds it never
sees the error. A database that is down still fails that request, with its own message
(``/healthz`` answers 503).

**Cursor.** A psycopg cursor's ``description`` builds a ``Column`` object per column of
the result (its name decoded, its type looked up: ~3 µs each) every time it is read, and
SQLAlchemy reads it once per statement, to see that rows came back, and then keeps the
result's metadata from the first execution of a cached statement: it does not look at the
columns again. The session row (45 columns), a person (40) or a page's rows paid it on
every request (~15% of the user loader). :class:`LazyDescriptionCursor` answers the same
list, built when it is first indexed or iterated, from the result it describes.

**Prepared statements.** Every statement is parsed and planned by PostgreSQL on every run,
except the few marked ``execution_options(mkr_prepared=True)`` (:data:`PREPARED`): lookups by a
unique key or of one person's few rows, the same plan whatever the key (the session row, run
on every request: 1.1 ms parsed and planned each time, 0.25 ms prepared; a person and the
lists of their card) and the coordinator's coverage table (EXISTS probes per municipality:
0.7 ms to plan, 0.06 to run). Those are prepared on their first run on a
connection and PostgreSQL plans them once (a generic plan). Any other statement is never
prepared (psycopg's own rule prepares whatever a connection ran five times): a generic plan
of a tenant's query is made for an average tenant, and with one tenant of 300,000 persons
among 85 that average misleads it: the coordinator's registry page, planned for ~14 rows,
read 30,000 rows of the largest tenant (78 ms instead of 1.6).

psycopg forgets every prepared statement of a connection at each ``ROLLBACK`` (and sends
``DEALLOCATE ALL``), and every request ends in one (the session's ``remove()``), so nothing
stayed prepared past its request. :class:`KeepPreparedConnection` keeps them across the
ROLLBACK of a transaction in which nothing failed. PostgreSQL keeps a prepared statement
across ROLLBACK (preparing is not transactional); what psycopg guards against is a statement
it sent to be prepared in a transaction that had already failed, which PostgreSQL never
prepared: such a transaction is rolled back psycopg's own way, forgetting them all. A
``DROP``, ``ALTER`` or ``DISCARD`` run by the app still makes psycopg forget them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import psycopg
import sqlalchemy as sa

DEFAULT_IDLE_SECONDS = 2.0
#: The execution option that prepares a statement (see the module's docstring).
PREPARED = "mkr_prepared"
_CHECKED_IN_AT = "mkr_checked_in_at"


def tune(engine: sa.Engine, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
    """On PostgreSQL: the idle ping, the lazy cursor description, the prepared lookups."""
    if engine.dialect.name != "postgresql":
        return
    _ping_after_idle(engine, idle_seconds)

    @sa.event.listens_for(engine, "do_connect")
    def _keep_prepared(dialect, record, cargs, cparams):
        return KeepPreparedConnection.connect(*cargs, **cparams)

    @sa.event.listens_for(engine, "connect")
    def _lazy_description(dbapi_connection, record):
        dbapi_connection.cursor_factory = LazyDescriptionCursor

    @sa.event.listens_for(engine, "do_execute")
    def _prepare_if_marked(cursor, statement, parameters, context):
        if isinstance(cursor, psycopg.ServerCursor):
            return False  # a streamed result's named cursor: psycopg never prepares it
        prepare = bool(context.execution_options.get(PREPARED))
        cursor.execute(statement, parameters, prepare=prepare)
        return True  # executed


class _Described:
    """What ``psycopg.Column`` reads of its cursor, the result fixed: the cursor may have run
    another statement by the time a column is first read."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, result, encoding: str, adapters):
        self.pgresult, self._encoding, self.adapters = result, encoding, adapters


class _LazyDescription(Sequence):
    """psycopg's ``description`` list, its ``Column`` s made on first use, from the result it
    was asked for."""

    __slots__ = ("_cursor", "_result", "_size", "_columns")

    def __init__(self, cursor, result, size: int):
        self._cursor, self._result, self._size, self._columns = cursor, result, size, None

    def _list(self) -> list:
        if self._columns is None:
            cursor = self._cursor
            described = _Described(self._result, cursor._encoding, cursor.adapters)
            self._columns = [psycopg.Column(described, i) for i in range(self._size)]
            self._cursor = None
        return self._columns

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        return self._list()[index]

    def __iter__(self):
        return iter(self._list())

    def __eq__(self, other):
        return self._list() == (list(other) if isinstance(other, _LazyDescription) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._list())


_HAS_TUPLES = {
    getattr(psycopg.pq.ExecStatus, name)
    for name in ("TUPLES_OK", "SINGLE_TUPLE", "TUPLES_CHUNK")
    if hasattr(psycopg.pq.ExecStatus, name)
}


class LazyDescriptionCursor(psycopg.Cursor):
    """psycopg's client-side cursor, its ``description`` the same list built on first use
    (psycopg's own test: columns, or a result that said it returns rows)."""

    @property
    def description(self):
        result = self.pgresult
        if result and (result.nfields or result.status in _HAS_TUPLES):
            return _LazyDescription(self, result, result.nfields)
        return None


class KeepPreparedConnection(psycopg.Connection):
    """psycopg's connection, its prepared statements kept across the ROLLBACK of a
    transaction in which nothing failed (see the module's docstring)."""

    def _rollback_gen(self):
        clean = self.pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        if clean and not (self._num_transactions or self._tpc or self._pipeline):
            yield from self._exec_command(b"ROLLBACK")
            return
        yield from super()._rollback_gen()  # psycopg's own: it forgets every statement


def _ping_after_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Listen on ``engine``'s pool: ping a connection taken out after ``idle_seconds``."""
    dialect = engine.dialect

    @sa.event.listens_for(engine, "checkin")
    def _note_checkin(dbapi_connection, record):
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        checked_in = record.info.get(_CHECKED_IN_AT)
        if checked_in is not None and time.monotonic() - checked_in <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's own transaction, not the request's
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise sa.exc.DisconnectionError(type(err).__name__) from err
            raise
