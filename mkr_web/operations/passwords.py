"""The password rules: at least 12 characters, not on the list of common passwords shipped
with the app (``mkr_web/data/common-passwords.txt.gz``), not the e-mail address itself.
Hashing stays Werkzeug's scrypt (``User.set_password``)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from .text import _, ngettext

MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def password_problems(password: str, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` as a new password (empty: it is acceptable)."""
    password = password or ""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            ngettext(
                "Пароль должен быть не короче %(num)d символа.",
                "Пароль должен быть не короче %(num)d символов.",
                MIN_LENGTH,
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(
            ngettext(
                "Пароль должен быть не длиннее %(num)d символа.",
                "Пароль должен быть не длиннее %(num)d символов.",
                MAX_LENGTH,
            )
        )
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(_("Этот пароль слишком распространён: выберите другой."))
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        problems.append(_("Пароль не должен совпадать с адресом электронной почты."))
    return problems
