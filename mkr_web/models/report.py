"""The annual report's stored results (issue 14): one snapshot per (tenant, year, as-of date,
scope), valid while the tenant's data version is the one it was built at.

``ReportVersion.version`` goes up by one in the same transaction as every write of a row the
report reads (``operations.report_snapshot``); a snapshot whose ``data_version`` is not the
tenant's current version is stale and is never served."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import db, utcnow
from .tenancy import Tenant


class ReportVersion(db.Model):
    """The tenant's report data version (no row: version 0)."""

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


#: The tenant's report data version as a (deferred) attribute of the tenant, so the user
#: loader reads it with the session row (``queries.accounts``): the lists kept under it
#: (``queries.people.registry_choices``) cost no query of their own. None: version 0.
Tenant.data_version = sa.orm.column_property(
    sa.select(ReportVersion.version)
    .where(ReportVersion.tenant_id == Tenant.id)
    .correlate_except(ReportVersion)
    .scalar_subquery(),
    deferred=True,
)


class ReportSnapshot(db.Model):
    """``build_report(tenant_id, year, as_of, scope)`` as its JSON text, built at
    ``data_version`` by the code of ``code_version``. ``scope``: ``*`` (the whole bank) or the sorted municipality ids joined
    by commas (a coordinator's report)."""

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "year", "as_of", "scope", name="uq_report_snapshot_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))
    year: Mapped[int]
    as_of: Mapped[date]
    scope: Mapped[str] = mapped_column(sa.String(2000))
    data_version: Mapped[int] = mapped_column(sa.BigInteger)
    code_version: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
