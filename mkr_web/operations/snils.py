"""СНИЛС (the Russian individual insurance account number, the federal ГИР's key of a
person): checked by its checksum, stored as 11 digits, shown formatted
(``123-456-789 01``) to the roles with access to personal data and masked
(``***-***-*** 01``) to anyone else; never to experts nor on the public verify pages."""

from __future__ import annotations

import re

from workflows.roles import Role

from ..errors import OperationError

#: who sees a СНИЛС in full (the person's card, the API's persons)
FULL_ACCESS = frozenset({Role.ADMIN, Role.COORDINATOR})
# python-stdnum (2.2) has no СНИЛС module, and the packages that have one are unmaintained:
# the rule is short and public (Пенсионный фонд РФ), so it lives here, tested on known numbers.
SEPARATORS = re.compile(r"[\s\-]")
CHECKED_FROM = 1001998  # numbers up to 001-001-998 carry no checksum


def checksum(first9: str) -> int:
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    return total % 101 % 100


def _digits(raw: str) -> str | None:
    digits = SEPARATORS.sub("", raw)
    if len(digits) != 11 or not (digits.isascii() and digits.isdigit()):
        return None
    if int(digits[:9]) > CHECKED_FROM and checksum(digits[:9]) != int(digits[9:]):
        return None
    return digits


def normalize(raw: str | None) -> str | None:
    """11 digits, or None for an empty value; refuses a malformed number or a wrong
    checksum (the message names the field)."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = _digits(text)
    if digits is None:
        raise OperationError("СНИЛС: неверный номер (проверьте цифры и контрольное число).")
    return digits


def is_valid(raw: str | None) -> bool:
    return bool(raw) and _digits(raw.strip()) is not None


def formatted(digits: str | None) -> str | None:
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}" if digits else None


def masked(digits: str | None) -> str | None:
    return f"***-***-*** {digits[-2:]}" if digits else None


def shown_to(role, digits: str | None) -> str | None:
    """What ``role`` sees of a СНИЛС: all of it, masked, or (an expert) nothing."""
    if not digits:
        return None
    if role in FULL_ACCESS:
        return formatted(digits)
    if role is Role.EXPERT:
        return None
    return masked(digits)
