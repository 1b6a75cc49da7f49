"""Scale-out (issue 14, item 6), step 1: every foreign key between tenant-owned tables
includes tenant_id, ``(x_id, tenant_id) -> parent (id, tenant_id)``, so that a distributed
PostgreSQL (Citus, distributed by tenant_id) checks it on one node; each referenced table gets
``UNIQUE (tenant_id, id)`` for it. The pair of a possible duplicate is unique per tenant.

ON DELETE stays as it was; SET NULL clears the id column only (PostgreSQL 15's
``SET NULL (x_id)``; SQLite, which has no column list, keeps plain SET NULL and does not
enforce foreign keys here). The keys keep their names (``fk_<table>_<x_id>_<parent>``).

Existing rows satisfy the new keys when every child row and the row it refers to belong to
the same tenant; the upgrade counts the rows that do not and stops before changing anything
if there are any (the demo and seed data, and everything the application writes, refer
within one tenant).

Revision ID: i14_citus_01
Revises: i14_snapshot_01
Create Date: 2026-11-30 05:00:00

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "i14_citus_01"
down_revision = "i14_snapshot_01"
branch_labels = None
depends_on = None

#: the tables a composite key refers to
PARENTS = [
    "admission_batch",
    "consent",
    "event",
    "event_edition",
    "membership",
    "municipality",
    "nomination",
    "opportunity",
    "organization",
    "person",
    "stored_file",
]

#: (table, column, parent, ON DELETE)
KEYS = [
    ("accreditation_application", "event_id", "event", "SET NULL"),
    ("accreditation_application", "organizer_id", "organization", "RESTRICT"),
    ("accreditation_application", "regulation_file_id", "stored_file", "SET NULL"),
    ("achievement", "edition_id", "event_edition", "SET NULL"),
    ("achievement", "person_id", "person", "CASCADE"),
    ("admission_batch", "edition_id", "event_edition", "RESTRICT"),
    ("admission_batch", "organizer_id", "organization", "SET NULL"),
    ("admission_candidate", "batch_id", "admission_batch", "CASCADE"),
    ("admission_candidate", "consent_id", "consent", "SET NULL"),
    ("admission_candidate", "municipality_id", "municipality", "RESTRICT"),
    ("admission_candidate", "organization_id", "organization", "SET NULL"),
    ("admission_candidate", "person_id", "person", "SET NULL"),
    ("api_token", "membership_id", "membership", "CASCADE"),
    ("certificate", "file_id", "stored_file", "SET NULL"),
    ("consent", "file_id", "stored_file", "SET NULL"),
    ("consent", "person_id", "person", "CASCADE"),
    ("destruction_batch", "act_file_id", "stored_file", "RESTRICT"),
    ("destruction_batch", "log_file_id", "stored_file", "RESTRICT"),
    ("duplicate_pair", "person_a_id", "person", "CASCADE"),
    ("duplicate_pair", "person_b_id", "person", "CASCADE"),
    ("event", "organizer_id", "organization", "SET NULL"),
    ("event", "related_event_id", "event", "SET NULL"),
    ("event_edition", "event_id", "event", "CASCADE"),
    ("invitation", "organization_id", "organization", "CASCADE"),
    ("job", "result_file_id", "stored_file", "SET NULL"),
    ("membership", "organization_id", "organization", "RESTRICT"),
    ("nomination", "municipality_id", "municipality", "RESTRICT"),
    ("nomination", "opportunity_id", "opportunity", "RESTRICT"),
    ("nomination", "person_id", "person", "CASCADE"),
    ("opportunity", "partner_id", "organization", "SET NULL"),
    ("organization", "municipality_id", "municipality", "RESTRICT"),
    ("participation", "edition_id", "event_edition", "CASCADE"),
    ("participation", "person_id", "person", "CASCADE"),
    ("participation_count", "edition_id", "event_edition", "CASCADE"),
    ("participation_count", "municipality_id", "municipality", "RESTRICT"),
    ("partnership", "organization_id", "organization", "CASCADE"),
    ("person", "admission_edition_id", "event_edition", "SET NULL"),
    ("person", "municipality_id", "municipality", "SET NULL"),
    ("person", "organization_id", "organization", "SET NULL"),
    ("person_merge", "survivor_id", "person", "CASCADE"),
    ("person_project", "person_id", "person", "CASCADE"),
    ("person_status_change", "edition_id", "event_edition", "SET NULL"),
    ("person_status_change", "person_id", "person", "CASCADE"),
    ("placement", "nomination_id", "nomination", "SET NULL"),
    ("placement", "opportunity_id", "opportunity", "CASCADE"),
    ("placement", "person_id", "person", "CASCADE"),
]


def _by_table():
    grouped = defaultdict(list)
    for table, column, parent, ondelete in KEYS:
        grouped[table].append((column, parent, ondelete))
    return sorted(grouped.items())


def _ondelete(column: str, ondelete: str | None, dialect: str) -> str | None:
    if ondelete == "SET NULL" and dialect == "postgresql":
        return f"SET NULL ({column})"
    return ondelete


def rows_across_tenants(bind) -> dict[str, int]:
    """Per key, the rows that refer to another tenant's row (none may, for the new keys)."""
    found = {}
    for table, column, parent, _ in KEYS:
        count = bind.execute(
            sa.text(
                f'SELECT count(*) FROM "{table}" c JOIN "{parent}" p ON p.id = c."{column}" '
                "WHERE p.tenant_id <> c.tenant_id"
            )
        ).scalar()
        if count:
            found[f"{table}.{column}"] = count
    return found


def _sqlite_indexes(bind) -> dict:
    """SQLite: every explicit index as its CREATE statement. A batch operation rebuilds its
    table from reflection, which skips expression indexes (the registry's birth and
    admission sorts): they are put back from here afterwards."""
    if bind.dialect.name != "sqlite":
        return {}
    rows = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    )
    return dict(rows.all())


def _restore_sqlite_indexes(bind, before: dict) -> None:
    now = _sqlite_indexes(bind)
    for name, sql in before.items():
        if name not in now:
            bind.execute(sa.text(sql))


def upgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    _upgrade(bind)
    _restore_sqlite_indexes(bind, indexes)


def downgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    _downgrade()
    _restore_sqlite_indexes(bind, indexes)


def _upgrade(bind):
    dialect = bind.dialect.name
    across = rows_across_tenants(bind)
    if across:
        raise RuntimeError(f"rows referring to another tenant's row: {across}")
    for parent in PARENTS:
        with op.batch_alter_table(parent, schema=None) as batch_op:
            batch_op.create_unique_constraint(f"uq_{parent}_tenant_id_id", ["tenant_id", "id"])
    for table, keys in _by_table():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, parent, ondelete in keys:
                name = f"fk_{table}_{column}_{parent}"
                batch_op.drop_constraint(name, type_="foreignkey")
                batch_op.create_foreign_key(
                    name,
                    parent,
                    [column, "tenant_id"],
                    ["id", "tenant_id"],
                    ondelete=_ondelete(column, ondelete, dialect),
                )
    with op.batch_alter_table("duplicate_pair", schema=None) as batch_op:
        batch_op.drop_constraint("uq_duplicate_pair_person_a_id_person_b_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_duplicate_pair_tenant_id_person_a_id_person_b_id",
            ["tenant_id", "person_a_id", "person_b_id"],
        )


def _downgrade():
    with op.batch_alter_table("duplicate_pair", schema=None) as batch_op:
        batch_op.drop_constraint(
            "uq_duplicate_pair_tenant_id_person_a_id_person_b_id", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_duplicate_pair_person_a_id_person_b_id", ["person_a_id", "person_b_id"]
        )
    for table, keys in _by_table():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, parent, ondelete in keys:
                name = f"fk_{table}_{column}_{parent}"
                batch_op.drop_constraint(name, type_="foreignkey")
                batch_op.create_foreign_key(name, parent, [column], ["id"], ondelete=ondelete)
    for parent in PARENTS:
        with op.batch_alter_table(parent, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{parent}_tenant_id_id", type_="unique")
