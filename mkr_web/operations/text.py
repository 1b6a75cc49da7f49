"""Messages of operations that also run outside a request (the CLI, Celery): translated
with Flask-Babel inside a request, the Russian original elsewhere."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **values) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
