"""Scale (issue 14): the registry filtered by municipality, status and year of admission reads
a range of one index (admission_on added to ix_person_tenant_municipality_status) instead of
every person of that municipality and status.

Revision ID: i14_pages_01
Revises: i17_numbers_01
Create Date: 2026-11-30 05:10:00

"""

from alembic import op

revision = "i14_pages_01"
down_revision = "i17_numbers_01"
branch_labels = None
depends_on = None

NAME = "ix_person_tenant_municipality_status"


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(NAME)
        batch_op.create_index(
            NAME, ["tenant_id", "municipality_id", "status", "admission_on"], unique=False
        )


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(NAME)
        batch_op.create_index(NAME, ["tenant_id", "municipality_id", "status"], unique=False)
