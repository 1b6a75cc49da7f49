"""What the federal register (ГИР) export reads: the tenant's Residents as of the end of a
year (their status from the dated history) with their achievements of that year: the
recorded achievements, and the wins and prizes at the year's editions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import ACTIVE_RESIDENT

from ..extensions import db
from ..models import (
    Achievement,
    Event,
    EventEdition,
    Participation,
    ParticipationRole,
    Person,
)
from .people import statuses_as_of

RESULT_TITLES = {ParticipationRole.WINNER: "победитель", ParticipationRole.PRIZE_WINNER: "призёр"}
EVENT_LEVELS = {
    "municipal": "municipal",
    "regional": "regional",
    "interregional": "regional",
    "all_russian": "all_russian",
    "international": "international",
}


@dataclass(frozen=True)
class GirRecord:
    """One achievement of one Resident (the person's fields repeated on each)."""

    person_id: int
    snils: str | None
    surname: str
    name: str
    patronymic: str | None
    birth_on: date | None
    event: str | None
    level: str | None  # an AchievementLevel value
    result: str | None
    achieved_on: date | None


def gir_records(tenant_id: int, year: int) -> list[GirRecord]:
    end = date(year, 12, 31)
    status = statuses_as_of(tenant_id, end)
    residents = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Person)
            .join(status, status.c.person_id == Person.id)
            .where(Person.tenant_id == tenant_id, status.c.status.in_(ACTIVE_RESIDENT))
        )
    }
    if not residents:
        return []
    ids = sorted(residents)
    records: list[tuple] = []
    for a in db.session.scalars(
        sa.select(Achievement).where(
            Achievement.tenant_id == tenant_id,
            Achievement.person_id.in_(ids),
            Achievement.achieved_on >= date(year, 1, 1),
            Achievement.achieved_on <= end,
        )
    ):
        records.append((a.person_id, a.title, a.level.value, a.result, a.achieved_on))
    for part, edition, event in db.session.execute(
        sa.select(Participation, EventEdition, Event)
        .join(EventEdition, EventEdition.id == Participation.edition_id)
        .join(Event, Event.id == EventEdition.event_id)
        .where(
            Participation.tenant_id == tenant_id,
            Participation.person_id.in_(ids),
            Participation.role.in_(list(RESULT_TITLES)),
            EventEdition.year == year,
            # a Resident's result is recorded as an achievement when admitted already
            ~sa.exists().where(
                Achievement.person_id == Participation.person_id,
                Achievement.edition_id == Participation.edition_id,
            ),
        )
    ):
        result = RESULT_TITLES[part.role] + (f", {part.place} место" if part.place else "")
        records.append(
            (
                part.person_id,
                f"{edition.title or event.title} {edition.year}",
                EVENT_LEVELS[event.level.value],
                result,
                edition.ends_on or edition.starts_on,
            )
        )
    out = []
    for person_id, title, level, result, on in records:
        p = residents[person_id]
        out.append(
            GirRecord(
                person_id=p.id,
                snils=p.snils,
                surname=p.surname,
                name=p.name,
                patronymic=p.patronymic,
                birth_on=p.birth_on,
                event=title,
                level=level,
                result=result,
                achieved_on=on,
            )
        )
    return sorted(out, key=lambda r: (r.surname, r.name, r.person_id, r.achieved_on or end))
