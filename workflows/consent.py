"""Personal-data consent (152-ФЗ): its purposes, when it ends, and whether it holds on a date.

Pure rules, no database: the models store a consent's purposes as flags, the queries turn
:func:`holds` into SQL (``queries.consents``), and the operations refuse what a person without
a valid consent for a purpose may not go through (admission, the federal register, publication).
"""

from __future__ import annotations

from datetime import date

from workflows.states import LabeledState, labels


class ConsentPurpose(LabeledState):
    PROCESSING = "processing"  # keeping the person in the bank at all
    PUBLICATION = "publication"  # achievements shown publicly (#ИсторииУспехаМКР)
    TRANSFER = "transfer"  # the federal register of gifted children

    @property
    def column(self) -> str:
        """The flag on a consent record that says the consent covers this purpose."""
        return f"covers_{self.value}"


labels(
    "ConsentPurpose",
    {
        "processing": ("Обработка персональных данных", "primary"),
        "publication": ("Публикация достижений", "info"),
        "transfer": ("Передача в федеральный реестр", "secondary"),
    },
)

#: A tenant's default: a consent lasts until the person is 18, plus this many years (and at
#: least this many years from the day it was given).
DEFAULT_CONSENT_YEARS = 5
#: Reminders start this many days before a consent ends (DOMAIN §9).
EXPIRY_NOTICE_DAYS = 30


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def expiry_of(given_on: date, birth_on: date | None, years: int = DEFAULT_CONSENT_YEARS) -> date:
    """When a consent given on ``given_on`` ends: the later of the 18th birthday and the day
    it was given, plus ``years``."""
    start = given_on
    if birth_on is not None:
        start = max(start, add_years(birth_on, 18))
    return add_years(start, years)


def holds(
    *,
    covers: bool,
    given_on: date,
    expires_on: date | None,
    withdrawn_on: date | None,
    on: date,
) -> bool:
    """Whether a consent record is valid for a purpose on ``on``."""
    return (
        covers
        and given_on <= on
        and (expires_on is None or on <= expires_on)
        and (withdrawn_on is None or on < withdrawn_on)
    )
