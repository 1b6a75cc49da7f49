"""Messages of operations that also run outside a request (the CLI, Celery): translated
with Flask-Babel inside a request, the Russian original elsewhere (a count's noun from the
``ru`` catalog's three plural forms)."""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import Translations
from flask import has_request_context
from flask_babel import gettext, ngettext as _ngettext

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _(message: str, **values) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


@functools.cache
def _russian() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["ru"])


def ngettext(singular: str, plural: str, num: int, **values) -> str:
    """``singular`` and ``plural`` are the Russian one and many forms with ``%(num)d``; the
    ``ru`` catalog gives the third (2 символа)."""
    if has_request_context():
        return _ngettext(singular, plural, num, **values)
    values.setdefault("num", num)
    return _russian().ungettext(singular, plural, num) % values
