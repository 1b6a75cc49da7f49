"""Events, their yearly editions and participation: persons in roles, or counts per
municipality and category. Flush only; the view commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..errors import CountsError, OperationError
from ..extensions import db
from ..models import (
    CountCategory,
    Direction,
    EditionFormat,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    Organization,
    Participation,
    ParticipationCount,
    ParticipationRole,
    Person,
    normalize_name,
)
from ..models.base import parse_int
from .audit import record

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_COUNT = 100_000


@dataclass
class EventData:
    title: str
    kind: EventKind
    direction: Direction
    level: EventLevel
    organizer: Organization | None
    short_title: str | None = None
    partners: list[Organization] = field(default_factory=list)
    related_event: Event | None = None


def _check_same_tenant(tenant_id: int, *objs) -> None:
    for obj in objs:
        if obj is not None and obj.tenant_id != tenant_id:
            raise OperationError("Объект другого проекта.")


def save_event(tenant_id: int, data: EventData, event: Event | None = None) -> Event:
    """Create (``event`` None) or update an event."""
    title = (data.title or "").strip()
    if not title:
        raise OperationError("Укажите название мероприятия.")
    _check_same_tenant(tenant_id, data.organizer, data.related_event, *data.partners)
    if event is not None and data.related_event is not None and data.related_event.id == event.id:
        raise OperationError("Мероприятие не может быть связано само с собой.")
    created = event is None
    if created:
        event = Event(tenant_id=tenant_id)
        db.session.add(event)
    event.title = title[:500]
    event.short_title = (data.short_title or "").strip()[:200] or None
    event.kind, event.direction, event.level = data.kind, data.direction, data.level
    event.organizer = data.organizer
    event.partners = list(dict.fromkeys(data.partners))
    event.related_event_id = data.related_event.id if data.related_event else None
    db.session.flush()
    record("event.create" if created else "event.update", event, kind=event.kind.value)
    return event


@dataclass
class EditionData:
    year: int
    state: EditionState = EditionState.HELD
    format: EditionFormat = EditionFormat.IN_PERSON
    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: str | None = None


def save_edition(
    event: Event, data: EditionData, edition: EventEdition | None = None
) -> EventEdition:
    """Create or update an edition; one edition per event and reporting year."""
    if not data.year or not MIN_YEAR <= data.year <= MAX_YEAR:
        raise OperationError(f"Отчётный год: от {MIN_YEAR} до {MAX_YEAR}.")
    note = (data.note or "").strip() or None
    if data.state is not EditionState.HELD and not note:
        raise OperationError("Для перенесённого или непроведённого мероприятия укажите примечание.")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise OperationError("Дата окончания раньше даты начала.")
    clash = db.session.execute(
        sa.select(EventEdition.id).where(
            EventEdition.event_id == event.id, EventEdition.year == data.year
        )
    ).scalar_one_or_none()
    if clash is not None and (edition is None or clash != edition.id):
        raise OperationError(
            f"Проведение {data.year} года уже есть: у мероприятия одно проведение в год."
        )
    created = edition is None
    if created:
        edition = EventEdition(tenant_id=event.tenant_id, event=event)
        db.session.add(edition)
    edition.year, edition.state, edition.format = data.year, data.state, data.format
    edition.title = (data.title or "").strip()[:500] or None
    edition.starts_on, edition.ends_on, edition.note = data.starts_on, data.ends_on, note
    db.session.flush()
    record(
        "edition.create" if created else "edition.update",
        edition,
        event_id=event.id,
        year=data.year,
    )
    return edition


# ---- counts ----------------------------------------------------------------------------------


def parse_count(raw: str | None) -> int:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return 0
    value = parse_int(text, minimum=0, maximum=None)
    if value is None:
        raise ValueError("целое неотрицательное число")
    if value > MAX_COUNT:
        raise ValueError(f"не больше {MAX_COUNT}")
    return value


def save_counts(
    edition: EventEdition, raw: dict[tuple[int, CountCategory], str | int | None]
) -> dict[str, int]:
    """Replace the edition's counts with the grid, all or nothing. Blank cells are zero."""
    municipality_ids = set(
        db.session.scalars(
            sa.select(Municipality.id).where(Municipality.tenant_id == edition.tenant_id)
        )
    )
    values, errors = {}, {}
    for (municipality_id, category), cell in raw.items():
        if municipality_id not in municipality_ids:
            raise OperationError("Муниципалитет другого проекта.")
        try:
            values[(municipality_id, CountCategory(category))] = (
                cell
                if isinstance(cell, int) and 0 <= cell <= MAX_COUNT
                else parse_count(str(cell or ""))
            )
        except ValueError as exc:
            errors[(municipality_id, CountCategory(category))] = str(exc)
    if errors:
        raise CountsError(errors)
    if edition.state is EditionState.NOT_HELD and any(values.values()):
        raise OperationError("Мероприятие не проводилось: участников быть не может.")
    db.session.execute(
        sa.delete(ParticipationCount).where(ParticipationCount.edition_id == edition.id)
    )
    for (municipality_id, category), count in sorted(values.items()):
        if count:
            db.session.add(
                ParticipationCount(
                    tenant_id=edition.tenant_id,
                    edition_id=edition.id,
                    municipality_id=municipality_id,
                    category=category,
                    count=count,
                )
            )
    db.session.flush()
    totals = {c.value: sum(v for (_, cat), v in values.items() if cat is c) for c in CountCategory}
    record("edition.counts", edition, **totals)
    return totals


# ---- persons ---------------------------------------------------------------------------------


@dataclass
class ParticipantRow:
    """One validated row of a participant list (the import machinery validates and resolves
    municipality and organisation names to rows before calling :func:`add_participants`)."""

    surname: str
    name: str
    patronymic: str | None
    birth_on: date | None
    municipality: Municipality | None
    organization: Organization | None
    role: ParticipationRole = ParticipationRole.PARTICIPANT
    place: int | None = None
    section: str | None = None
    snils: str | None = None  # 11 digits, checked by the import


@dataclass
class ParticipantsResult:
    persons_created: int = 0
    persons_matched: int = 0
    participations_added: int = 0
    duplicates: int = 0
    person_ids: list[int] = field(default_factory=list)


def find_person(
    tenant_id: int,
    surname: str,
    name: str,
    patronymic: str | None,
    birth_on: date | None,
    snils: str | None = None,
):
    """The same person: the holder of the СНИЛС first, else the same normalised full name and
    birth date."""
    if snils:
        holder = db.session.execute(
            sa.select(Person).where(Person.tenant_id == tenant_id, Person.snils == snils)
        ).scalar_one_or_none()
        if holder is not None:
            return holder
    key = normalize_name(surname, name, patronymic)
    q = sa.select(Person).where(Person.tenant_id == tenant_id, Person.search_name == key)
    q = q.where(Person.birth_on == birth_on) if birth_on else q.where(Person.birth_on.is_(None))
    return db.session.execute(q.order_by(Person.id).limit(1)).scalar_one_or_none()


def add_participants(edition: EventEdition, rows: list[ParticipantRow]) -> ParticipantsResult:
    """Match each row to a person (or create one) and add their participation; a row already
    recorded (same person and role) is counted as a duplicate and skipped."""
    if edition.state is EditionState.NOT_HELD:
        raise OperationError("Мероприятие не проводилось: участников быть не может.")
    result = ParticipantsResult()
    seen: set[tuple[int, ParticipationRole]] = set()
    existing = {
        (person_id, role)
        for person_id, role in db.session.execute(
            sa.select(Participation.person_id, Participation.role).where(
                Participation.edition_id == edition.id
            )
        )
    }
    for row in rows:
        if not (row.surname or "").strip() or not (row.name or "").strip():
            raise OperationError("В строке нет фамилии или имени.")
        _check_same_tenant(edition.tenant_id, row.municipality, row.organization)
        person = find_person(
            edition.tenant_id, row.surname, row.name, row.patronymic, row.birth_on, row.snils
        )
        if person is None:
            person = Person(
                tenant_id=edition.tenant_id,
                surname=row.surname.strip(),
                name=row.name.strip(),
                patronymic=(row.patronymic or "").strip() or None,
                birth_on=row.birth_on,
                municipality=row.municipality
                or (row.organization.municipality if row.organization else None),
                organization=row.organization,
                snils=row.snils,
            )
            person.refresh_search_name()
            db.session.add(person)
            db.session.flush()
            record("person.create", person, source="participants", edition_id=edition.id)
            result.persons_created += 1
        else:
            result.persons_matched += 1
        result.person_ids.append(person.id)
        key = (person.id, row.role)
        if key in existing or key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        db.session.add(
            Participation(
                tenant_id=edition.tenant_id,
                edition_id=edition.id,
                person_id=person.id,
                role=row.role,
                place=row.place,
                section=(row.section or "").strip()[:300] or None,
            )
        )
        result.participations_added += 1
    db.session.flush()
    record(
        "edition.participants",
        edition,
        added=result.participations_added,
        persons_created=result.persons_created,
        duplicates=result.duplicates,
    )
    return result
