"""Scale-out (issue 14, item 6), step 4: the audit entries of no tenant (the platform admin's
actions, the members' logins, second factor and password events) move to a table of their
own, ``platform_audit_entry`` (a Citus reference table), and ``audit_entry.tenant_id`` becomes
NOT NULL (Citus refuses NULL in the distribution column).

The moved rows get new ids in their new table (in the old order); nothing refers to an audit
entry's id. The downgrade moves them back.

Revision ID: i14_citus_04
Revises: i14_citus_03
Create Date: 2026-11-30 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_citus_04"
down_revision = "i14_citus_03"
branch_labels = None
depends_on = None

COLUMNS = "user_id, role, at, action, object_type, object_id, details, ip"


def _sqlite_indexes(bind) -> dict:
    """SQLite: every explicit index as (its table, its CREATE statement) (a batch rebuild
    skips expression indexes: they are put back from here afterwards)."""
    if bind.dialect.name != "sqlite":
        return {}
    rows = bind.execute(
        sa.text(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    )
    return {name: (table, sql) for name, table, sql in rows}


def _restore_sqlite_indexes(bind, before: dict) -> None:
    """Put back the indexes of ``before`` that are gone, on the tables that are still there."""
    now = _sqlite_indexes(bind)
    tables = set(sa.inspect(bind).get_table_names())
    for name, (table, sql) in before.items():
        if name not in now and table in tables:
            bind.execute(sa.text(sql))


def upgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    op.create_table(
        "platform_audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_platform_audit_entry_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_audit_entry")),
    )
    with op.batch_alter_table("platform_audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_platform_audit_entry_user_at", ["user_id", "at"], unique=False)
    op.execute(
        f"INSERT INTO platform_audit_entry ({COLUMNS}) "
        f"SELECT {COLUMNS} FROM audit_entry WHERE tenant_id IS NULL ORDER BY id"
    )
    op.execute("DELETE FROM audit_entry WHERE tenant_id IS NULL")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("tenant_id", existing_type=sa.Integer(), nullable=False)
    _restore_sqlite_indexes(bind, indexes)


def downgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("tenant_id", existing_type=sa.Integer(), nullable=True)
    op.execute(
        f"INSERT INTO audit_entry (tenant_id, {COLUMNS}) "
        f"SELECT NULL, {COLUMNS} FROM platform_audit_entry ORDER BY id"
    )
    with op.batch_alter_table("platform_audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_platform_audit_entry_user_at")
    op.drop_table("platform_audit_entry")
    _restore_sqlite_indexes(bind, indexes)
