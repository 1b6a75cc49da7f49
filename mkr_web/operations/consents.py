"""Consents with a life: recorded with purposes and an expiry (the tenant's rule), withdrawn
with a date, and reminded before they end (beat task ``mkr.consents.remind``).

What a person without a valid consent may not go through is refused where it happens
(:func:`require_consent`: admission, publication of an achievement); the federal register
export filters by ``queries.consents.holds_clause``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from workflows.consent import DEFAULT_CONSENT_YEARS, EXPIRY_NOTICE_DAYS, ConsentPurpose, expiry_of

from ..errors import OperationError, TransitionRefused
from ..extensions import db
from ..models import Consent, ConsentGiver, Person, StoredFile, Tenant
from ..models.base import utcnow
from ..queries.consents import consent_refusal, expiring_clause
from .audit import record
from .notification_kinds import fmt_date
from .notifications import admin_ids, coordinators_of, emit

ALL_PURPOSES = tuple(ConsentPurpose)


def consent_years(tenant_id: int) -> int:
    tenant = db.session.get(Tenant, tenant_id)
    value = tenant.setting("consent_years") if tenant is not None else None
    return int(value) if value is not None else DEFAULT_CONSENT_YEARS


def new_consent(
    person: Person,
    *,
    given_on: date,
    given_by: ConsentGiver,
    giver_name: str | None,
    purposes=ALL_PURPOSES,
    file: StoredFile | None = None,
    user_id: int | None,
) -> Consent:
    """A consent row (added and flushed) with its expiry by the tenant's rule."""
    if given_on > date.today():
        raise OperationError("Дата согласия не может быть в будущем.")
    purposes = set(purposes)
    if not purposes:
        raise OperationError("Отметьте, на что дано согласие.")
    consent = Consent(
        tenant_id=person.tenant_id,
        person_id=person.id,
        given_on=given_on,
        given_by=given_by,
        giver_name=giver_name,
        file=file,
        recorded_by_id=user_id,
        recorded_at=utcnow(),
        expires_on=expiry_of(given_on, person.birth_on, consent_years(person.tenant_id)),
        **{p.column: p in purposes for p in ConsentPurpose},
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(
    person: Person, consent_id: int, *, on: date, note: str | None, user_id: int | None
) -> Consent:
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id:
        raise OperationError("Согласие не найдено.")
    if consent.withdrawn_on is not None:
        raise OperationError(f"Согласие уже отозвано {consent.withdrawn_on:%d.%m.%Y}.")
    if on > date.today():
        raise OperationError("Дата отзыва не может быть в будущем.")
    if on < consent.given_on:
        raise OperationError("Дата отзыва раньше даты согласия.")
    consent.withdrawn_on, consent.withdrawn_by_id = on, user_id
    consent.withdrawal_note = " ".join((note or "").split())[:500] or None
    db.session.flush()
    record("person.consent_withdraw", person, consent_id=consent.id)
    return consent


def require_consent(person: Person, purpose: ConsentPurpose, on: date) -> None:
    """Refuse (with the reason) what needs a valid consent for ``purpose`` on ``on``."""
    refusal = consent_refusal(person, purpose, on)
    if refusal is not None:
        raise TransitionRefused(refusal)


def remind_expiring(today: date | None = None) -> dict[str, int]:
    """Tell each coordinator (their municipalities' count) and the admins (the tenant's
    count) about consents ending within the notice window; each consent once."""
    today = today or date.today()
    rows = db.session.execute(
        sa.select(Consent, Person.municipality_id)
        .join(Person, Person.id == Consent.person_id)
        .where(
            Consent.expiry_notified_on.is_(None),
            Person.is_anonymized.is_(False),
            expiring_clause(today),
        )
        .order_by(Consent.tenant_id, Consent.id)
    ).all()
    by_tenant: dict[int, list] = defaultdict(list)
    for consent, muni_id in rows:
        by_tenant[consent.tenant_id].append((consent, muni_id))
    told = 0
    for tenant_id, items in by_tenant.items():
        persons_by_muni: dict[int | None, set[int]] = defaultdict(set)
        for consent, muni_id in items:
            consent.expiry_notified_on = today
            persons_by_muni[muni_id].add(consent.person_id)
        first_end = min(c.expires_on for c, _ in items)
        coordinators = coordinators_of(tenant_id, [m for m in persons_by_muni if m])
        for user_id, munis in sorted(coordinators.items()):
            count = len(set().union(*(persons_by_muni[m] for m in munis)))
            told += len(_tell(tenant_id, [user_id], count, first_end, "coordinator.people"))
        everyone = set().union(*persons_by_muni.values())
        told += len(
            _tell(tenant_id, admin_ids(tenant_id), len(everyone), first_end, "admin.people")
        )
        record("consent.expiry_notice", None, tenant_id=tenant_id, consents=len(items))
    db.session.flush()
    return {"consents": len(rows), "notified": told}


def _tell(tenant_id: int, user_ids, count: int, first_end: date, endpoint: str):
    return emit(
        "consent.expiring",
        tenant_id,
        user_ids,
        {"count": count, "days": EXPIRY_NOTICE_DAYS, "first_end": fmt_date(first_end)},
        endpoint=endpoint,
        consent="expiring",
    )
