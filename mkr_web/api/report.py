"""The annual report (any year, as of any date) as the JSON the report pages download:
the admin's whole programme, a coordinator's limited to their municipalities."""

from __future__ import annotations

from datetime import date

from flask import Response

from workflows.roles import Role

from ..access import current_membership
from ..documents.report_outputs import CONTENT_TYPES, WRITERS
from ..operations.deadlines import today
from ..operations.gir_export import as_json, export_gir
from ..operations.report_snapshot import report_for
from ..queries.reference import municipality_ids_for
from ..queries.report import default_year
from . import schemas as s
from .core import commit, endpoint, json_response


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
        year = default_year(membership.tenant_id, today())
    scope = municipality_ids_for(membership)
    data = WRITERS["json"](
        report_for(membership.tenant_id, year, args["as_of"], None if scope is None else scope)
    )
    return Response(data, mimetype=CONTENT_TYPES["json"])


@endpoint(
    "/gir-export",
    summary="Residents with their achievements of a year, keyed by SNILS (the federal GIR register); rows lacking "
    "what the register needs are listed in errors, not exported",
    roles=(Role.ADMIN,),
    scope="gir:read",
    query=s.GirQuery,
    response=s.GirExportSchema,
)
def gir_export(args):
    year = args["year"] or date.today().year - 1
    export, _body = commit(export_gir, current_membership().tenant_id, year, "json")
    return json_response(as_json(export))
