"""A pooled connection that died while it lay idle is replaced before a request uses it
(mkr_web/dbapi.py): PostgreSQL restarted, a proxy dropped it. One handed back a moment
ago is used without a ping, and if it is dead after all, that one use fails and the pool is
renewed. SQLite has no server to lose."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from mkr_web.dbapi import LazyDescriptionCursor
from mkr_web.extensions import db
from tests.support import another_app


def _kill_pooled_connection(url: sa.URL) -> int:
    """Take a connection from the pool and hand it back; kill its server process from
    outside, as a restart would. Returns the killed process's id."""
    with db.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # wait until the server process is gone
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).rowcount:
                break
    return pid


def _app_pinging_after(app, idle_seconds: float):
    return another_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MKR_UPLOAD_DIR": app.config["MKR_UPLOAD_DIR"],
            "MKR_DB_PING_IDLE": idle_seconds,
        }
    )


@pytest.mark.postgresql
def test_a_connection_that_died_idle_is_replaced_before_use(app):
    with _app_pinging_after(app, 0) as pinging, pinging.app_context():
        killed = _kill_pooled_connection(db.engine.url)

        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()

        assert pid != killed  # a fresh connection, and no error on the way
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql
def test_a_connection_just_handed_back_is_not_pinged(app):
    """Within the idle time the pool trusts the connection: a dead one fails its one use
    (as a disconnect, the pool invalidated), and the next use gets a fresh connection."""
    with _app_pinging_after(app, 3600) as trusting, trusting.app_context():
        killed = _kill_pooled_connection(db.engine.url)

        with pytest.raises(sa.exc.OperationalError) as failed:
            db.session.execute(sa.text("SELECT 1"))
        assert failed.value.connection_invalidated
        db.session.rollback()
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()

        assert pid != killed
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql
def test_the_lazy_cursor_describes_what_psycopgs_own_describes(app_ctx):
    """The engine's connections hand out :class:`LazyDescriptionCursor`: its description is
    psycopg's (names, types, sizes), None for a statement without rows, and still the first
    result's when the cursor ran another statement before it was read."""
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw.cursor(), LazyDescriptionCursor)
        sql = "SELECT 1::int AS one, 'я'::varchar(7) AS name, now()::date AS day"
        with raw.cursor() as lazy, psycopg.Cursor(raw) as own:
            lazy.execute(sql)
            own.execute(sql)
            described = lazy.description
            assert len(described) == 3
            assert [tuple(c) for c in described] == [tuple(c) for c in own.description]
            assert [c.name for c in described] == ["one", "name", "day"]
            assert described[1].internal_size is None and described[1].display_size == 7

            lazy.execute(sql)
            unread = lazy.description
            lazy.execute("SELECT 'x' AS other")  # the cursor moves on before it is read
            assert [c.name for c in unread] == ["one", "name", "day"]
            assert [c.name for c in lazy.description] == ["other"]

            lazy.execute("SET LOCAL statement_timeout = 0")
            assert lazy.description is None
            lazy.execute("SELECT")  # rows without columns, as psycopg says
            assert lazy.description == []
        raw.rollback()


def _prepared(conn, marker: str) -> int:
    """How many statements holding ``marker`` this connection has prepared on the server."""
    rows = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars()
    return sum(marker in s for s in rows)


@pytest.mark.postgresql
def test_a_marked_lookup_stays_prepared_past_its_request_and_nothing_else_is_prepared(app_ctx):
    """A statement marked ``mkr_prepared`` is prepared on its first run and stays so after
    the ROLLBACK that ends every request (psycopg alone forgets them all there); an unmarked
    one is not prepared however often it runs (psycopg alone would after five runs)."""
    marked = sa.text("SELECT 41 + :n AS marked_lookup").execution_options(mkr_prepared=True)
    unmarked = sa.text("SELECT 1 + :n AS unmarked_query")
    for n in range(7):  # seven "requests", each ended by a rollback
        with db.engine.connect() as conn:
            assert conn.execute(marked, {"n": n}).scalar_one() == 41 + n
            assert conn.execute(unmarked, {"n": n}).scalar_one() == 1 + n
            conn.rollback()
    with db.engine.connect() as conn:
        assert _prepared(conn, "marked_lookup") == 1
        assert _prepared(conn, "unmarked_query") == 0


@pytest.mark.postgresql
def test_after_a_failed_transaction_prepared_statements_are_forgotten_and_run_again(app_ctx):
    """A transaction in which a statement failed is rolled back psycopg's own way: every
    prepared statement forgotten on both sides, and the marked lookup simply prepared again
    (no "prepared statement does not exist")."""
    marked = sa.text("SELECT 7 AS after_failure").execution_options(mkr_prepared=True)
    with db.engine.connect() as conn:
        conn.execute(marked)
        conn.rollback()
        assert _prepared(conn, "after_failure") == 1
        with pytest.raises(sa.exc.DataError):
            conn.exec_driver_sql("SELECT 1 / 0")
        conn.rollback()
        assert _prepared(conn, "after_failure") == 0
        assert conn.execute(marked).scalar_one() == 7
        assert _prepared(conn, "after_failure") == 1
