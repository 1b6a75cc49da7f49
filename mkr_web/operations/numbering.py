"""The one numbering scheme of the tenant's documents: ``<PREFIX>-<year>-<NNN>``, the
sequence counted per tenant and year from 001. Every prefix is Cyrillic (document numbers are
Russian by design): applications ЗАЯВ, nominations ВЫДВ, results protocols ПРОТ, certificates
АКР/РЕЗ, destruction acts УНИЧ; the settings page lists them."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db


def next_number(model, tenant_id: int, prefix: str, year: int) -> str:
    """One more than the highest number of ``year`` among ``model``'s rows of the tenant
    (compared as integers: the thousandth follows the 999th)."""
    head = f"{prefix}-{year}-"
    numbers = db.session.scalars(
        sa.select(model.number).where(model.tenant_id == tenant_id, model.number.startswith(head))
    )
    last = max((int(n[len(head) :]) for n in numbers if n[len(head) :].isdigit()), default=0)
    return f"{head}{last + 1:03d}"
