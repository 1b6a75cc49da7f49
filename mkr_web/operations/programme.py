"""What the operator keeps for criteria 3, 5 and 6: partner organisations with the date each
partnership began, opportunities with the Residents placed on them, and publications."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..documents.formats import counted
from ..errors import OperationError
from ..extensions import db
from ..models import (
    Opportunity,
    OpportunityKind,
    Organization,
    OutletKind,
    Partnership,
    Person,
    Placement,
    Publication,
    Tenant,
)
from .audit import record

MIN_YEAR, MAX_YEAR = 2000, 2100


def _text(value: str | None, label: str, limit: int, required: bool = True) -> str | None:
    value = " ".join((value or "").split())
    if required and not value:
        raise OperationError(f"Укажите: {label}.")
    if len(value) > limit:
        raise OperationError(
            f"«{label}»: не длиннее {counted(limit, 'символа', 'символов', 'символов')}."
        )
    return value or None


def _same_tenant(tenant: Tenant, row, label: str) -> None:
    if row is not None and row.tenant_id != tenant.id:
        raise OperationError(f"{label} другого проекта.")


def _dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise OperationError("Дата окончания раньше даты начала.")


def _delete(action: str, row, **details) -> None:
    """Delete a programme record, its audit row (``action``, the record's project, ``details``)
    written first while the record still has its id."""
    record(action, row, tenant_id=row.tenant_id, **details)
    db.session.delete(row)
    db.session.flush()


def save_opportunity(
    tenant: Tenant,
    opportunity: Opportunity | None,
    *,
    kind: OpportunityKind,
    title: str,
    year: int,
    partner: Organization | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Opportunity:
    title = _text(title, "название", 300)
    if not (MIN_YEAR <= int(year) <= MAX_YEAR):
        raise OperationError(f"Год: от {MIN_YEAR} до {MAX_YEAR}.")
    _same_tenant(tenant, partner, "Организация")
    _dates(starts_on, ends_on)
    if starts_on and starts_on.year != int(year):
        raise OperationError("Дата начала должна быть в указанном году.")
    if opportunity is None:
        opportunity = Opportunity(tenant_id=tenant.id)
        db.session.add(opportunity)
    elif opportunity.tenant_id != tenant.id:
        raise OperationError("Возможность другого проекта.")
    elif int(year) != opportunity.year and db.session.scalar(
        sa.select(Placement.id)
        .where(
            Placement.opportunity_id == opportunity.id,
            sa.extract("year", Placement.placed_on) != int(year),
        )
        .limit(1)
    ):
        raise OperationError("Год не совпадёт с датами уже назначенных участников.")
    opportunity.kind, opportunity.title, opportunity.year = kind, title, int(year)
    opportunity.partner_id = partner.id if partner else None
    opportunity.starts_on, opportunity.ends_on = starts_on, ends_on
    db.session.flush()
    record("opportunity.save", opportunity, tenant_id=tenant.id)
    return opportunity


def delete_opportunity(opportunity: Opportunity) -> None:
    placed = db.session.execute(
        sa.delete(Placement).where(Placement.opportunity_id == opportunity.id)
    ).rowcount
    _delete("opportunity.delete", opportunity, placements=placed)


def add_placement(
    opportunity: Opportunity, person: Person, placed_on: date | None = None
) -> Placement:
    """Place a person of the opportunity's tenant on it, on a date of its year."""
    if person.tenant_id != opportunity.tenant_id:
        raise OperationError("Человек другого проекта.")
    placed_on = placed_on or opportunity.starts_on or date(opportunity.year, 1, 1)
    if placed_on.year != opportunity.year:
        raise OperationError(f"Дата участия должна быть в {opportunity.year} году.")
    exists = db.session.scalar(
        sa.select(Placement.id).where(
            Placement.opportunity_id == opportunity.id, Placement.person_id == person.id
        )
    )
    if exists:
        raise OperationError("Этот человек уже участвует в этой возможности.")
    placement = Placement(
        tenant_id=opportunity.tenant_id,
        opportunity_id=opportunity.id,
        person_id=person.id,
        placed_on=placed_on,
    )
    db.session.add(placement)
    db.session.flush()
    record(
        "placement.create",
        placement,
        tenant_id=placement.tenant_id,
        opportunity_id=opportunity.id,
        person_id=person.id,
    )
    return placement


def remove_placement(placement: Placement) -> None:
    _delete(
        "placement.delete",
        placement,
        opportunity_id=placement.opportunity_id,
        person_id=placement.person_id,
    )


def save_publication(
    tenant: Tenant,
    publication: Publication | None,
    *,
    title: str,
    outlet: str,
    outlet_kind: OutletKind,
    published_on: date,
    url: str | None = None,
) -> Publication:
    title = _text(title, "заголовок", 500)
    outlet = _text(outlet, "издание или сайт", 300)
    url = _text(url, "ссылка", 500, required=False)
    if url and not url.lower().startswith(("http://", "https://")):
        raise OperationError("Ссылка должна начинаться с http:// или https://.")
    if published_on is None:
        raise OperationError("Укажите дату публикации.")
    if publication is None:
        publication = Publication(tenant_id=tenant.id)
        db.session.add(publication)
    elif publication.tenant_id != tenant.id:
        raise OperationError("Публикация другого проекта.")
    publication.title, publication.outlet, publication.outlet_kind = title, outlet, outlet_kind
    publication.published_on, publication.url = published_on, url
    db.session.flush()
    record("publication.save", publication, tenant_id=tenant.id)
    return publication


def delete_publication(publication: Publication) -> None:
    _delete("publication.delete", publication)


def save_partnership(
    tenant: Tenant,
    partnership: Partnership | None,
    *,
    organization: Organization,
    started_on: date,
    ended_on: date | None = None,
    note: str | None = None,
) -> Partnership:
    if organization is None:
        raise OperationError("Выберите организацию-партнёра.")
    _same_tenant(tenant, organization, "Организация")
    if started_on is None:
        raise OperationError("Укажите дату начала партнёрства.")
    _dates(started_on, ended_on)
    other = db.session.scalar(
        sa.select(Partnership.id).where(
            Partnership.tenant_id == tenant.id, Partnership.organization_id == organization.id
        )
    )
    if other and (partnership is None or other != partnership.id):
        raise OperationError(f"Партнёрство с «{organization.name}» уже записано.")
    if partnership is None:
        partnership = Partnership(tenant_id=tenant.id)
        db.session.add(partnership)
    elif partnership.tenant_id != tenant.id:
        raise OperationError("Партнёрство другого проекта.")
    partnership.organization_id = organization.id
    partnership.started_on, partnership.ended_on = started_on, ended_on
    partnership.note = _text(note, "примечание", 500, required=False)
    db.session.flush()
    record("partnership.save", partnership, tenant_id=tenant.id, organization_id=organization.id)
    return partnership


def delete_partnership(partnership: Partnership) -> None:
    _delete("partnership.delete", partnership, organization_id=partnership.organization_id)
