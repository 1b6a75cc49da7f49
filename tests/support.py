"""Rebuild a database from zero through the Alembic migrations (never ``create_all``).

Destructive: for the test suite and the benchmarks, which run on their own databases."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from mkr_web.extensions import db


def rebuild_schema(app) -> None:
    """Drop every table of the app's database, then ``flask db upgrade`` to the head."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(engine)
            meta.drop_all(engine)
            with engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
