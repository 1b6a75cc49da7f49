"""Test fixtures.

- The database is ``TEST_DATABASE_URL`` (default: a fresh SQLite file in a temp dir). The
  schema is built once per session through the Alembic migrations (``flask db upgrade``),
  never ``create_all``; every table is emptied after each test.
- ``CELERY_BROKER_URL`` set: tasks go to a real worker (``.ci/run`` starts one on the same
  database); unset: tasks run eagerly in-process.
- ``factory`` builds rows; ``login(client, email)`` goes through the real login form.
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest
import sqlalchemy as sa

from mkr_web import create_app
from mkr_web.extensions import db, limiter
from mkr_web.schema import rebuild_schema

PASSWORD = "test-password-123"


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


@pytest.fixture(autouse=True)
def _clean_db(request, app):
    yield
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(t.delete())
    limiter.reset()


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
def app_ctx(data_app):
    with data_app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Builds committed rows for tests. Names are synthetic."""

    def __init__(self):
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def tenant(self, slug: str | None = None, municipalities=("Первый район", "Второй район")):
        from mkr_web.models import Municipality, MunicipalityKind, Tenant

        n = self._next()
        t = Tenant(slug=slug or f"t{n}", name=f"Проект {n}", settings={})
        db.session.add(t)
        db.session.flush()
        for i, name in enumerate(municipalities):
            db.session.add(
                Municipality(
                    tenant_id=t.id, name=name, kind=MunicipalityKind.DISTRICT, sort_order=i
                )
            )
        db.session.commit()
        return t

    def municipality(self, tenant, name: str):
        from mkr_web.models import Municipality

        return db.session.execute(
            sa.select(Municipality).where(
                Municipality.tenant_id == tenant.id, Municipality.name == name
            )
        ).scalar_one()

    def organization(self, tenant, municipality=None, name=None, kind="school", **kw):
        from mkr_web.models import Organization, OrganizationKind

        if isinstance(municipality, str):
            municipality = self.municipality(tenant, municipality)
        org = Organization(
            tenant_id=tenant.id,
            name=name or f"Школа № {self._next()}",
            kind=OrganizationKind(kind),
            municipality=municipality,
            **kw,
        )
        db.session.add(org)
        db.session.commit()
        return org

    def user(
        self,
        tenant=None,
        role="admin",
        email=None,
        municipalities=(),
        organization=None,
        platform_admin=False,
    ):
        from mkr_web.models import User
        from mkr_web.operations.tenancy import grant_role
        from workflows.roles import Role

        n = self._next()
        user = User(
            email=User.normalize_email(email or f"user{n}@example.test"),
            full_name=f"Пользователь {n}",
            is_platform_admin=platform_admin,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        if tenant is not None and role:
            munis = [
                self.municipality(tenant, m) if isinstance(m, str) else m for m in municipalities
            ]
            role = Role(role)
            if role is Role.COORDINATOR and not munis:
                munis = [tenant.municipalities[0]]
            if role is Role.ORGANIZER and organization is None:
                organization = self.organization(
                    tenant, munis[0] if munis else tenant.municipalities[0]
                )
            grant_role(user, tenant, role, municipalities=munis, organization=organization)
        db.session.commit()
        return user


@pytest.fixture
def factory(app_ctx):
    return Factory()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token on {url}"
    return m.group(1) or m.group(2)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """POST like a browser: fetch the page for its CSRF token first."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, form_url or url)
    return client.post(url, data=payload)
