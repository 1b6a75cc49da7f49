"""The one numbering scheme (operations.numbering): per tenant and year, counted as integers."""

from __future__ import annotations

from datetime import date

from mkr_web.extensions import db
from mkr_web.models import Certificate, CertificateKind
from mkr_web.operations.numbering import next_number


def _cert(tenant, number: str, n: int) -> None:
    db.session.add(
        Certificate(
            tenant_id=tenant.id,
            kind=CertificateKind.RESIDENT,
            subject_id=n,
            number=number,
            code=f"code-{n}",
            issued_on=date(2026, 1, 1),
        )
    )
    db.session.flush()


def test_the_sequence_is_per_tenant_and_year_and_counts_past_999(factory):
    t, other = factory.tenant(), factory.tenant()
    assert next_number(Certificate, t.id, "РЕЗ", 2026) == "РЕЗ-2026-001"
    _cert(t, "РЕЗ-2026-999", 1)
    _cert(t, "РЕЗ-2025-004", 2)
    _cert(other, "РЕЗ-2026-041", 3)
    _cert(t, "АКР-2026-050", 4)
    assert next_number(Certificate, t.id, "РЕЗ", 2026) == "РЕЗ-2026-1000"
    _cert(t, "РЕЗ-2026-1000", 5)
    # "1000" < "999" as text: the sequence compares integers
    assert next_number(Certificate, t.id, "РЕЗ", 2026) == "РЕЗ-2026-1001"
    assert next_number(Certificate, t.id, "РЕЗ", 2025) == "РЕЗ-2025-005"
    assert next_number(Certificate, other.id, "РЕЗ", 2026) == "РЕЗ-2026-042"
    assert next_number(Certificate, t.id, "АКР", 2026) == "АКР-2026-051"
