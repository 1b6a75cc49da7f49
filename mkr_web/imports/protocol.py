"""Uploading an accredited edition's results protocol (DOMAIN 4.2) through the shared import
machinery: XLSX or CSV (UTF-8 or Windows-1251), a downloadable template, a server-side
preview with per-row errors and matches to the bank, then the batch created all-or-nothing
by :func:`operations.admission.create_batch`.

The cells are read by the machinery (headers, dates, lengths); the rules are the one rule
set of typed protocols (:func:`operations.admission_rows.validate_candidate_rows`), run over
the whole file so that repeated rows are found too. A row's errors are both, without saying
twice what is wrong with one column. Each clean row is matched to the bank
(:func:`queries.admission.match_persons`): new, already in the bank, already an active
Resident (flagged: the result becomes an achievement, not a second admission), or a near
match the operator decides later.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import ImportRefused
from ..extensions import db
from ..models import EventEdition, Tenant, normalize_name
from ..operations.admission import create_batch
from ..operations.admission_rows import TITLES, edition_date, validate_candidate_rows
from ..queries.admission import match_persons, recorded_results
from .base import Importer
from .spec import Column, DateValue, TableSpec, Text

PROTOCOL_SPEC = TableSpec(
    name="protocol",
    title="Протокол результатов",
    columns=(
        Column("surname", TITLES["surname"], Text(100), True, example="Иванова"),
        Column("name", TITLES["name"], Text(100), True, example="Мария"),
        Column("patronymic", TITLES["patronymic"], Text(100), example="Сергеевна"),
        Column(
            "birth_date",
            TITLES["birth_date"],
            DateValue(),
            True,
            ("др", "дата рожд"),
            example="05.03.2006",
        ),
        Column(
            "organization",
            TITLES["organization"],
            Text(300),
            True,
            ("организация", "оо", "школа", "учебное заведение", "место учебы"),
            example="МБОУ «СОШ № 1»",
        ),
        Column(
            "grade",
            TITLES["grade"],
            Text(40),
            True,
            ("класс", "курс", "класс курс"),
            example="9 класс",
        ),
        Column(
            "municipality",
            TITLES["municipality"],
            Text(200),
            True,
            ("муниципальное образование", "мо", "район", "город"),
            example="г. Томск",
        ),
        Column(
            "result",
            TITLES["result"],
            Text(40),
            True,
            ("статус", "итог", "победитель призер", "диплом"),
            example="победитель",
        ),
        Column("place", TITLES["place"], Text(10), aliases=("занятое место",), example="1"),
        Column(
            "section",
            TITLES["section"],
            Text(300),
            aliases=("номинация", "секция", "направление", "номинация секция"),
            example="Экология",
        ),
        Column(
            "parent_contact",
            TITLES["parent_contact"],
            Text(300),
            aliases=(
                "родитель",
                "законный представитель",
                "контакт законного представителя",
                "телефон родителя",
            ),
            example="Иванова Елена Петровна, +7 900 000-00-00",
        ),
        Column(
            "snils",
            TITLES["snils"],
            Text(20),
            aliases=("страховой номер",),
            example="112-233-445 95",
        ),
    ),
    max_rows=2000,
)


def _raw(row: dict) -> dict:
    """A preview row's values as :func:`validate_candidate_rows` reads them."""
    values = dict(row["values"])
    values["row_no"] = row["row"]
    return values


def _key(row: dict) -> tuple:
    v = row["values"]
    born = v.get("birth_date")
    if isinstance(born, str):
        born = DateValue.from_json(born)
    return normalize_name(v.get("surname"), v.get("name"), v.get("patronymic")), born


class ProtocolImporter(Importer):
    """The protocol of one edition; previews are kept per edition (``protocol-<id>``)."""

    def __init__(self, edition: EventEdition):
        self.edition = edition
        self.spec = replace(PROTOCOL_SPEC, name=f"protocol-{edition.id}")

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        values = [dict(p.values, row_no=r["row"]) for r, p in zip(rows, table.rows, strict=True)]
        clean, errors = validate_candidate_rows(
            db.session.get(Tenant, tenant_id), values, on=edition_date(self.edition)
        )
        by_row: dict[int, list] = {}
        for e in errors:
            by_row.setdefault(e.row, []).append(e)
        for row in rows:
            said = {col for col, _reason in row["errors"]}
            for e in by_row.get(row["row"], []):
                if e.column not in said:
                    row["errors"].append([e.column, e.reason])
                    said.add(e.column)
        ok = {c.row_no: c for c in clean}
        matched = [r for r in rows if not r["errors"] and r["row"] in ok]
        found = match_persons(
            tenant_id,
            [
                (
                    ok[r["row"]].surname,
                    ok[r["row"]].name,
                    ok[r["row"]].patronymic,
                    ok[r["row"]].birth_on,
                )
                for r in matched
            ],
            snils=[ok[r["row"]].snils for r in matched],
        )
        recorded = recorded_results(self.edition.id)
        for row, (kind, _person, near) in zip(matched, found, strict=True):
            # only the kind of match: an organiser is not shown who else is in the bank
            row["match"] = {"kind": kind.value, "near": len(near)}
            c = ok[row["row"]]
            repeated = recorded.get((normalize_name(c.surname, c.name, c.patronymic), c.birth_on))
            if repeated:
                row["repeats"] = repeated  # the protocol that already holds this result

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        """The rows that repeat a result already recorded for the edition (by another
        protocol) are skipped, not recorded twice; checked again here, at the commit."""
        recorded = recorded_results(self.edition.id)
        fresh = [r for r in rows if _key(r) not in recorded]
        if not fresh:
            raise ImportRefused(
                "Все строки файла повторяют уже принятые протоколы этого мероприятия: "
                "новых результатов нет. Ничего не загружено."
            )
        batch = create_batch(
            self.edition, [_raw(r) for r in fresh], user, source_filename=decisions.get("filename")
        )
        db.session.flush()
        return {
            "batch_id": batch.id,
            "number": batch.number,
            "rows": len(fresh),
            "skipped": len(rows) - len(fresh),
        }
