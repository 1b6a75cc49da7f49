"""Declarative column specs: what a table to import must hold, and how each cell is read.

An importer defines a :class:`TableSpec` of :class:`Column` objects (key, Russian title,
aliases, a value type, required or not) plus row checks. The machinery maps the file's
headers onto the columns by title or alias (case, ё/е, punctuation and parenthesised hints
ignored), reads every cell with its type and names the row, column and reason of each
error. Types raise :class:`CellError` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from ..documents.formats import counted


class CellError(ValueError):
    """A cell's value is wrong; ``str(exc)`` is the reason shown to the user."""


def normalize_header(text) -> str:
    text = re.sub(r"\(.*?\)", " ", str(text or "")).replace("*", " ")
    text = re.sub(r"[^\w\s]", " ", text.lower().replace("ё", "е"))
    return " ".join(text.split())


def lookup_key(text) -> str:
    """The key reference names are matched by: like headers, but keeping parentheses."""
    text = re.sub(r"[^\w\s]", " ", str(text or "").lower().replace("ё", "е"))
    return " ".join(text.split())


class Text:
    json_type = "text"

    def __init__(self, max_length: int = 200):
        self.max_length = max_length

    def parse(self, raw, lookups: dict):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = " ".join(str(raw).split())
        if len(text) > self.max_length:
            raise CellError(
                f"длиннее {counted(self.max_length, 'символа', 'символов', 'символов')}"
            )
        return text


class Name(Text):
    """A person's name part: letters, spaces, hyphens, apostrophes and dots only (so a
    spreadsheet formula or a stray number never becomes a name)."""

    RE = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ .'’-])*$")

    def __init__(self):
        super().__init__(100)

    def parse(self, raw, lookups: dict):
        text = super().parse(raw, lookups)
        if not self.RE.match(text):
            raise CellError("недопустимые символы (только буквы, пробел, дефис, апостроф)")
        return text


class DateValue:
    json_type = "date"
    FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y", "%d-%m-%Y")

    def __init__(self, earliest: date = date(1900, 1, 1), latest_today: bool = True):
        self.earliest = earliest
        self.latest_today = latest_today

    def parse(self, raw, lookups: dict):
        if isinstance(raw, datetime):
            value = raw.date()
        elif isinstance(raw, date):
            value = raw
        elif isinstance(raw, (int, float)) and 1 < raw < 80000:  # an Excel serial day number
            value = date(1899, 12, 30) + timedelta(days=int(raw))
        else:
            text = str(raw).strip().split(" ")[0]
            for fmt in self.FORMATS:
                try:
                    value = datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise CellError("не дата (нужно ДД.ММ.ГГГГ)")
        if value < self.earliest or (self.latest_today and value > date.today()):
            raise CellError("дата вне допустимого диапазона")
        return value

    @staticmethod
    def to_json(value):
        return value.isoformat() if value else None

    @staticmethod
    def from_json(value):
        return date.fromisoformat(value) if value else None


class Integer:
    json_type = "int"

    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw, lookups: dict):
        try:
            value = int(float(str(raw).replace(",", ".").strip()))
        except ValueError:
            raise CellError("не целое число") from None
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise CellError(f"число вне диапазона {self.minimum}–{self.maximum}")
        return value


class Choice:
    """One of named values; ``options`` maps accepted spellings to the stored value."""

    json_type = "text"

    def __init__(self, options: dict[str, str]):
        self.options = {lookup_key(k): v for k, v in options.items()}
        self.shown = ", ".join(options)

    def parse(self, raw, lookups: dict):
        key = lookup_key(raw)
        if key not in self.options:
            raise CellError(f"недопустимое значение (возможно: {self.shown})")
        return self.options[key]


class Snils(Text):
    """СНИЛС: 11 digits (separators ignored) with a right checksum; stored as the digits."""

    def __init__(self):
        super().__init__(20)

    def parse(self, raw, lookups: dict):
        from ..operations.snils import normalize

        if isinstance(raw, (int, float)):
            raw = f"{int(raw):011d}"
        text = super().parse(raw, lookups)
        try:
            return normalize(text)
        except ValueError:
            raise CellError("неверный СНИЛС (проверьте цифры и контрольное число)") from None


class Email(Text):
    RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def __init__(self):
        super().__init__(254)

    def parse(self, raw, lookups: dict):
        text = super().parse(raw, lookups).lower()
        if not self.RE.match(text):
            raise CellError("не адрес электронной почты")
        return text


class Phone(Text):
    def __init__(self):
        super().__init__(40)

    def parse(self, raw, lookups: dict):
        text = super().parse(raw, lookups)
        digits = re.sub(r"\D", "", text)
        if not re.fullmatch(r"[\d\s()+\-]+", text) or not 5 <= len(digits) <= 15:
            raise CellError("не номер телефона")
        return text


class Url(Text):
    def __init__(self):
        super().__init__(300)

    def parse(self, raw, lookups: dict):
        text = super().parse(raw, lookups)
        if " " in text or "." not in text or text.lower().startswith(("javascript:", "data:")):
            raise CellError("не ссылка")
        if not text.lower().startswith(("http://", "https://")):
            text = "https://" + text
        return text


class Lookup:
    """A name from reference data, matched by ``lookups["reference"]`` (a
    :class:`~mkr_web.queries.reference_names.ReferenceNames`). ``hint``: the key of the row's
    column whose value (a municipality id) chooses between organisations of one name."""

    json_type = "int"
    WHAT = {"municipality": "муниципалитет", "organization": "организация"}

    def __init__(self, name: str, what: str, hint: str | None = None):
        self.name, self.what, self.hint = name, what, hint

    def parse(self, raw, lookups: dict):
        reference = lookups["reference"]
        typed = " ".join(str(raw).split())
        if self.name == "municipality":
            match = reference.municipality(typed)
        else:
            hint = lookups.get("row", {}).get(self.hint) if self.hint else None
            match = reference.organization(typed, hint)
        if match.id is None:
            raise CellError(match.reason(self.WHAT[self.name], typed[:200]))
        return match.id


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    type: object = field(default_factory=Text)
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""

    def names(self) -> set[str]:
        return {normalize_header(self.title), *(normalize_header(a) for a in self.aliases)}


def person_columns(*, birth_required: bool, organization_example: str) -> tuple[Column, ...]:
    """The columns that name a person (surname, name, patronymic, birth date, municipality,
    educational organisation), shared by the persons and participants imports."""
    return (
        Column("surname", "Фамилия", Name(), True, example="Иванова"),
        Column("name", "Имя", Name(), True, example="Мария"),
        Column("patronymic", "Отчество", Name(), example="Сергеевна"),
        Column(
            "birth_on",
            "Дата рождения",
            DateValue(),
            birth_required,
            aliases=("др", "дата рожд"),
            example="05.03.2006",
        ),
        Column(
            "municipality",
            "Муниципалитет",
            Lookup("municipality", "Муниципалитет"),
            aliases=("муниципальное образование", "мо", "район", "город"),
            example="г. Томск",
        ),
        Column(
            "organization",
            "Образовательная организация",
            Lookup("organization", "Организация", hint="municipality"),
            aliases=("организация", "оо", "школа", "учебное заведение", "место учебы"),
            example=organization_example,
        ),
    )


#: A row check gets the row's parsed values and returns ``[(column key, reason), ...]``.
RowCheck = Callable[[dict], list[tuple[str, str]]]


@dataclass(frozen=True)
class TableSpec:
    name: str  # importer's name, e.g. "persons"
    title: str  # shown on pages and the template's sheet
    columns: tuple[Column, ...]
    row_checks: tuple[RowCheck, ...] = ()
    max_rows: int = 50_000

    def column(self, key: str) -> Column:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @cached_property
    def _converters(self) -> tuple[dict, dict]:
        """Per key, the type's ``to_json`` and ``from_json`` (only the types that have them)."""
        return (
            {c.key: c.type.to_json for c in self.columns if hasattr(c.type, "to_json")},
            {c.key: c.type.from_json for c in self.columns if hasattr(c.type, "from_json")},
        )

    def to_json(self, values: dict) -> dict:
        convert = self._converters[0]
        return {k: (convert[k](v) if k in convert else v) for k, v in values.items()}

    def from_json(self, values: dict) -> dict:
        convert = self._converters[1]
        return {k: (convert[k](v) if k in convert else v) for k, v in values.items()}
