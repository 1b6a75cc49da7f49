"""Scale (issue 14): on PostgreSQL the registry's filter index (tenant, municipality, status,
year of admission) also holds the id and every sort's key (``INCLUDE``), so a filtered page
sorts its matches from the index alone. At 300,000 persons a filter matching 1,888 persons
read 1,896 table pages to sort them (~6 ms of the page). SQLite has no ``INCLUDE``: its index
is unchanged.

Revision ID: i14_pages_02
Revises: i14_citus_05
Create Date: 2026-11-30 19:20:00

"""

from alembic import op

revision = "i14_pages_02"
down_revision = "i14_citus_05"
branch_labels = None
depends_on = None

NAME = "ix_person_tenant_municipality_status"
KEYS = ["tenant_id", "municipality_id", "status", "admission_on"]
INCLUDED = ["id", "search_name", "birth_on", "updated_at"]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="person")
    op.create_index(NAME, "person", KEYS, unique=False, postgresql_include=INCLUDED)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="person")
    op.create_index(NAME, "person", KEYS, unique=False)
