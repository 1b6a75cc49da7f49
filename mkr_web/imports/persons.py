"""Importing persons into the bank: the column spec, matching to existing persons, commit.

Matching (DOMAIN 4.2): a row with a СНИЛС held by a person of the bank is that person;
otherwise the same person is the same normalised full name and birth date (``exact``: not
created again). Near matches are listed for a human to decide: the same name with another
birth date, or the same birth date with a similar name (a typo), or the same school with a
very similar name: the duplicate search's matcher (``queries.duplicates.name_score``,
rapidfuzz). Two rows of the file for the same person are an error.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus

from ..errors import ImportRefused
from ..extensions import db
from ..models import Organization, Person, normalize_name
from ..operations.audit import record
from ..operations.people import Step, add_persons_bulk
from ..queries.duplicates import NEAR_SCORE, SAME_BIRTH, SAME_SCHOOL, SCHOOL_SCORE, name_score
from .base import Importer, reference_lookups
from .spec import (
    Choice,
    Column,
    DateValue,
    Email,
    Phone,
    Snils,
    TableSpec,
    Text,
    Url,
    person_columns,
)

CHUNK = 500
STATUS_ACTIONS = {
    PersonStatus.POTENTIAL.value: "mark_potential",
    PersonStatus.RESIDENT_SCHOOL.value: "admit_school",
    PersonStatus.RESIDENT_STUDENT.value: "admit_student",
}


def _check_row(v: dict) -> list[tuple[str, str]]:
    errors = []
    if not v.get("municipality") and not v.get("organization"):
        errors.append(("municipality", "укажите муниципалитет или организацию"))
    if v.get("status") and not v.get("status_on"):
        errors.append(("status_on", "нужна дата, раз указан статус"))
    if v.get("status_on") and not v.get("status"):
        errors.append(("status", "укажите статус, раз указана дата"))
    if v.get("status_on") and v.get("birth_on") and v["status_on"] <= v["birth_on"]:
        errors.append(("status_on", "раньше даты рождения"))
    return errors


PERSON_SPEC = TableSpec(
    name="persons",
    title="Персоны",
    columns=(
        *person_columns(birth_required=True, organization_example="МБОУ «СОШ № 1» (г. Томск)"),
        Column("snils", "СНИЛС", Snils(), aliases=("страховой номер",), example="112-233-445 95"),
        Column(
            "grade",
            "Класс или курс",
            Text(40),
            aliases=("класс", "курс", "класс курс"),
            example="9 класс",
        ),
        Column(
            "email",
            "Электронная почта",
            Email(),
            aliases=("email", "e mail", "почта"),
            example="maria@example.ru",
        ),
        Column(
            "phone", "Телефон", Phone(), aliases=("телефон участника",), example="+7 900 000-00-00"
        ),
        Column(
            "parent_name",
            "ФИО родителя",
            Text(200),
            aliases=("родитель", "законный представитель", "фио законного представителя"),
        ),
        Column(
            "parent_phone",
            "Телефон родителя",
            Phone(),
            aliases=("телефон законного представителя",),
        ),
        Column(
            "parent_email",
            "Почта родителя",
            Email(),
            aliases=("email родителя", "электронная почта родителя"),
        ),
        Column(
            "social_url",
            "Профиль в соцсети",
            Url(),
            aliases=("соцсеть", "ссылка на профиль", "вконтакте", "vk"),
            example="https://vk.com/id1",
        ),
        Column(
            "status",
            "Статус",
            Choice(
                {
                    "потенциальный резидент": "potential",
                    "резидент (школьник)": "resident_school",
                    "резидент (студент)": "resident_student",
                    "потенциальный": "potential",
                    "школьник": "resident_school",
                    "студент": "resident_student",
                }
            ),
            example="резидент (школьник)",
        ),
        Column(
            "status_on",
            "Дата статуса",
            DateValue(date(1990, 1, 1)),
            aliases=("дата включения", "дата включения в банк"),
            example="15.05.2019",
        ),
        Column(
            "basis",
            "Основание",
            Text(500),
            aliases=("основание включения",),
            example="Победитель конференции «Исследовательский марафон», 2019",
        ),
    ),
    row_checks=(_check_row,),
)


def _label_key(values: dict) -> str:
    return normalize_name(values.get("surname"), values.get("name"), values.get("patronymic"))


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class PersonImporter(Importer):
    spec = PERSON_SPEC

    def lookups(self, tenant_id: int) -> dict:
        return reference_lookups(tenant_id)

    def _by_snils(self, tenant_id: int, numbers: list[str]) -> dict[str, int]:
        """The tenant's persons holding one of ``numbers`` (СНИЛС matches first)."""
        found: dict[str, int] = {}
        for part in _chunks(sorted(set(numbers))):
            found.update(
                db.session.execute(
                    sa.select(Person.snils, Person.id).where(
                        Person.tenant_id == tenant_id, Person.snils.in_(part)
                    )
                ).all()
            )
        return found

    def _existing(self, tenant_id: int, keys: list[str], births: list[date], orgs: list[int]):
        """Persons sharing a normalised name, a birth date or a school with the file's rows."""
        by_name, by_birth, by_school = defaultdict(list), defaultdict(list), defaultdict(list)
        cols = (Person.id, Person.search_name, Person.birth_on)
        for part in _chunks(sorted(set(keys))):
            for pid, key, born in db.session.execute(
                sa.select(*cols).where(Person.tenant_id == tenant_id, Person.search_name.in_(part))
            ):
                by_name[key].append((pid, born))
        for part in _chunks(sorted(set(births))):
            for pid, key, born in db.session.execute(
                sa.select(*cols).where(Person.tenant_id == tenant_id, Person.birth_on.in_(part))
            ):
                by_birth[born].append((pid, key))
        for part in _chunks(sorted(set(orgs))):
            for pid, key, born, org in db.session.execute(
                sa.select(*cols, Person.organization_id).where(
                    Person.tenant_id == tenant_id,
                    Person.organization_id.in_(part),
                    Person.is_anonymized.is_(False),
                )
            ):
                by_school[org].append((pid, key, born))
        return by_name, by_birth, by_school

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        ok = [(r, p) for r, p in zip(rows, table.rows, strict=True) if not p.errors]
        keys = [_label_key(p.values) for _, p in ok]
        by_name, by_birth, by_school = self._existing(
            tenant_id,
            keys,
            [p.values["birth_on"] for _, p in ok],
            [p.values["organization"] for _, p in ok if p.values.get("organization")],
        )
        by_snils = self._by_snils(
            tenant_id, [p.values["snils"] for _, p in ok if p.values["snils"]]
        )
        seen: dict[tuple, int] = {}
        seen_snils: dict[str, int] = {}
        for (row, prow), key in zip(ok, keys, strict=True):
            born, snils = prow.values["birth_on"], prow.values["snils"]
            if (key, born) in seen:
                row["errors"].append(["", f"повторяет строку {seen[key, born]}"])
                continue
            if snils and snils in seen_snils:
                row["errors"].append(["СНИЛС", f"тот же СНИЛС в строке {seen_snils[snils]}"])
                continue
            seen[key, born] = row["row"]
            if snils:
                seen_snils[snils] = row["row"]
            # the СНИЛС first: the same number is the same person whatever the name says
            exact = by_snils.get(snils) if snils else None
            exact = exact or next((pid for pid, b in by_name.get(key, []) if b == born), None)
            school = by_school.get(prow.values.get("organization"), [])
            near = [] if exact else self._near(key, born, by_name, by_birth, school)
            row["match"] = {"exact": exact, "near": near}

    @staticmethod
    def _near(key: str, born: date, by_name, by_birth, school) -> list[list]:
        near = [
            [pid, "то же ФИО, другая дата рождения"] for pid, b in by_name.get(key, []) if b != born
        ]
        for pid, other in by_birth.get(born, []):
            if other != key and name_score(key, other) >= NEAR_SCORE:
                near.append([pid, SAME_BIRTH])
        seen = {pid for pid, _ in near}
        for pid, other, other_born in school:
            if (
                pid not in seen
                and other != key
                and other_born in (None, born)
                and name_score(key, other) >= SCHOOL_SCORE
            ):
                near.append([pid, SAME_SCHOOL])
        return near[:5]

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        undecided = [
            r["row"]
            for r in rows
            if r["match"]["near"] and decisions.get(r["row"]) not in ("new", "skip")
        ]
        if undecided:
            raise ImportRefused(
                "Решите, новые ли это люди, для строк: " + ", ".join(map(str, undecided)) + "."
            )
        to_create = [
            r
            for r in rows
            if not r["match"]["exact"]
            and not (r["match"]["near"] and decisions[r["row"]] == "skip")
        ]
        self._refuse_new_duplicates(tenant_id, to_create)
        org_munis = dict(
            db.session.execute(
                sa.select(Organization.id, Organization.municipality_id).where(
                    Organization.tenant_id == tenant_id
                )
            ).all()
        )
        items = []
        for r in to_create:
            v = r["values"]
            data = dict(
                v,
                organization_id=v["organization"],
                municipality_id=v["municipality"] or org_munis.get(v["organization"]),
            )
            steps = []
            if v["status"]:
                steps = [Step(STATUS_ACTIONS[v["status"]], v["status_on"], v["basis"])]
            items.append((data, steps))
        add_persons_bulk(
            tenant_id, items, role=role, user_id=user.id, source="import", audit_role=str(role)
        )
        existing = sum(1 for r in rows if r["match"]["exact"])
        result = {
            "created": len(items),
            "existing": existing,
            "skipped": len(rows) - len(items) - existing,
        }
        record("person.import", None, **result)
        return result

    def _refuse_new_duplicates(self, tenant_id: int, rows: list[dict]) -> None:
        """Someone may have added one of these persons since the preview: refuse it all."""
        wanted = {(_label_key(r["values"]), r["values"]["birth_on"]): r["row"] for r in rows}
        clashes = []
        for part in _chunks(sorted({k for k, _ in wanted})):
            for key, born in db.session.execute(
                sa.select(Person.search_name, Person.birth_on).where(
                    Person.tenant_id == tenant_id, Person.search_name.in_(part)
                )
            ):
                if (key, born) in wanted:
                    clashes.append(wanted[key, born])
        if clashes:
            raise ImportRefused(
                "Пока вы смотрели предпросмотр, в банк добавили людей из строк "
                + ", ".join(map(str, sorted(clashes)))
                + ". Загрузите файл заново. Ничего не загружено."
            )
