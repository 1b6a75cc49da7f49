"""Scale-out (issue 14, item 6), step 3: the four keys that were unique across tenants are
unique per tenant, ``(tenant_id, key)``: a distributed PostgreSQL (Citus) checks uniqueness
within a shard only.

Each is unique across tenants by construction, so nothing is lost:

- ``certificate.code`` (``secrets.token_urlsafe(24)``, 192 random bits) and
  ``api_token.token_hash`` (SHA-256 of ``mkr_`` + ``secrets.token_urlsafe(32)``) are looked
  up before the tenant is known (the public ``/verify/<code>`` page, a bearer token): each
  keeps a plain index on the key (on Citus that lookup asks every shard; both are rare and
  hit one row);
- ``invitation.token_hash`` (SHA-256 of ``secrets.token_urlsafe(32)``) is read through the
  invitation's id in the signed link, never searched: no index of its own;
- ``stored_file.path`` is ``<tenant_id>/<kind>/<token_hex(16)><suffix>``: it starts with the
  tenant's id, so it cannot clash across tenants; it is never searched.

Revision ID: i14_citus_03
Revises: i14_citus_02
Create Date: 2026-11-30 06:00:00

"""

from alembic import op

revision = "i14_citus_03"
down_revision = "i14_citus_02"
branch_labels = None
depends_on = None

#: (table, column, keeps a plain index for the lookup without the tenant)
KEYS = [
    ("api_token", "token_hash", True),
    ("certificate", "code", True),
    ("invitation", "token_hash", False),
    ("stored_file", "path", False),
]


def upgrade():
    for table, column, indexed in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_{column}", type_="unique")
            batch_op.create_unique_constraint(
                f"uq_{table}_tenant_id_{column}", ["tenant_id", column]
            )
            if indexed:
                batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade():
    for table, column, indexed in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if indexed:
                batch_op.drop_index(f"ix_{table}_{column}")
            batch_op.drop_constraint(f"uq_{table}_tenant_id_{column}", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_{column}", [column])
