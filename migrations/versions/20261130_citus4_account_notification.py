"""Scale-out (issue 14, item 6), step 5: the account mails (notifications of no tenant:
invitations, password resets) move to a table of their own, ``account_notification`` (a
Citus reference table), and ``notification.tenant_id`` becomes NOT NULL (Citus refuses NULL
in the distribution column). Nothing is left pending in ``tests/unit/test_distribution.py``.

The moved rows get new ids in their new table (in the old order); nothing refers to a
notification's id (a mail waiting for a worker is found again by ``mkr.mail.flush``). The
downgrade moves them back.

Revision ID: i14_citus_05
Revises: i14_citus_04
Create Date: 2026-11-30 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_citus_05"
down_revision = "i14_citus_04"
branch_labels = None
depends_on = None

COLUMNS = (
    "user_id, kind, subject, body, link, url, created_at, read_at, mail_state, mail_attempts,"
    " mail_error, emailed_at"
)


def _mail_state():
    return sa.Enum(
        "none",
        "queued",
        "sent",
        "failed",
        "digest",
        "digested",
        name="mail_state",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


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


def _notification_tenant_id(nullable: bool) -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("tenant_id", existing_type=sa.Integer(), nullable=nullable)


def upgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    op.create_table(
        "account_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), server_default="general", nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("mail_state", _mail_state(), server_default="none", nullable=False),
        sa.Column("mail_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("mail_error", sa.String(length=200), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_account_notification_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_notification")),
    )
    with op.batch_alter_table("account_notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_notification_mail_user", ["mail_state", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_account_notification_user_read", ["user_id", "read_at"], unique=False
        )
    op.execute(
        f"INSERT INTO account_notification ({COLUMNS}) "
        f"SELECT {COLUMNS} FROM notification WHERE tenant_id IS NULL ORDER BY id"
    )
    op.execute("DELETE FROM notification WHERE tenant_id IS NULL")
    _notification_tenant_id(nullable=False)
    _restore_sqlite_indexes(bind, indexes)


def downgrade():
    bind = op.get_bind()
    indexes = _sqlite_indexes(bind)
    _notification_tenant_id(nullable=True)
    op.execute(
        f"INSERT INTO notification (tenant_id, {COLUMNS}) "
        f"SELECT NULL, {COLUMNS} FROM account_notification ORDER BY id"
    )
    with op.batch_alter_table("account_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_account_notification_user_read")
        batch_op.drop_index("ix_account_notification_mail_user")
    op.drop_table("account_notification")
    _restore_sqlite_indexes(bind, indexes)
