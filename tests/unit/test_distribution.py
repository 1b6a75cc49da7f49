"""Scale-out on paper (issue 14, item 6): would every table distribute by ``tenant_id`` on a
distributed PostgreSQL (Citus)?

Walks ``db.metadata``. A table is either a *reference* table (platform-wide, replicated to every
node: listed in ``mkr_web.models.distribution.REFERENCE`` with the reason) or *distributed* by
``tenant_id``, which then needs:

1. a NOT NULL ``tenant_id`` referencing ``tenant``;
2. ``tenant_id`` in every unique constraint and unique index (a node can only check
   uniqueness within its shard);
3. ``tenant_id`` in every foreign key to another distributed table (co-located joins).

What does not hold yet would be listed in :data:`PENDING` (the migration plan): the test fails
on anything else, and on a pending item that has been fixed but is still listed, so the list
only shrinks. It is empty: every table distributes by ``tenant_id`` or is a reference table.

The rows of no tenant live in reference tables of their own, the same columns without
``tenant_id`` (Citus refuses NULL in the distribution column): ``platform_audit_entry`` (the
platform admin's actions and the account events: logins, second factor, password; the tenant
admin's log reads its members' account events from there beside ``audit_entry``) and
``account_notification`` (the account mails: invitations, password resets; the platform
admin's outbox lists them, the reader's list shows them beside ``notification``).

How the models meet it (``models.base``):

- foreign keys between distributed tables are ``(x_id, tenant_id) -> parent (id, tenant_id)``
  (``tenant_fk``; ``SET NULL`` clears ``x_id`` only), the parent carrying
  ``UNIQUE (tenant_id, id)`` (``tenant_key``); relationships along them join on the id alone,
  so the ORM never writes ``tenant_id`` from a related row;
- association tables (``tenant_link``) carry ``tenant_id``, filled by the ORM through their
  composite joins;
- the keys once unique across tenants are unique per tenant and stay unique across tenants by
  construction: ``certificate.code`` (``secrets.token_urlsafe(24)``) and
  ``api_token.token_hash`` (SHA-256 of a ``token_urlsafe(32)`` secret) keep a plain index for
  the lookup before the tenant is known (the public check, a bearer token: on Citus that one
  asks every shard); ``invitation.token_hash`` (same kind of digest) is read through the
  invitation's id; ``stored_file.path`` is ``<tenant_id>/<kind>/<random>``.

Primary keys stay ``id`` alone (SQLite's autoincrement needs a one-column INTEGER PRIMARY KEY;
the ids come from one sequence per table, so they are unique across tenants too). Citus wants
primary keys that include ``tenant_id``: a deployment on Citus swaps ``PRIMARY KEY (id)`` for
``(tenant_id, id)`` after ``flask db upgrade`` with ``flask mkr citus-keys``
(``operations.distribution``, run on PostgreSQL by ``tests/ops/test_citus_keys.py``); this test
does not check primary keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Tenant  # noqa: F401  (registers every model)
from mkr_web.models.distribution import REFERENCE

ROOT = Path(__file__).resolve().parents[2]


# Not distributable yet. Each entry names what is missing; fix it with a migration and remove
# it from here (the test fails while a fixed item is still listed). Nothing is left: the last
# two (the tenant-less rows of audit_entry and notification) moved to the reference tables
# platform_audit_entry and account_notification (migrations i14_citus_04 and 05).
PENDING: set[str] = set()


def _names(columns) -> list[str]:
    return [c.name for c in columns]


def distribution_problems(metadata: sa.MetaData) -> set[str]:
    problems = set()
    distributed = {t.name for t in metadata.sorted_tables if t.name not in REFERENCE}
    for table in metadata.sorted_tables:
        if table.name in REFERENCE:
            continue
        tenant_id = table.c.get("tenant_id")
        if tenant_id is None:
            problems.add(f"table {table.name}: no tenant_id")
            continue
        if tenant_id.nullable:
            problems.add(f"table {table.name}: tenant_id nullable")
        if not any(fk.column.table.name == "tenant" for fk in tenant_id.foreign_keys):
            problems.add(f"table {table.name}: tenant_id without a foreign key to tenant")
        for c in table.constraints:
            if isinstance(c, sa.UniqueConstraint) and "tenant_id" not in c.columns:
                problems.add(f"unique {table.name}({', '.join(_names(c.columns))})")
        for index in table.indexes:
            if index.unique and "tenant_id" not in [
                getattr(e, "name", None) for e in index.expressions
            ]:
                problems.add(f"unique index {table.name}.{index.name}")
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in distributed and "tenant_id" not in fk.column_keys:
                problems.add(f"fk {table.name}({', '.join(fk.column_keys)}) -> {target}")
    return problems


def test_every_table_distributes_by_tenant_or_is_pending():
    problems = distribution_problems(db.metadata)
    new = sorted(problems - PENDING)
    fixed = sorted(PENDING - problems)
    assert not new, "would not distribute by tenant_id (fix, or mark REFERENCE):\n" + "\n".join(new)
    assert not fixed, "fixed: remove from PENDING:\n" + "\n".join(fixed)


def test_the_walk_catches_each_kind_of_problem():
    meta = sa.MetaData()
    sa.Table("tenant", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "parent",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("code", sa.String),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("tenant_id", "id"),
    )
    sa.Table(
        "child",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, nullable=True),
        sa.Column("parent_id", sa.ForeignKey("parent.id")),
        sa.Column("other_id", sa.Integer),
        sa.ForeignKeyConstraint(["tenant_id", "other_id"], ["parent.tenant_id", "parent.id"]),
        sa.Index("ix_child_other", "other_id", unique=True),
    )
    sa.Table("orphan", meta, sa.Column("id", sa.Integer, primary_key=True))
    assert distribution_problems(meta) == {
        "unique parent(code)",
        "table child: tenant_id nullable",
        "table child: tenant_id without a foreign key to tenant",
        "fk child(parent_id) -> parent",
        "unique index child.ix_child_other",
        "table orphan: no tenant_id",
    }


def test_the_models_configure_without_warnings():
    """Relationships along composite keys join on the id alone: no "will copy column
    tenant_id ... conflicts with relationship(s)" warning (which would be an error here)."""
    code = (
        "import warnings\nimport sqlalchemy as sa\nimport sqlalchemy.orm as orm\n"
        "warnings.simplefilter('error', sa.exc.SAWarning)\n"
        "import mkr_web.models\norm.configure_mappers()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
