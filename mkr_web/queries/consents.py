"""Consents as SQL: who holds a valid consent for a purpose on a date, whose consent ends
soon (the to-do lists and the reminder task), and a person's consent per purpose (the card)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from workflows.consent import EXPIRY_NOTICE_DAYS, ConsentPurpose

from ..extensions import db
from ..models import Consent, Person

#: The consent tables the clauses below read beside the caller's ``consent``: made once.
#: An ORM alias of a mapped class is immutable and may serve any number of statements, and
#: making one proxies each of the model's attributes (~1 ms each: ~15% of the coordinator's
#: dashboard when every call made its own).
_HELD = sa.orm.aliased(Consent, name="held_consent")
_NEWER = sa.orm.aliased(Consent, name="newer_consent")


def holds_clause(purpose: ConsentPurpose, on: date, person_id=Person.id):
    """``EXISTS`` a consent of ``person_id`` valid for ``purpose`` on ``on`` (the SQL twin
    of :func:`workflows.consent.holds`)."""
    c = _HELD  # its own alias: the caller may select from consent too
    return (
        sa.select(c.id)
        .where(
            c.person_id == person_id,
            getattr(c, purpose.column).is_(True),
            c.given_on <= on,
            sa.or_(c.expires_on.is_(None), c.expires_on >= on),
            sa.or_(c.withdrawn_on.is_(None), c.withdrawn_on > on),
        )
        .exists()
    )


def has_valid_consent(person: Person, purpose: ConsentPurpose, on: date | None = None) -> bool:
    return bool(db.session.scalar(sa.select(holds_clause(purpose, on or date.today(), person.id))))


def consent_refusal(
    person: Person, purpose: ConsentPurpose, on: date, consents: list | None = None
) -> str | None:
    """Why ``person`` has no valid consent for ``purpose`` on ``on`` (None: they have one).
    ``consents``: the person's consents already loaded (any purposes, any order)."""
    if consents is None:
        consents = _consents_of(person)
    covering = sorted(
        (c for c in consents if getattr(c, purpose.column)),
        key=lambda c: (c.given_on, c.id),
        reverse=True,
    )
    if any(c.holds(purpose, on) for c in covering):
        return None
    what = purpose.title_ru.lower()
    if not covering:
        return f"Нет согласия на {_accusative(purpose)}."
    last = covering[0]
    if last.withdrawn_on is not None and last.withdrawn_on <= on:
        return f"Согласие ({what}) отозвано {last.withdrawn_on:%d.%m.%Y}."
    if last.expires_on is not None and last.expires_on < on:
        return f"Срок согласия ({what}) истёк {last.expires_on:%d.%m.%Y}."
    return f"Согласие ({what}) ещё не действует на {on:%d.%m.%Y}."


def _consents_of(person: Person) -> list:
    return list(db.session.scalars(sa.select(Consent).where(Consent.person_id == person.id)))


def _accusative(purpose: ConsentPurpose) -> str:
    return {
        ConsentPurpose.PROCESSING: "обработку персональных данных",
        ConsentPurpose.PUBLICATION: "публикацию достижений",
        ConsentPurpose.TRANSFER: "передачу в федеральный реестр",
    }[purpose]


def notice_end(today: date) -> date:
    """The last day of the notice window that starts ``today``."""
    return today + timedelta(days=EXPIRY_NOTICE_DAYS)


def expiring_clause(today, until=None):
    """A consent still valid today that ends within the notice window (and no newer valid
    consent of the same person replaces it). ``today`` and ``until`` (default: the window's
    end, :func:`notice_end`) may be bound parameters of a statement built once."""
    newer = _NEWER
    until = notice_end(today) if until is None else until
    return sa.and_(
        Consent.withdrawn_on.is_(None),
        Consent.expires_on >= today,
        Consent.expires_on <= until,
        ~sa.select(newer.id)
        .where(
            newer.person_id == Consent.person_id,
            newer.id != Consent.id,
            newer.withdrawn_on.is_(None),
            sa.or_(newer.expires_on.is_(None), newer.expires_on > until),
        )
        .exists(),
    )


def expiring_person_ids(tenant_id, today, municipality_ids=None, until=None):
    """``SELECT DISTINCT person_id`` whose consent ends within the notice window."""
    q = (
        sa.select(Consent.person_id)
        .join(Person, Person.id == Consent.person_id)
        .where(Consent.tenant_id == tenant_id, Person.is_anonymized.is_(False))
        .where(expiring_clause(today, until))
        .distinct()
    )
    if municipality_ids is not None:
        q = q.where(Person.municipality_id.in_(municipality_ids))
    return q


def expiring_count_select(tenant_id, today, municipality_ids=None, until=None) -> sa.Select:
    """``SELECT count(*)`` of :func:`expiring_person_ids` (to run alone or as a subquery)."""
    sub = expiring_person_ids(tenant_id, today, municipality_ids, until).subquery()
    return sa.select(sa.func.count()).select_from(sub)


def count_expiring(tenant_id: int, today: date, municipality_ids=None) -> int:
    return db.session.scalar(expiring_count_select(tenant_id, today, municipality_ids)) or 0


def consent_summary(
    person: Person, on: date | None = None, consents: list | None = None
) -> list[tuple[ConsentPurpose, str]]:
    """The card's line per purpose: valid until D (the latest end of a consent covering it
    and not withdrawn), or why not. ``consents``: the person's, already loaded (the card has
    them); otherwise one query reads them."""
    on = on or date.today()
    if consents is None:
        consents = _consents_of(person)
    out = []
    for purpose in ConsentPurpose:
        refusal = consent_refusal(person, purpose, on, consents)
        if refusal is None:
            ends = max(
                (
                    c.expires_on
                    for c in consents
                    if getattr(c, purpose.column)
                    and c.withdrawn_on is None
                    and c.expires_on is not None
                ),
                default=None,
            )
            out.append((purpose, f"действует до {ends:%d.%m.%Y}" if ends else "действует"))
        else:
            out.append((purpose, refusal))
    return out
