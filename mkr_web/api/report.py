"""The annual report (any year, as of any date) as the JSON the report pages download:
the admin's whole programme, a coordinator's limited to their municipalities."""

from __future__ import annotations

from datetime import date

from flask import Response

from workflows.roles import Role

from ..access import current_membership
from ..documents.report_outputs import CONTENT_TYPES, WRITERS
from ..queries.reference import municipality_ids_for
from ..queries.report import build_report, report_years
from . import schemas as s
from .core import endpoint


@endpoint(
    "/report",
    summary="The annual report as JSON (year: default the latest; as_of: default the year's end)",
    roles=(Role.ADMIN, Role.COORDINATOR),
    scope="report:read",
    query=s.ReportQuery,
    response={"type": "object", "description": "the report (the same as /admin/report.json)"},
)
def report(args):
    membership = current_membership()
    year = args["year"]
    if year is None:
        years = report_years(membership.tenant_id)
        year = years[0] if years else date.today().year - 1
    scope = municipality_ids_for(membership)
    data = WRITERS["json"](
        build_report(membership.tenant_id, year, args["as_of"], None if scope is None else scope)
    )
    return Response(data, mimetype=CONTENT_TYPES["json"])
