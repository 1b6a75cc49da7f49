"""Fixtures of the whole suite. Which tests get a database depends on their folder:

- ``tests/unit/`` (and ``tests/workflows/``): no app, no database, nothing cleaned;
- ``tests/ops/``, ``tests/http/``, ``tests/e2e/``: their ``conftest.py`` empties every table
  after each test (``clean_db``).

The database is ``TEST_DATABASE_URL`` (default: a fresh SQLite file in a temp dir); its schema
is built once per session through the Alembic migrations, never ``create_all``.
``CELERY_BROKER_URL`` set: tasks go to a real worker (``.ci/run`` starts one on the same
database); unset: they run eagerly in-process. Builders are in ``tests/factories.py``, helpers
(login, PDF/XLSX, job waits) in ``tests/support.py``.
"""

from __future__ import annotations

import os
import tempfile
import time

import pytest
import sqlalchemy as sa
from flask import has_app_context

from mkr_web import create_app
from mkr_web.extensions import db, limiter
from mkr_web.queries.people import forget_registry_choices
from tests.factories import Factory, World, load_report_demo, world as accreditation_world
from tests.support import rebuild_schema, settle_jobs


def real_worker_environment() -> bool:
    """CI's second leg: PostgreSQL and a broker, so real workers can be started and killed."""
    return bool(os.environ.get("CELERY_BROKER_URL")) and os.environ.get(
        "TEST_DATABASE_URL", ""
    ).startswith("postgres")


def pytest_collection_modifyitems(config, items):
    """``real_worker`` tests run only where real workers can run (CI's PostgreSQL + Redis
    leg); ``postgresql`` tests (what SQLite has not: COPY, advisory locks, enforced foreign
    keys, transactional DDL) only on PostgreSQL. Elsewhere they are deselected (reported as
    such), never skipped silently; CI runs both legs, so each runs somewhere."""
    away = set()
    if not real_worker_environment():
        away.add("real_worker")
    if not _test_db_url().startswith("postgresql"):
        away.add("postgresql")
    deselected = [i for i in items if any(i.get_closest_marker(m) for m in away)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]


def _test_db_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="mkr-test-"), "test.db")


def _make_app():
    return create_app(
        {
            "TESTING": True,
            "MKR_UPLOAD_DIR": os.path.join(os.environ["MKR_INSTANCE_PATH"], "files"),
            # the production limits; the growing delay is off except where a test turns it on
            "MKR_LOGIN_ACCOUNT_LIMIT": 5,
            "MKR_LOGIN_ADDRESS_LIMIT": 50,
            "MKR_LOGIN_DELAY_SECONDS": 0,
            # no report rebuild queued by the commits (a worker would race the tests' rows)
            "MKR_REPORT_REFRESH_SECONDS": 0,
            # A cheap hash for the test users (production: scrypt, 0.3 s each).
            "MKR_PASSWORD_HASH": "pbkdf2:sha256:1",
        }
    )


@pytest.fixture(scope="session")
def app():
    """The app that serves the test client's requests."""
    os.environ["DATABASE_URL"] = _test_db_url()
    os.environ.setdefault("MKR_INSTANCE_PATH", tempfile.mkdtemp(prefix="mkr-instance-"))
    application = _make_app()
    rebuild_schema(application)
    yield application


@pytest.fixture(scope="session")
def data_app(app):
    """A second app on the same database, whose context the tests hold to build and read rows.

    It is a different object from ``app`` on purpose: Flask reuses an already pushed context
    of the *same* app for a test request, which would share ``g`` and the DB session between
    the test and its requests and hide bugs. With two apps every request is isolated.
    """
    return _make_app()


def empty_database(app) -> None:
    """Empty every table (and the login rate limits).

    PostgreSQL: ``DELETE`` table by table (children first) and every sequence set back to 1,
    in one transaction: on tables of a few rows that is several times cheaper than a
    ``TRUNCATE`` of all of them, which makes new files for each table. With a real worker a job
    the test started may still hold its transaction: the cleaning waits at most 5 s for its
    locks (or PostgreSQL breaks a deadlock between the two) and is tried again, up to a minute."""
    if has_app_context():
        # the test's own session (``app_ctx``) would hold its locks while the tables are emptied
        db.session.remove()
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        if db.engine.dialect.name != "postgresql":
            with db.engine.begin() as conn:
                for t in tables:
                    conn.execute(t.delete())
        else:
            for attempt in range(12):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
                        for t in tables:
                            conn.execute(t.delete())
                        conn.execute(
                            sa.text(
                                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,"
                                " 1, false) FROM pg_sequences WHERE schemaname = 'public'"
                            )
                        )
                    break
                except sa.exc.OperationalError:
                    if attempt == 11:
                        raise
                    time.sleep(0.5)
    limiter.reset()
    forget_registry_choices()  # kept per process under ids and versions that start again


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (npm ``oidc-provider``) on 127.0.0.1."""
    from tests.oidc.provider import Provider, ProviderUnavailable

    try:
        provider = Provider()
    except ProviderUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield provider
    provider.stop()


@pytest.fixture
def clean_db(app):
    """Empty every table after the test (the folders that use a database make it autouse)."""
    yield
    empty_database(app)


@pytest.fixture
def app_ctx(data_app):
    with data_app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app_ctx):
    return Factory()


@pytest.fixture
def w(request, factory):
    """The review tests' world: ``tests.factories.world`` (accreditation: one admin, three
    experts), or the module's ``WORLD`` builder (e.g. ``nomination_world``); afterwards the jobs
    its test queued (the certificates that accrediting and approving queue) are settled."""
    yield getattr(request.module, "WORLD", accreditation_world)(factory)
    settle_jobs()


@pytest.fixture
def report_demo(app_ctx, factory):
    """The report's demo project (tests.factories.load_report_demo) and an admin of it."""
    tenant = load_report_demo()
    return tenant, factory.user(tenant, "admin")


@pytest.fixture
def world(factory):
    """The shared world (tests.factories.World); afterwards the jobs its test queued (the
    certificates that admitting queues) are settled. A test module may define its own."""
    yield World(factory)
    settle_jobs()


@pytest.fixture
def smtp_server(app, data_app, monkeypatch, tmp_path):
    """``smtp_server(mode="plain"|"starttls"|"ssl", login=(user, password) or None)``: start a
    local SMTP server (tests.support.LocalSMTP) and point both apps' mail settings at it.

    The server lives in this process, so the apps send their mail tasks eagerly here even on
    CI's PostgreSQL leg (the real worker has its own mail settings and could not reach it)."""
    from tests.support import LocalSMTP

    servers = []

    def start(mode="plain", login=None, fail_rcpt=False):
        server = LocalSMTP(tmp_path, mode=mode, login=login, fail_rcpt=fail_rcpt)
        servers.append(server)
        for a in (app, data_app):
            for key, value in server.config(mode, login).items():
                monkeypatch.setitem(a.config, key, value)
            monkeypatch.setitem(a.extensions["celery"].conf, "task_always_eager", True)
        return server

    yield start
    for server in servers:
        server.stop()
