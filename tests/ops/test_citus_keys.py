"""``flask mkr citus-keys`` (``operations.distribution.swap_primary_keys``) on PostgreSQL, in a
scratch copy of the schema built by ``flask db upgrade``: afterwards every distributed table's
primary key starts with tenant_id (``report_version``'s is ``(tenant_id)`` from the start), a
second run changes nothing, and the foreign keys between tenants' rows still hold."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models.distribution import distributed_tables
from mkr_web.operations.distribution import citus_calls, swap_primary_keys

ROWS = [
    "INSERT INTO tenant (id, slug, name, settings, created_at) VALUES "
    "(1, 'a', 'A', '{}', '2020-01-01'), (2, 'b', 'B', '{}', '2020-01-01')",
    "INSERT INTO municipality (id, tenant_id, name, kind, sort_order) VALUES "
    "(10, 1, 'Первый', 'district', 0), (20, 2, 'Второй', 'district', 0)",
    "INSERT INTO organization (id, tenant_id, name, kind, municipality_id,"
    " is_regional_subordination) VALUES (30, 1, 'Школа', 'school', 10, false)",
]
ACROSS = (
    "INSERT INTO organization (id, tenant_id, name, kind, municipality_id,"
    " is_regional_subordination) VALUES (31, 1, 'Чужая', 'school', 20, false)"
)


@pytest.mark.postgresql  # transactional DDL on the test database itself
def test_the_primary_keys_take_the_tenant_and_the_foreign_keys_still_hold(app):
    """On the test database (built by ``flask db upgrade``), in one transaction rolled back at
    the end: PostgreSQL's DDL is transactional, so the schema is a scratch copy."""
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            outer = conn.begin()
            try:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                first = swap_primary_keys(conn, db.metadata)
                again = swap_primary_keys(conn, db.metadata)
                inspector = sa.inspect(conn)
                keys = {
                    t.name: inspector.get_pk_constraint(t.name)["constrained_columns"]
                    for t in distributed_tables(db.metadata)
                }
                for statement in ROWS:
                    conn.exec_driver_sql(statement)
                with pytest.raises(sa.exc.IntegrityError, match="fk_organization_municipality_id"):
                    with conn.begin_nested():
                        conn.exec_driver_sql(ACROSS)
            finally:
                outer.rollback()
            after = sa.inspect(conn).get_pk_constraint("person")["constrained_columns"]
        calls = citus_calls(db.metadata)

    assert (len(first.statements), first.done_before) == (44, ["report_version"])
    assert first.not_distributable == []
    assert (again.statements, len(again.done_before)) == ([], 45)
    assert sorted(t for t, columns in keys.items() if columns[0] != "tenant_id") == []
    assert (keys["person"], after) == (["tenant_id", "id"], ["id"])
    assert keys["membership_municipality"] == ["tenant_id", "membership_id", "municipality_id"]
    assert first.statements[0] == (
        'ALTER TABLE "audit_entry" DROP CONSTRAINT "pk_audit_entry", '
        'ADD CONSTRAINT "pk_audit_entry" PRIMARY KEY ("tenant_id", "id")'
    )
    assert (calls[0], calls[-1], len(calls)) == (
        "SELECT create_reference_table('tenant');",
        "SELECT create_distributed_table('placement', 'tenant_id');",
        55,  # 10 reference tables, 45 distributed
    )
    assert [c for c in calls if c.startswith("--")] == []
    assert "SELECT create_reference_table('platform_audit_entry');" in calls
    assert "SELECT create_reference_table('account_notification');" in calls
    assert "SELECT create_distributed_table('audit_entry', 'tenant_id');" in calls
    assert "SELECT create_distributed_table('notification', 'tenant_id');" in calls


def test_the_command_shows_what_it_would_change_and_changes_nothing(app, app_ctx):
    out = app.test_cli_runner().invoke(args=["mkr", "citus-keys", "--dry-run"])
    if db.engine.dialect.name != "postgresql":
        assert (out.exit_code, out.output) == (1, "Error: Только для PostgreSQL.\n")
        return
    lines = out.output.splitlines()
    assert (out.exit_code, lines[44], lines[45]) == (
        0,
        "Будет изменено ключей: 44; уже с tenant_id: 1.",
        "Затем на координаторе Citus:",
    )
    person = sa.inspect(db.engine).get_pk_constraint("person")["constrained_columns"]
    assert person == ["id"]
