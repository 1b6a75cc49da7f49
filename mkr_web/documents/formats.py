"""Russian display formats shared by pages, PDFs and XLSX files: times in the tenant's zone,
dates as 29.11.2026, numbers with a decimal comma and narrow no-break spaces between thousands
(Babel's ``format_decimal``), the XLSX number formats that show them so in a spreadsheet, and
the form a noun takes after a count (:func:`plural`: 1 символ, 2 символа, 5 символов) for the
texts that stay Russian (refusals of operations and imports, the documents); translated texts
use Babel's ``ngettext`` instead (the ``ru`` catalog holds the three Russian forms)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location
from babel.numbers import format_decimal

DEFAULT_ZONE = "Asia/Tomsk"
NARROW_NBSP = "\u202f"
#: XLSX display formats: thousands grouped, two decimals (Excel shows the separators the
#: reader's locale uses: a comma and a space in a Russian Excel or LibreOffice).
XLSX_INTEGER = "#,##0"
XLSX_DECIMAL = "#,##0.00"
XLSX_DATE = "DD.MM.YYYY"
XLSX_DATETIME = "DD.MM.YYYY HH:MM"


def is_zone(name: str) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_time(value: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """A stored time (naive UTC, as the models keep them) in the zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone))


def when(value, zone: str = DEFAULT_ZONE, *, seconds: bool = False) -> str:
    """29.11.2026 14:05 in the zone; a date alone as 29.11.2026; nothing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value, zone).strftime("%d.%m.%Y %H:%M" + (":%S" if seconds else ""))
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def day(value, zone: str = DEFAULT_ZONE) -> str:
    """The date (in the zone, for a time) as 29.11.2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value, zone).date()
    return value.strftime("%d.%m.%Y")


def utc_offset(zone: str, at: datetime | None = None) -> str:
    """+7, +3, +5:30 — the zone's offset from UTC now (or at ``at``)."""
    offset = local_time(at or datetime.now(UTC), zone).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_city(zone: str, locale: str = "ru") -> str:
    """Томск for Asia/Tomsk (Babel's CLDR city names)."""
    try:
        return get_timezone_location(ZoneInfo(zone), locale=locale, return_city=True)
    except Exception:  # a zone CLDR does not name: its identifier
        return zone


def decimal(value, digits: int | None = None, locale: str = "ru") -> str:
    """12 345,68: a comma before the decimals, narrow no-break spaces between thousands.
    ``digits``: exactly that many decimals; None: as many as the value has (up to three)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "" if digits == 0 else ".###")
    text = format_decimal(value, format=pattern, locale=locale)
    return text.replace("\u00a0", NARROW_NBSP).replace("-", "−")


#: The zones of Russia (tzdata's zone1970.tab, RU), west to east: the settings' choices.
RUSSIAN_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Kirov",
    "Europe/Volgograd",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
)


def nest_quotes(text: str) -> str:
    """Russian quotes nest as «…„…“…»: inside «…», a second pair of «…» becomes „…“ (a title
    in quotes that itself quotes a name: «Конференция „Шаг в науку“»). Line by line, so an
    unbalanced quote in one line of user text never spills into the next."""
    if text.count("«") < 2:
        return text
    lines = []
    for line in text.split("\n"):
        depth, out = 0, []
        for ch in line:
            if ch == "«":
                depth += 1
                out.append("„" if depth > 1 else "«")
            elif ch == "»" and depth:
                out.append("“" if depth > 1 else "»")
                depth -= 1
            else:
                out.append(ch)
        lines.append("".join(out))
    return "\n".join(lines)


def grammatical_gender(patronymic: str | None) -> str | None:
    """ "m" or "f" from a Russian patronymic (…вич / …вна, …чна, …ична; оглы / кызы), None when
    there is none or it tells nothing: the wording is then neutral."""
    p = (patronymic or "").strip().lower()
    if p.endswith(("вич", "ич", "оглы", "улы", "уулу")):
        return "m"
    if p.endswith(("вна", "чна", "кызы", "гызы", "қызы")):
        return "f"
    return None


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun after ``n``: ``one`` for 1, 21, 101; ``few`` for 2–4, 22–24;
    ``many`` for 0, 5–20, 25–30, 111–114."""
    n = abs(int(n or 0))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def counted(n: int, one: str, few: str, many: str) -> str:
    """``n`` and its noun: ``counted(21, "символа", "символов", "символов")`` is «21 символа»."""
    return f"{n} {plural(n, one, few, many)}"
