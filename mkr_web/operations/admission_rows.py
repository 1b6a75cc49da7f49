"""Validating the rows of a results protocol (DOMAIN 4.2): one rule set for typed rows, the
programmatic API and (later) XLSX/CSV uploads. Errors name the row, the column and the reason;
they never repeat personal values except the reference names that were not found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ..documents.formats import counted
from ..errors import OperationError, RowError
from ..extensions import db
from ..models import (
    EventEdition,
    Municipality,
    Organization,
    OrganizationKind,
    ParticipationRole,
    Tenant,
    normalize_name,
)
from ..models.base import parse_int
from ..queries.reference_names import ReferenceNames
from . import snils as snils_rules

#: (key, column title) in protocol order; the titles are what users see in errors.
COLUMNS = [
    ("surname", "Фамилия"),
    ("name", "Имя"),
    ("patronymic", "Отчество"),
    ("birth_date", "Дата рождения"),
    ("organization", "Образовательная организация"),
    ("grade", "Класс/курс"),
    ("municipality", "Муниципалитет"),
    ("result", "Результат"),
    ("place", "Место"),
    ("section", "Номинация/секция"),
    ("parent_contact", "Контакт родителя"),
    ("snils", "СНИЛС"),
]
TITLES = dict(COLUMNS)
ADULT_AGE = 18

RESULTS = {
    "победитель": ParticipationRole.WINNER,
    "winner": ParticipationRole.WINNER,
    "призер": ParticipationRole.PRIZE_WINNER,
    "призёр": ParticipationRole.PRIZE_WINNER,
    "prize_winner": ParticipationRole.PRIZE_WINNER,
    "prize-winner": ParticipationRole.PRIZE_WINNER,
    "prize winner": ParticipationRole.PRIZE_WINNER,
}
RESULT_TITLES = {ParticipationRole.WINNER: "победитель", ParticipationRole.PRIZE_WINNER: "призёр"}
LIMITS = {
    "surname": 100,
    "name": 100,
    "patronymic": 100,
    "grade": 40,
    "section": 300,
    "parent_contact": 300,
}


@dataclass
class CandidateRow:
    row_no: int
    surname: str
    name: str
    patronymic: str | None
    birth_on: date
    organization: Organization
    grade: str
    municipality: Municipality
    result: ParticipationRole
    place: int | None
    section: str | None
    parent_contact: str | None
    snils: str | None = None  # 11 digits: matched to the bank before the name

    @property
    def is_student(self) -> bool:
        return is_student(self.grade, self.organization)


def is_student(grade: str | None, organization: Organization | None) -> bool:
    """A university (or college) student: «курс» in the grade, or a university."""
    return "курс" in (grade or "").lower() or (
        organization is not None and organization.kind is OrganizationKind.UNIVERSITY
    )


def edition_date(edition: EventEdition) -> date:
    """The date ages are counted at: the edition's start (the earliest date known)."""
    return edition.starts_on or edition.ends_on or date(edition.year, 1, 1)


def age_on(birth_on: date, on: date) -> int:
    return on.year - birth_on.year - ((on.month, on.day) < (birth_on.month, birth_on.day))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Reference:
    """The tenant's municipalities and organisations, loaded once per validation and matched
    forgivingly (:mod:`queries.reference_names`)."""

    def __init__(self, tenant: Tenant):
        self.names = ReferenceNames(tenant.id)
        self._rows: dict[tuple, object] = {}

    def row(self, model, row_id: int):
        if (model, row_id) not in self._rows:
            self._rows[model, row_id] = db.session.get(model, row_id)
        return self._rows[model, row_id]


def validate_candidate_rows(
    tenant: Tenant, rows: list[dict], *, on: date | None = None, reference: _Reference | None = None
) -> tuple[list[CandidateRow], list[RowError]]:
    """Check every row; returns (clean rows, errors). ``rows`` are dicts keyed by
    :data:`COLUMNS` keys (an optional ``row_no`` keeps the protocol's numbering, else the
    position counts from 1). ``on`` is the edition's date: minors (under 18 on that date)
    need a parent's contact."""
    on = on or date.today()
    ref = reference or _Reference(tenant)
    clean: list[CandidateRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, date], int] = {}
    seen_snils: dict[str, int] = {}
    for position, raw in enumerate(rows, start=1):
        row_no = parse_int(raw.get("row_no"), minimum=1) or position
        row, row_errors = _validate_row(row_no, raw, ref, on)
        if row is not None:
            key = (normalize_name(row.surname, row.name, row.patronymic), row.birth_on)
            if key in seen:
                row_errors.append(
                    RowError(
                        row_no,
                        TITLES["surname"],
                        f"повторяет строку {seen[key]} (то же ФИО и дата рождения)",
                    )
                )
            elif row.snils and row.snils in seen_snils:
                row_errors.append(
                    RowError(
                        row_no, TITLES["snils"], f"тот же СНИЛС в строке {seen_snils[row.snils]}"
                    )
                )
            else:
                seen[key] = row_no
                if row.snils:
                    seen_snils[row.snils] = row_no
        if row_errors:
            errors.extend(row_errors)
        else:
            clean.append(row)
    return clean, errors


def _validate_row(row_no: int, raw: dict, ref: _Reference, on: date):
    errs: list[RowError] = []

    def err(key: str, reason: str) -> None:
        errs.append(RowError(row_no, TITLES[key], reason))

    values = {key: _text(raw.get(key)) for key, _ in COLUMNS}
    for key in ("surname", "name", "grade"):
        if not values[key]:
            err(key, "не заполнено")
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            err(key, f"длиннее {counted(limit, 'символа', 'символов', 'символов')}")

    birth_on = parse_date(raw.get("birth_date"))
    if not values["birth_date"] and not isinstance(raw.get("birth_date"), date):
        err("birth_date", "не заполнено")
    elif birth_on is None:
        err("birth_date", "нужна дата в формате ДД.ММ.ГГГГ")
    elif birth_on >= on or age_on(birth_on, on) > 40:
        err("birth_date", "дата рождения вне допустимого диапазона")

    # the municipality is matched first (it chooses between schools of one name), but the
    # errors keep the protocol's column order
    municipality, municipality_error = None, None
    if not values["municipality"]:
        municipality_error = "не заполнено"
    else:
        found = ref.names.municipality(values["municipality"])
        if found.id is None:
            municipality_error = found.reason("муниципалитет", values["municipality"])
        else:
            municipality = ref.row(Municipality, found.id)

    organization = None
    if not values["organization"]:
        err("organization", "не заполнено")
    else:
        found = ref.names.organization(
            values["organization"], municipality.id if municipality else None
        )
        if found.id is None:
            err("organization", found.reason("организация", values["organization"]))
        else:
            organization = ref.row(Organization, found.id)
    if municipality_error:
        err("municipality", municipality_error)

    result = RESULTS.get(values["result"].lower())
    if result is None:
        err("result", "нужно «победитель» или «призёр»")

    place = None
    if values["place"]:
        if re.fullmatch(r"\d{1,3}", values["place"]) and int(values["place"]) >= 1:
            place = int(values["place"])
        else:
            err("place", "нужно целое число от 1")

    snils = None
    if values["snils"]:
        try:
            snils = snils_rules.normalize(values["snils"])
        except OperationError:
            err("snils", "неверный СНИЛС (проверьте цифры и контрольное число)")

    if birth_on is not None and not values["parent_contact"] and age_on(birth_on, on) < ADULT_AGE:
        err("parent_contact", "обязателен для несовершеннолетних")

    grade = values["grade"]
    if re.fullmatch(r"\d{1,2}", grade):
        unit = (
            "курс"
            if organization is not None
            and organization.kind in (OrganizationKind.UNIVERSITY, OrganizationKind.COLLEGE)
            else "класс"
        )
        grade = f"{grade} {unit}"
    if errs:
        return None, errs
    return CandidateRow(
        row_no=row_no,
        surname=values["surname"],
        name=values["name"],
        patronymic=values["patronymic"] or None,
        birth_on=birth_on,
        organization=organization,
        grade=grade,
        municipality=municipality,
        result=result,
        place=place,
        section=values["section"] or None,
        parent_contact=values["parent_contact"] or None,
        snils=snils,
    ), []


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d\s()\-]{8,}\d")


def split_contact(contact: str | None) -> tuple[str | None, str | None, str | None]:
    """A free-text parent contact as (name, phone, e-mail)."""
    if not contact:
        return None, None, None
    email = EMAIL_RE.search(contact)
    phone = PHONE_RE.search(contact)
    rest = contact
    for m in (email, phone):
        if m:
            rest = rest.replace(m.group(0), " ")
    name = " ".join(rest.replace(",", " ").replace(";", " ").split()).strip(" :-") or None
    return (
        name[:200] if name else None,
        " ".join(phone.group(0).split())[:40] if phone else None,
        email.group(0)[:254] if email else None,
    )
