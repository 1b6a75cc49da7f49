"""Importing persons into the bank: the column spec, matching to existing persons, commit.

Matching (DOMAIN 4.2): a row with a СНИЛС held by a person of the bank is that person;
otherwise the same person is the same normalised full name and birth date (``exact``: not
created again). Near matches are listed for a human to decide: the same name with another
birth date, or the same birth date with a similar name (a typo), or the same school with a
very similar name: the duplicate search's matcher (``queries.duplicates.name_score``,
rapidfuzz).

History (issue 11): a person may take several rows, each with a status and its date; the
first row carries the person's data, the others only their step. The steps, by date (then
file order), must follow the lifecycle machine from "none" (``workflows.lifecycle``): e.g.
potential → school Resident → student Resident → alumni, or → excluded (its basis is the
reason). A repeated row without a status, or a step the machine refuses, is an error of
that row; the file loads all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from operator import itemgetter

import sqlalchemy as sa

from workflows.lifecycle import LIFECYCLE, PersonStatus

from ..errors import ImportRefused
from ..extensions import db
from ..models import Organization, Person, normalize_name
from ..operations.audit import record
from ..operations.bulk import listed_keys
from ..operations.people_bulk import Step, insert_persons_bulk
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
_first = itemgetter(0)
S = PersonStatus


def action_for(current: PersonStatus, target: PersonStatus) -> str | None:
    """The lifecycle action that takes a person from ``current`` to ``target``, if any."""
    action = {
        S.POTENTIAL: "mark_potential",
        S.RESIDENT_SCHOOL: "admit_school",
        S.RESIDENT_STUDENT: "enrol_university" if current is S.RESIDENT_SCHOOL else "admit_student",
        S.ALUMNI: "graduate",
        S.EXCLUDED: "exclude",
    }.get(target)
    return action if action and LIFECYCLE.find(current, action) else None


def history_steps(history: list) -> tuple[list[Step], list[tuple[int, str]]]:
    """``history``: ``[[row, status, date, basis], ...]`` in order. Returns the steps and the
    errors ``(row, reason)`` of the steps the lifecycle machine refuses."""
    steps, errors, current = [], [], S.NONE
    for row_no, status, on, basis in history:
        target = S(status)
        action = action_for(current, target)
        if action is None:
            errors.append(
                (row_no, f"переход «{current.title_ru}» → «{target.title_ru}» невозможен")
            )
            continue
        if action == "exclude" and not basis:
            errors.append((row_no, "для исключения укажите основание (причину)"))
            continue
        on = DateValue.from_json(on) if isinstance(on, str) else on
        steps.append(Step(action, on, basis, comment=(basis or "") if action == "exclude" else ""))
        current = target
    return steps, errors


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
                    "партнёр (бывший резидент)": "alumni",
                    "исключён": "excluded",
                    "потенциальный": "potential",
                    "школьник": "resident_school",
                    "студент": "resident_student",
                    "выпускник": "alumni",
                    "партнёр": "alumni",
                    "исключен": "excluded",
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


def _among(query, column, values) -> list:
    """``query`` restricted to rows whose ``column`` is one of ``values``, as statements to
    run: on PostgreSQL one, joined with the values sent as one JSON document
    (:func:`.bulk.listed_keys`); elsewhere IN lists of :data:`CHUNK` values."""
    values = sorted(set(values))
    if not values:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        wanted = listed_keys([column.type], [(v,) for v in values])
        return [query.join(wanted, column == wanted.c.k0)]
    return [query.where(column.in_(part)) for part in _chunks(values)]


class PersonImporter(Importer):
    spec = PERSON_SPEC

    def lookups(self, tenant_id: int) -> dict:
        return reference_lookups(tenant_id)

    def _by_snils(self, tenant_id: int, numbers: list[str]) -> dict[str, int]:
        """The tenant's persons holding one of ``numbers`` (СНИЛС matches first)."""
        found: dict[str, int] = {}
        query = sa.select(Person.snils, Person.id).where(Person.tenant_id == tenant_id)
        for statement in _among(query, Person.snils, numbers):
            found.update(db.session.execute(statement).all())
        return found

    def _existing(self, tenant_id: int, keys: list[str], births: list[date], orgs: list[int]):
        """Persons sharing a normalised name, a birth date or a school with the file's rows.
        A school's persons are kept by birth date (``by_school[org][born]``, None: unknown):
        a row is compared with those of its birth date and of none, not with the whole school
        (10,000 rows against a school of 10,000 persons: 14 s → under 1 s)."""
        by_name, by_birth = defaultdict(list), defaultdict(list)
        by_school: dict = defaultdict(lambda: defaultdict(list))
        cols = (Person.id, Person.search_name, Person.birth_on)
        query = sa.select(*cols).where(Person.tenant_id == tenant_id)
        for statement in _among(query, Person.search_name, keys):
            for pid, key, born in db.session.execute(statement):
                by_name[key].append((pid, born))
        for statement in _among(query, Person.birth_on, births):
            for pid, key, born in db.session.execute(statement):
                by_birth[born].append((pid, key))
        query = sa.select(*cols, Person.organization_id).where(
            Person.tenant_id == tenant_id, Person.is_anonymized.is_(False)
        )
        for statement in _among(query, Person.organization_id, orgs):
            for pid, key, born, org in db.session.execute(statement):
                by_school[org][born].append((pid, key, born))
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
        firsts: dict[tuple, dict] = {}
        seen_snils: dict[str, int] = {}
        for (row, prow), key in zip(ok, keys, strict=True):
            born, snils = prow.values["birth_on"], prow.values["snils"]
            status = prow.values.get("status")
            step = [row["row"], status, prow.values.get("status_on"), prow.values.get("basis")]
            first = firsts.get((key, born))
            if first is not None:
                if not status or not first["history"]:
                    row["errors"].append(["", f"повторяет строку {first['row']}"])
                    continue
                # another step of the same person's history
                row["match"] = {
                    "exact": first["match"]["exact"],
                    "near": [],
                    "part_of": first["row"],
                }
                first["history"].append(step)
                continue
            if snils and snils in seen_snils:
                row["errors"].append(["СНИЛС", f"тот же СНИЛС в строке {seen_snils[snils]}"])
                continue
            firsts[key, born] = row
            if snils:
                seen_snils[snils] = row["row"]
            row["history"] = [step] if status else []
            # the СНИЛС first: the same number is the same person whatever the name says
            exact = by_snils.get(snils) if snils else None
            exact = exact or next((pid for pid, b in by_name.get(key, []) if b == born), None)
            pupils = by_school.get(prow.values.get("organization"), {})
            # the same birth date or none, by id (near matches past the fifth are not shown)
            school = sorted((*pupils.get(born, ()), *pupils.get(None, ())), key=_first)
            near = [] if exact else self._near(key, born, by_name, by_birth, school)
            row["match"] = {"exact": exact, "near": near}
        by_row = {r["row"]: r for r in rows}
        for first in firsts.values():
            history = sorted(first["history"], key=lambda h: (h[2], h[0]))
            _steps, errors = history_steps(history)
            for row_no, reason in errors:
                by_row[row_no]["errors"].append(["Статус", reason])
            first["history"] = [[n, st, on.isoformat(), basis] for n, st, on, basis in history]

    @staticmethod
    def _near(key: str, born: date, by_name, by_birth, school) -> list[list]:
        near = [
            [pid, "то же ФИО, другая дата рождения"] for pid, b in by_name.get(key, []) if b != born
        ]
        for pid, other in by_birth.get(born, []):
            if other != key and name_score(key, other) >= NEAR_SCORE:
                near.append([pid, SAME_BIRTH])
        seen = {pid for pid, _ in near}
        for pid, other, _born in school:
            # ``school``: the school's persons born that day or of no known birth date
            if pid not in seen and other != key and name_score(key, other) >= SCHOOL_SCORE:
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
        # the further rows of a person's history travel with its first row
        rows = [r for r in rows if not r["match"].get("part_of")]
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
            steps, errors = history_steps(r.get("history") or [])
            if errors:  # the preview refused these already; a stale preview is refused too
                raise ImportRefused(f"Строка {errors[0][0]}: {errors[0][1]}.")
            items.append((data, steps))
        insert_persons_bulk(
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
        query = sa.select(Person.search_name, Person.birth_on).where(Person.tenant_id == tenant_id)
        for statement in _among(query, Person.search_name, [k for k, _ in wanted]):
            for key, born in db.session.execute(statement):
                if (key, born) in wanted:
                    clashes.append(wanted[key, born])
        if clashes:
            raise ImportRefused(
                "Пока вы смотрели предпросмотр, в банк добавили людей из строк "
                + ", ".join(map(str, sorted(clashes)))
                + ". Загрузите файл заново. Ничего не загружено."
            )
