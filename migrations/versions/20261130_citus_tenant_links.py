"""Scale-out (issue 14, item 6), step 2: the tenant-owned tables without a tenant_id get one.

The six association tables (application_municipality, application_partner, event_partner,
invitation_municipality, membership_municipality, nomination_file), the rubric's criteria and
the experts' scores: ``tenant_id`` NOT NULL referencing tenant (CASCADE), filled from the row
each one belongs to (the first column's row; a score's assignment), and composite foreign keys
``(x_id, tenant_id) -> parent (id, tenant_id)`` to both sides, keeping ON DELETE. The upgrade
stops before changing anything if a row links rows of two tenants. A score is unique per
(tenant_id, assignment_id, criterion_id).

Revision ID: i14_citus_02
Revises: i14_citus_01
Create Date: 2026-11-30 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_citus_02"
down_revision = "i14_citus_01"
branch_labels = None
depends_on = None

#: the tables the new keys refer to that had no (tenant_id, id) key yet (rubric_criterion
#: gets its own once it has tenant_id, before the scores refer to it)
PARENTS = [
    "accreditation_application",
    "invitation",
    "review_assignment",
    "rubric",
]

#: table -> [(column, parent, ON DELETE)]; tenant_id is filled from the first key's parent
TABLES = {
    "application_municipality": [
        ("application_id", "accreditation_application", "CASCADE"),
        ("municipality_id", "municipality", "CASCADE"),
    ],
    "application_partner": [
        ("application_id", "accreditation_application", "CASCADE"),
        ("organization_id", "organization", "CASCADE"),
    ],
    "event_partner": [
        ("event_id", "event", "CASCADE"),
        ("organization_id", "organization", "CASCADE"),
    ],
    "invitation_municipality": [
        ("invitation_id", "invitation", "CASCADE"),
        ("municipality_id", "municipality", "CASCADE"),
    ],
    "membership_municipality": [
        ("membership_id", "membership", "CASCADE"),
        ("municipality_id", "municipality", "CASCADE"),
    ],
    "nomination_file": [
        ("nomination_id", "nomination", "CASCADE"),
        ("file_id", "stored_file", "CASCADE"),
    ],
    "rubric_criterion": [("rubric_id", "rubric", "CASCADE")],
    "score": [
        ("assignment_id", "review_assignment", "CASCADE"),
        ("criterion_id", "rubric_criterion", "RESTRICT"),
    ],
}


def _fk_name(bind, table: str, column: str) -> str:
    """The key's name as the database has it (the naming convention's, shortened with a hash
    on PostgreSQL when longer than 63 characters); the composite key keeps it."""
    for fk in sa.inspect(bind).get_foreign_keys(table):
        if fk["constrained_columns"] == [column] or set(fk["constrained_columns"]) == {
            column,
            "tenant_id",
        }:
            return fk["name"]
    raise LookupError(f"no foreign key on {table}.{column}")


def _links_across_tenants(bind) -> dict[str, int]:
    found = {}
    for table, keys in TABLES.items():
        for column, parent, _ in keys[1:]:
            count = bind.execute(
                sa.text(
                    f'SELECT count(*) FROM "{table}" c JOIN "{parent}" p ON p.id = c."{column}" '
                    "WHERE p.tenant_id <> c.tenant_id"
                )
            ).scalar()
            if count:
                found[f"{table}.{column}"] = count
    return found


def upgrade():
    bind = op.get_bind()
    names = {
        (table, column): _fk_name(bind, table, column)
        for table, keys in TABLES.items()
        for column, _, _ in keys
    }
    for parent in PARENTS:
        with op.batch_alter_table(parent, schema=None) as batch_op:
            batch_op.create_unique_constraint(f"uq_{parent}_tenant_id_id", ["tenant_id", "id"])
    for table, keys in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
        column, parent, _ = keys[0]
        op.execute(
            f'UPDATE "{table}" SET tenant_id = (SELECT p.tenant_id FROM "{parent}" p '
            f'WHERE p.id = "{table}"."{column}")'
        )
    across = _links_across_tenants(bind)
    if across:
        raise RuntimeError(f"rows linking rows of two tenants: {across}")
    set_null = bind.dialect.name == "postgresql"
    for table, keys in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("tenant_id", existing_type=sa.Integer(), nullable=False)
            if table == "rubric_criterion":
                batch_op.create_unique_constraint(
                    "uq_rubric_criterion_tenant_id_id", ["tenant_id", "id"]
                )
            batch_op.create_index(f"ix_{table}_tenant_id", ["tenant_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_tenant_id_tenant", "tenant", ["tenant_id"], ["id"], ondelete="CASCADE"
            )
            for column, parent, ondelete in keys:
                name = names[(table, column)]
                batch_op.drop_constraint(name, type_="foreignkey")
                if ondelete == "SET NULL" and set_null:  # none today; as in step 1
                    ondelete = f"SET NULL ({column})"
                batch_op.create_foreign_key(
                    name, parent, [column, "tenant_id"], ["id", "tenant_id"], ondelete=ondelete
                )
            if table == "score":
                batch_op.drop_constraint("uq_score_assignment_id_criterion_id", type_="unique")
                batch_op.create_unique_constraint(
                    "uq_score_tenant_id_assignment_id_criterion_id",
                    ["tenant_id", "assignment_id", "criterion_id"],
                )


def downgrade():
    bind = op.get_bind()
    names = {
        (table, column): _fk_name(bind, table, column)
        for table, keys in TABLES.items()
        for column, _, _ in keys
    }
    for table, keys in reversed(TABLES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "score":
                batch_op.drop_constraint(
                    "uq_score_tenant_id_assignment_id_criterion_id", type_="unique"
                )
                batch_op.create_unique_constraint(
                    "uq_score_assignment_id_criterion_id", ["assignment_id", "criterion_id"]
                )
            for column, parent, ondelete in keys:
                name = names[(table, column)]
                batch_op.drop_constraint(name, type_="foreignkey")
                batch_op.create_foreign_key(name, parent, [column], ["id"], ondelete=ondelete)
            batch_op.drop_constraint(f"fk_{table}_tenant_id_tenant", type_="foreignkey")
            if table == "rubric_criterion":
                batch_op.drop_constraint("uq_rubric_criterion_tenant_id_id", type_="unique")
            batch_op.drop_index(f"ix_{table}_tenant_id")
            batch_op.drop_column("tenant_id")
    for parent in PARENTS:
        with op.batch_alter_table(parent, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{parent}_tenant_id_id", type_="unique")
