"""Reading numbers from a request, the one way, and refusing what no page can store.

- :func:`parse_int` (defined with the models, so every layer uses the same one) is the one
  numeric parser of query strings, form fields and ids: ASCII digits only, within range.
- :class:`BoundedIntConverter` replaces Flask's ``<int:…>`` converter: an id above 2³¹−1
  does not match the route (404) instead of overflowing the database's integer column.
- :func:`refuse_nul_bytes` (a ``before_request`` hook) refuses a request whose URL, query,
  form or file names hold a NUL byte, with a message (400): PostgreSQL cannot store one and
  no form needs one.
"""

from __future__ import annotations

import math
from decimal import Decimal

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.validators import StopValidation

from ..models.base import INT_MAX, parse_int

NUL_REFUSED = _l("В запросе есть недопустимый символ (NUL, код 0): уберите его и повторите.")


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` with an upper bound: ids are 32-bit integers."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_value(value) -> int:
    """``coerce`` of a select field of ids (instead of ``int``): a 32-bit id or ValueError, so
    "2147483648" or "²" is an invalid choice, never a query the database cannot run."""
    number = parse_int(value, minimum=0)
    if number is None:
        raise ValueError("not an id")
    return number


def finite(form, field) -> None:
    """A WTForms validator, before any range check: no infinity or NaN in a number field
    ("inf", "nan", "1e400"), which no range check can compare."""
    data = field.data
    if isinstance(data, Decimal):
        bad = not data.is_finite()
    else:
        bad = isinstance(data, float) and not math.isfinite(data)
    if bad:
        field.errors[:] = []
        raise StopValidation(_l("Введите обычное число."))


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def refuse_nul_bytes():
    """Before every request: 400 with a message when any part of it carries a NUL byte."""
    parts = [request.path, request.query_string.decode("latin-1")]
    parts += list(request.args.keys()) + [v for _k, v in request.args.items(multi=True)]
    if request.method == "POST":
        parts += list(request.form.keys()) + [v for _k, v in request.form.items(multi=True)]
        parts += [f.filename or "" for _k, f in request.files.items(multi=True)]
    if "%00" in parts[1] or _has_nul(parts):
        return render_template("error.html", code=400, message=str(NUL_REFUSED)), 400
    return None


__all__ = [
    "INT_MAX",
    "BoundedIntConverter",
    "finite",
    "id_value",
    "parse_int",
    "refuse_nul_bytes",
]
