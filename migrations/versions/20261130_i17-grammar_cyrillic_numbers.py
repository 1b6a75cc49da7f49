"""One numbering scheme per document kind, all Cyrillic (issue 17): the stored numbers of
accreditation applications (ACC-2019-001 → ЗАЯВ-2019-001), nominations (NOM- → ВЫДВ-) and
results protocols (ADM- → ПРОТ-) take the new prefixes; certificates (АКР-, РЕЗ-) and
destruction acts (УНИЧ-) were Cyrillic already. The year and sequence stay, so each number
keeps its place in the tenant's sequence. Texts written before (sent notifications, the audit
log) keep the numbers they quoted. Plain SQL (substr and ||): SQLite and PostgreSQL alike.

Revision ID: i17_numbers_01
Revises: i14_scale_01
Create Date: 2026-11-30 10:00:00

"""

from alembic import op

revision = "i17_numbers_01"
down_revision = "i14_scale_01"
branch_labels = None
depends_on = None

#: (table, old prefix, new prefix); prefixes without the hyphen
RENAMES = [
    ("accreditation_application", "ACC", "ЗАЯВ"),
    ("nomination", "NOM", "ВЫДВ"),
    ("admission_batch", "ADM", "ПРОТ"),
]


def rename_statement(table: str, old: str, new: str) -> str:
    """``old-…`` → ``new-…`` for the rows of ``table`` whose number starts with ``old-``
    (compared exactly: SQLite's LIKE would ignore the case). The values are this module's
    constants, written into the SQL (it also renders offline, ``--sql``)."""
    head = f"{old}-"
    return (
        f"UPDATE {table} SET number = '{new}-' || substr(number, {len(head) + 1}) "
        f"WHERE substr(number, 1, {len(head)}) = '{head}'"
    )


def upgrade():
    for table, old, new in RENAMES:
        op.execute(rename_statement(table, old, new))


def downgrade():
    for table, old, new in RENAMES:
        op.execute(rename_statement(table, new, old))
