"""Scale (issue 14): the registry's sort indexes (keyset pages), trigram search on
PostgreSQL; unique constraints that include tenant_id (distributable by tenant)

Revision ID: i14_scale_01
Revises: i11_region_01
Create Date: 2026-11-29 23:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_scale_01"
down_revision = "i11_region_01"
branch_labels = None
depends_on = None

LAST_DAY = sa.literal_column("'9999-12-31'", sa.Date)

# (table, old name, old columns, new name, new columns): each unique key gains tenant_id
UNIQUES = [
    (
        "admission_candidate",
        "uq_admission_candidate_batch_id_row_no",
        ["batch_id", "row_no"],
        "uq_admission_candidate_tenant_id_batch_id_row_no",
    ),
    (
        "certificate",
        "uq_certificate_kind_subject_id",
        ["kind", "subject_id"],
        "uq_certificate_tenant_id_kind_subject_id",
    ),
    (
        "event_edition",
        "uq_event_edition_event_id_year",
        ["event_id", "year"],
        "uq_event_edition_tenant_id_event_id_year",
    ),
    (
        "participation",
        "uq_participation_edition_id_person_id_role",
        ["edition_id", "person_id", "role"],
        "uq_participation_tenant_id_edition_id_person_id_role",
    ),
    (
        "participation_count",
        "uq_participation_count_edition_id_municipality_id_category",
        ["edition_id", "municipality_id", "category"],
        "uq_participation_count_tenant_edition_municipality_category",
    ),
    (
        "placement",
        "uq_placement_opportunity_id_person_id",
        ["opportunity_id", "person_id"],
        "uq_placement_tenant_id_opportunity_id_person_id",
    ),
    (
        "review_assignment",
        "uq_review_assignment_subject_type_subject_id_expert_id",
        ["subject_type", "subject_id", "expert_id"],
        "uq_review_assignment_tenant_subject_expert",
    ),
]


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
    for table, old, columns, new in UNIQUES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(old, type_="unique")
            batch_op.create_unique_constraint(new, ["tenant_id", *columns])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.create_index(
            "ix_person_tenant_search_trgm",
            "person",
            ["tenant_id", "search_name"],
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        )


def downgrade():
    for table, old, columns, new in UNIQUES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(new, type_="unique")
            batch_op.create_unique_constraint(old, columns)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_person_tenant_search_trgm", table_name="person")
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
