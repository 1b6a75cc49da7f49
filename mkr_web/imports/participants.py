"""Uploading an edition's participant list (persons in roles) through the shared import
machinery; the rows, once validated and previewed, go to
:func:`operations.events.add_participants`, which matches each to a person of the bank (the
same normalised full name and birth date) or creates one.

The preview says per row whether the person is in the bank and whether the edition already
lists them in that role (then the row is skipped, not doubled). A person twice in one role in
the file is an error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    EventEdition,
    Municipality,
    Organization,
    Participation,
    ParticipationRole,
    Person,
    normalize_name,
)
from ..operations.events import ParticipantRow, add_participants
from ..queries.duplicates import NEAR_SCORE, name_score
from .base import Importer, reference_lookups
from .spec import (
    Choice,
    Column,
    Integer,
    Snils,
    TableSpec,
    Text,
    person_columns,
)

ROLES = {
    "участник": ParticipationRole.PARTICIPANT.value,
    "победитель": ParticipationRole.WINNER.value,
    "призёр": ParticipationRole.PRIZE_WINNER.value,
    "призер": ParticipationRole.PRIZE_WINNER.value,
    "эксперт": ParticipationRole.EXPERT.value,
    "член жюри": ParticipationRole.EXPERT.value,
    "наставник": ParticipationRole.MENTOR.value,
    "модератор": ParticipationRole.MODERATOR.value,
}
PLACED = (ParticipationRole.WINNER.value, ParticipationRole.PRIZE_WINNER.value)


def _check_row(v: dict) -> list[tuple[str, str]]:
    if v.get("place") and (v.get("role") or ParticipationRole.PARTICIPANT.value) not in PLACED:
        return [("place", "место указывают только победителю или призёру")]
    return []


PARTICIPANT_SPEC = TableSpec(
    name="participants",
    title="Участники",
    columns=(
        *person_columns(birth_required=False, organization_example="МБОУ «СОШ № 1»"),
        Column(
            "role",
            "Роль",
            Choice(ROLES),
            aliases=("статус участника", "категория"),
            example="участник",
        ),
        Column("place", "Место", Integer(1, 999), example=""),
        Column(
            "section",
            "Номинация/секция",
            Text(300),
            aliases=("номинация", "секция", "направление"),
            example="Экология",
        ),
        Column("snils", "СНИЛС", Snils(), aliases=("страховой номер",), example="112-233-445 95"),
    ),
    row_checks=(_check_row,),
    max_rows=20_000,
)


def _key(values: dict) -> str:
    return normalize_name(values.get("surname"), values.get("name"), values.get("patronymic"))


def _birth(values: dict):
    born = values.get("birth_on")
    return born.isoformat() if hasattr(born, "isoformat") else born


def _persons_born(tenant_id: int, births: set[str]) -> dict[str, list[tuple[int, str]]]:
    """Persons of the tenant born on one of ``births`` (ISO dates), by date."""
    out: dict[str, list[tuple[int, str]]] = {}
    wanted = sorted(births)
    for i in range(0, len(wanted), 500):
        for pid, key, born in db.session.execute(
            sa.select(Person.id, Person.search_name, Person.birth_on).where(
                Person.tenant_id == tenant_id,
                Person.birth_on.in_([date.fromisoformat(b) for b in wanted[i : i + 500]]),
                Person.is_anonymized.is_(False),
            )
        ):
            out.setdefault(born.isoformat(), []).append((pid, key))
    return out


def _near(key: str, born: str | None, by_birth) -> list[int]:
    """Persons close to a row that matched nobody exactly: the same birth date and a similar
    name (the duplicate search's matcher). Shown in the preview; the row still adds a person."""
    if born is None:
        return []
    return [pid for pid, other in by_birth.get(born, []) if name_score(key, other) >= NEAR_SCORE][
        :3
    ]


class ParticipantImporter(Importer):
    """The participant list of one edition; previews are kept per edition."""

    def __init__(self, edition: EventEdition):
        self.edition = edition
        self.spec = replace(PARTICIPANT_SPEC, name=f"participants-{edition.id}")

    def lookups(self, tenant_id: int) -> dict:
        return reference_lookups(tenant_id)

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        ok = [r for r in rows if not r["errors"]]
        keys = sorted({_key(r["values"]) for r in ok})
        found: dict[tuple[str, str | None], int] = {}
        numbers = sorted({r["values"]["snils"] for r in ok if r["values"].get("snils")})
        by_snils = (
            dict(
                db.session.execute(
                    sa.select(Person.snils, Person.id).where(
                        Person.tenant_id == tenant_id, Person.snils.in_(numbers)
                    )
                ).all()
            )
            if numbers
            else {}
        )
        for i in range(0, len(keys), 500):
            for pid, key, born in db.session.execute(
                sa.select(Person.id, Person.search_name, Person.birth_on)
                .where(Person.tenant_id == tenant_id, Person.search_name.in_(keys[i : i + 500]))
                .order_by(Person.id)
            ):
                found.setdefault((key, born.isoformat() if born else None), pid)
        listed = set(
            db.session.execute(
                sa.select(Participation.person_id, Participation.role).where(
                    Participation.edition_id == self.edition.id
                )
            ).all()
        )
        by_birth = _persons_born(tenant_id, {_birth(r["values"]) for r in ok} - {None})
        seen: dict[tuple, int] = {}
        for row in ok:
            v = row["values"]
            role = v.get("role") or ParticipationRole.PARTICIPANT.value
            v["role"] = role
            mine = (_key(v), _birth(v), role)
            if mine in seen:
                row["errors"].append(
                    ["", f"повторяет строку {seen[mine]} (то же ФИО, дата рождения и роль)"]
                )
                continue
            seen[mine] = row["row"]
            # the holder of the СНИЛС first, else the same full name and birth date
            person_id = by_snils.get(v.get("snils")) or found.get((_key(v), _birth(v)))
            row["match"] = {
                "person_id": person_id,
                "listed": person_id is not None and (person_id, ParticipationRole(role)) in listed,
                "near": [] if person_id else _near(_key(v), _birth(v), by_birth),
            }

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        munis = _by_id(Municipality, tenant_id, {r["values"].get("municipality") for r in rows})
        orgs = _by_id(Organization, tenant_id, {r["values"].get("organization") for r in rows})
        items = []
        for r in rows:
            v = r["values"]
            items.append(
                ParticipantRow(
                    surname=v["surname"],
                    name=v["name"],
                    patronymic=v.get("patronymic"),
                    birth_on=v.get("birth_on"),
                    municipality=munis.get(v.get("municipality")),
                    organization=orgs.get(v.get("organization")),
                    role=ParticipationRole(v.get("role") or ParticipationRole.PARTICIPANT.value),
                    place=v.get("place"),
                    section=v.get("section"),
                    snils=v.get("snils"),
                )
            )
        result = add_participants(self.edition, items)
        return {
            "added": result.participations_added,
            "created": result.persons_created,
            "matched": result.persons_matched,
            "duplicates": result.duplicates,
        }


def _by_id(model, tenant_id: int, ids: set) -> dict:
    ids = sorted(i for i in ids if i)
    if not ids:
        return {}
    return {
        row.id: row
        for row in db.session.scalars(
            sa.select(model).where(model.tenant_id == tenant_id, model.id.in_(ids))
        )
    }
