"""region setup (issue 11): reference aliases, retired municipalities, decision dates

Revision ID: i11_region_01
Revises: i16_pdata_01
Create Date: 2026-11-29 22:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i11_region_01'
down_revision = 'i16_pdata_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('is_retired', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=True))
    with op.batch_alter_table('admission_candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
    op.execute("UPDATE admission_candidate SET decided_on = CAST(decided_at AS DATE) "
               "WHERE decided_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('admission_candidate', schema=None) as batch_op:
        batch_op.drop_column('decided_on')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('aliases')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('is_retired')
        batch_op.drop_column('aliases')
