"""Scale (issue 14): the registry's sort indexes (keyset pages), trigram search on
PostgreSQL

Revision ID: i14_scale_01
Revises: i13_accounts_01
Create Date: 2026-11-29 23:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_scale_01"
down_revision = "i13_accounts_01"
branch_labels = None
depends_on = None

LAST_DAY = sa.literal_column("'9999-12-31'", sa.Date)


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_tenant_status")
        batch_op.drop_index("ix_person_tenant_search")
    op.create_index(
        "ix_person_tenant_status_name", "person", ["tenant_id", "status", "search_name", "id"]
    )
    op.create_index("ix_person_tenant_name", "person", ["tenant_id", "search_name", "id"])
    op.create_index("ix_person_tenant_updated", "person", ["tenant_id", "updated_at", "id"])
    op.create_index(
        "ix_person_tenant_birth_sort",
        "person",
        [
            sa.column("tenant_id"),
            sa.func.coalesce(sa.column("birth_on"), LAST_DAY),
            sa.column("search_name"),
            sa.column("id"),
        ],
    )
    op.create_index(
        "ix_person_tenant_admission_sort",
        "person",
        [
            sa.column("tenant_id"),
            sa.func.coalesce(sa.column("admission_on"), LAST_DAY),
            sa.column("search_name"),
            sa.column("id"),
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_person_search_trgm",
            "person",
            ["search_name"],
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_person_search_trgm", table_name="person")
    for name in (
        "ix_person_tenant_admission_sort",
        "ix_person_tenant_birth_sort",
        "ix_person_tenant_updated",
        "ix_person_tenant_name",
        "ix_person_tenant_status_name",
    ):
        op.drop_index(name, table_name="person")
    op.create_index("ix_person_tenant_search", "person", ["tenant_id", "search_name"])
    op.create_index("ix_person_tenant_status", "person", ["tenant_id", "status"])
