"""The annual report's snapshots and the tenants' report data versions (issue 14, item 3):
a stored report is served only while its ``data_version`` equals the tenant's ``version``,
which every write of a row the report reads raises by one in its own transaction.

Revision ID: i14_snapshot_01
Revises: i14_pages_01
Create Date: 2026-11-30 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_snapshot_01"
down_revision = "i14_pages_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_version",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_report_version_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_report_version")),
    )
    op.create_table(
        "report_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=2000), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_report_snapshot_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshot")),
        sa.UniqueConstraint("tenant_id", "year", "as_of", "scope", name="uq_report_snapshot_key"),
    )


def downgrade():
    op.drop_table("report_snapshot")
    op.drop_table("report_version")
