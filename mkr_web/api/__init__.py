"""The JSON API, version 1 (``/api/v1/``): the same queries and operations as the pages,
reached with a personal token (``Authorization: Bearer mkr_…``).

- :mod:`.core`: the route decorator (roles, scope, schemas for the OpenAPI document), token
  recognition, problem+json (RFC 9457) answers, cursor pages, ETag / If-Match.
- :mod:`.schemas`: the marshmallow schemas of every body.
- :mod:`.spec`: the OpenAPI 3.1 document built from the routes, and its browsable page.
- :mod:`.tables`: JSON rows through the one import machinery (protocols, participant lists).
- Resources: :mod:`.reference`, :mod:`.events`, :mod:`.participation`, :mod:`.people`,
  :mod:`.certificates`, :mod:`.report` (and the ГИР export), :mod:`.admission`.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, template_folder="templates")

from . import (  # noqa: E402
    admission,
    certificates,
    core,
    events,
    participation,
    people,
    reference,
    report,
    spec,
)

core.install(bp)
