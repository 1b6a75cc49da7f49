"""The models and the migrations must agree: the schema built by `flask db upgrade` (the
session fixture builds it that way) has nothing that autogenerate would change."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mkr_web.extensions import db
from mkr_web.models.base import include_for_dialect, plain_ondelete_for


def test_models_match_migrations(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": include_for_dialect(conn.dialect.name),
            },
        )
        with plain_ondelete_for(conn.dialect.name, db.metadata):
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_schema_is_at_head(app_ctx):
    from alembic.script import ScriptDirectory
    from flask import current_app
    from flask_migrate import Config as _  # noqa: F401

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert len(heads) == 1, f"migrations must form one line, heads: {heads}"
    assert set(current) == set(heads)


def test_every_index_of_the_models_is_in_the_migrated_schema(app_ctx):
    """Autogenerate cannot see expression indexes (the registry's birth and admission sorts),
    and a batch migration on SQLite rebuilds a table from reflection, which drops them: count
    every index by name in the database's own catalog."""
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
        else:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        present = set(conn.execute(sa.text(query)).scalars())
        keep = include_for_dialect(conn.dialect.name)  # the trigram index: PostgreSQL only
    expected = {
        i.name
        for t in db.metadata.sorted_tables
        for i in t.indexes
        if keep(i, i.name, "index", False, None)
    }
    assert "ix_person_tenant_birth_sort" in expected
    assert sorted(expected - present) == []
